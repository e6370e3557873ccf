import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { clearKeychainService, testKeychainService } from '../../harness/keychain';
import { startHarness, type Harness } from '../../harness/server';

// One UI test's world: its own temp folders (a fake home with sync folders in it, the app's user-data folder),
// its own keychain service name, and a harness that can be restarted like the app.
export class UiRun {
  readonly root = mkdtempSync(join(tmpdir(), 'a2w-ui-'));
  readonly home = join(this.root, 'home');
  readonly userDataDir = join(this.root, 'user-data');
  readonly keychainService = testKeychainService('ui');
  private current: Harness | null = null;

  constructor() {
    mkdirSync(this.home, { recursive: true });
  }

  get harness(): Harness {
    if (!this.current) throw new Error('The harness is not running: call start() first.');
    return this.current;
  }

  /** A local folder under the temp root, created. */
  folder(...parts: string[]): string {
    const dir = join(this.root, ...parts);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async start(): Promise<Harness> {
    if (this.current) throw new Error('The harness is already running.');
    this.current = await startHarness({
      userDataDir: this.userDataDir,
      keychainService: this.keychainService,
      homeDir: this.home,
    });
    return this.current;
  }

  /** Stops the app side (closing the open workspace) and starts a fresh one on the same user-data folder. */
  async restart(): Promise<Harness> {
    await this.stop();
    return this.start();
  }

  async stop(): Promise<void> {
    const h = this.current;
    this.current = null;
    await h?.close();
  }

  async dispose(): Promise<void> {
    await this.stop();
    await clearKeychainService(this.keychainService);
    rmSync(this.root, { recursive: true, force: true });
  }
}

interface Fixtures {
  run: UiRun;
  /** Console errors, uncaught page errors and CSP violations seen by the page; each test must end with none. */
  pageProblems: string[];
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture list from this pattern
  run: async ({}, use) => {
    const run = new UiRun();
    try {
      await use(run);
    } finally {
      await run.dispose();
    }
  },
  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (msg) => {
        const text = msg.text();
        if (msg.type() === 'error' || /Content Security Policy/i.test(text))
          problems.push(`console.${msg.type()}: ${text}`);
      });
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
      await use(problems);
      // Violations are also reported as DOM events; collect any the console did not show.
      const violations = await page
        .evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])
        .catch(() => []);
      expect([...problems, ...violations.map((v) => `csp: ${v}`)]).toEqual([]);
    },
    { auto: true },
  ],
  page: async ({ page }, use) => {
    // Injected by the browser itself (not a page script), so the page's CSP does not block it.
    await page.addInitScript(() => {
      const w = window as unknown as { __cspViolations: string[] };
      w.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`),
      );
    });
    await use(page);
  },
});

export { expect };

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: join(test.info().project.outputDir, 'screenshots', `${name}.png`),
    fullPage: true,
  });
}

export function stepButton(page: Page, step: string) {
  return page.locator(`nav[aria-label="Migration steps"] button[data-step="${step}"]`);
}

export async function expectViewing(page: Page, title: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(title);
  await expect(page.locator('nav[aria-label="Migration steps"] [aria-current="step"]')).toContainText(title);
}
