import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { _electron, test as base, expect, type ElectronApplication, type Page } from '@playwright/test';
import { clearKeychainService, testKeychainService } from '../../harness/keychain';

// Electron end-to-end fixtures: the real app (built main, preload and renderer from `npm run build`) in a real
// Electron, each test with its own user-data folder and OS keychain service name (A2W_USER_DATA_DIR,
// A2W_KEYCHAIN_SERVICE, honoured by src/main/index.ts). Where no Electron binary is installed every test is
// skipped with the reason. Set A2W_ELECTRON_APP to a packaged test build's executable (electron-builder.test.yml,
// see docs/packaging.md) to run the same specs against the packaged app instead of out/.

const ROOT = resolve(__dirname, '..', '..', '..');
const BUILT_MAIN = join(ROOT, 'out', 'main', 'index.js');

export const NO_BINARY =
  'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): run npm install without it to fetch Electron and run these specs';

type Binary = { ok: true; packaged: boolean; path: string } | { ok: false; reason: string };

/**
 * Finds the Electron executable without require('electron'): that module downloads the binary when it is missing.
 * Mirrors node_modules/electron/index.js: path.txt names the executable inside dist/ (or ELECTRON_OVERRIDE_DIST_PATH).
 */
export function findElectron(env: NodeJS.ProcessEnv = process.env): Binary {
  if (env.A2W_ELECTRON_APP) {
    return existsSync(env.A2W_ELECTRON_APP)
      ? { ok: true, packaged: true, path: env.A2W_ELECTRON_APP }
      : { ok: false, reason: `A2W_ELECTRON_APP names ${env.A2W_ELECTRON_APP}, which does not exist` };
  }
  let electronDir: string;
  try {
    electronDir = dirname(require.resolve('electron/package.json', { paths: [ROOT] }));
  } catch {
    return { ok: false, reason: NO_BINARY };
  }
  const pathFile = join(electronDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (!executable) return { ok: false, reason: NO_BINARY };
  const full = join(env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist'), executable);
  return existsSync(full) ? { ok: true, packaged: false, path: full } : { ok: false, reason: NO_BINARY };
}

function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** One test's world: temp folders, a user-data folder and keychain service shared by every launch in the test. */
export class ElectronRun {
  readonly root = mkdtempSync(join(tmpdir(), 'a2w-electron-'));
  readonly userDataDir = join(this.root, 'user-data');
  readonly keychainService = testKeychainService('electron');
  private readonly apps = new Set<ElectronApplication>();

  constructor(private readonly binary: Extract<Binary, { ok: true }>) {}

  /** A local folder under the temp root, created. */
  folder(...parts: string[]): string {
    const dir = join(this.root, ...parts);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Starts the app and waits for its window to show the renderer. */
  async launch(): Promise<{ app: ElectronApplication; page: Page }> {
    if (!this.binary.packaged && !existsSync(BUILT_MAIN)) {
      throw new Error(`${BUILT_MAIN} is missing: run npm run build before the Electron specs.`);
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    // Never the dev server: the specs drive the built renderer exactly as it ships.
    delete env.ELECTRON_RENDERER_URL;
    delete env.ELECTRON_RUN_AS_NODE;
    env.A2W_USER_DATA_DIR = this.userDataDir;
    env.A2W_KEYCHAIN_SERVICE = this.keychainService;
    const app = await _electron.launch(
      this.binary.packaged
        ? { executablePath: this.binary.path, args: [], env }
        : // The project folder: Electron reads package.json, whose main is the built out/main/index.js.
          { args: [ROOT], env, cwd: ROOT },
    );
    this.apps.add(app);
    app.on('close', () => this.apps.delete(app));
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    return { app, page };
  }

  /** Quits an app the way a user would, letting it close its workspace. */
  async quit(app: ElectronApplication): Promise<void> {
    await app.close();
    this.apps.delete(app);
  }

  async dispose(): Promise<void> {
    for (const app of [...this.apps]) await app.close().catch(() => undefined);
    await clearKeychainService(this.keychainService);
    rmSync(this.root, { recursive: true, force: true });
  }
}

let reasonPrinted = false;

interface Fixtures {
  /** The Electron to run; every test is skipped, with the reason, when there is none. */
  electron: Extract<Binary, { ok: true }>;
  run: ElectronRun;
}

export const test = base.extend<Fixtures>({
  electron: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture list from this pattern
    async ({}, use) => {
      const binary = findElectron();
      if (!binary.ok) {
        // The list reporter does not print skip reasons: say it once per worker so a CI log shows why.
        if (!reasonPrinted) console.log(`Electron specs skipped: ${binary.reason}`);
        reasonPrinted = true;
        return test.skip(true, binary.reason);
      }
      test.skip(
        !hasDisplay(),
        'No display for Electron: run the Electron specs under xvfb-run or in a desktop session',
      );
      await use(binary);
    },
    { auto: true },
  ],
  run: async ({ electron }, use) => {
    const run = new ElectronRun(electron);
    try {
      await use(run);
    } finally {
      await run.dispose();
    }
  },
});

export { expect };

/** Saves a full-page screenshot as test-results/screenshots/electron-<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(test.info().project.outputDir, 'screenshots', `electron-${name}.png`) });
}

export function stepButton(page: Page, step: string) {
  return page.locator(`nav[aria-label="Migration steps"] button[data-step="${step}"]`);
}

export async function expectViewing(page: Page, title: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(title);
  await expect(page.locator('nav[aria-label="Migration steps"] [aria-current="step"]')).toContainText(title);
}
