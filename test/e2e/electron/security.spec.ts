import type { WebPreferences } from 'electron';
import { expect, shot, test } from './fixtures';

// The shell's hardening, checked in the running app rather than read from the source: what the window was
// really created with, what the page can reach, and what happens when it tries to leave.

test('the window runs isolated, sandboxed and without Node', async ({ run }) => {
  const { app, page } = await run.launch();

  // Evaluated in the main process: the preferences the window's contents actually carry.
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const windows = BrowserWindow.getAllWindows();
    const contents = windows[0]!.webContents as unknown as { getLastWebPreferences(): WebPreferences | null };
    const p = contents.getLastWebPreferences() ?? {};
    return {
      windows: windows.length,
      contextIsolation: p.contextIsolation,
      sandbox: p.sandbox,
      nodeIntegration: p.nodeIntegration,
      nodeIntegrationInWorker: p.nodeIntegrationInWorker,
      nodeIntegrationInSubFrames: p.nodeIntegrationInSubFrames,
      webSecurity: p.webSecurity,
      webviewTag: p.webviewTag,
      allowRunningInsecureContent: p.allowRunningInsecureContent,
      hasPreload: Boolean(p.preload),
    };
  });
  expect(prefs).toEqual({
    windows: 1,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    webviewTag: false,
    allowRunningInsecureContent: false,
    hasPreload: true,
  });

  const surface = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const api = w.api as Record<string, unknown> | undefined;
    return {
      apiKeys: api ? Object.keys(api).sort() : null,
      apiTypes: api ? Object.values(api).map((v) => typeof v) : null,
      require: typeof w.require,
      process: typeof w.process,
      module: typeof w.module,
      global: typeof w.global,
      Buffer: typeof w.Buffer,
      ipcRenderer: typeof w.ipcRenderer,
      electron: typeof w.electron,
    };
  });
  expect(surface).toEqual({
    apiKeys: ['invoke', 'on'],
    apiTypes: ['function', 'function'],
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    global: 'undefined',
    Buffer: 'undefined',
    ipcRenderer: 'undefined',
    electron: 'undefined',
  });

  // Unknown operations never reach main; inputs that break the contract come back as typed errors.
  const refused = await page.evaluate(async () => {
    const api = window.api as unknown as { invoke(name: string, input: unknown): Promise<unknown> };
    return {
      unknown: await api.invoke('fs.readFile', { path: '/etc/passwd' }),
      invalid: await api.invoke('workspace.open', { path: 42 }),
      external: await api.invoke('app.openExternal', { url: 'https://example.com/' }),
    };
  });
  expect(refused.unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  expect(refused.invalid).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  expect(refused.external).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  expect(JSON.stringify(refused)).not.toMatch(/\n\s+at /); // no stack trace crosses IPC
  await shot(page, 'security-window');
});

test('the CSP blocks injected inline script', async ({ run }) => {
  const { page } = await run.launch();
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __injected?: boolean };
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.head.appendChild(s);
    await new Promise((r) => setTimeout(r, 200));
    return { injected: w.__injected === true, violations };
  });
  expect(ran.injected).toBe(false);
  expect(ran.violations.some((v) => v.startsWith('script-src'))).toBe(true);
});

test('navigation to a remote page and new windows are refused', async ({ run }) => {
  const { app, page } = await run.launch();
  const appUrl = page.url();
  expect(appUrl).not.toMatch(/^https?:/);

  // A renderer-initiated navigation away from the app (what a link or an injected script would do).
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await page.waitForTimeout(1_000);
  expect(page.url()).toBe(appUrl);
  await expect(page.getByRole('navigation', { name: 'Migration steps' })).toBeVisible();

  // window.open is denied: the page gets null and no window appears.
  const opened = await page.evaluate(() => window.open('https://example.com/', '_blank') === null);
  expect(opened).toBe(true);
  await page.waitForTimeout(500);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  expect(app.windows()).toHaveLength(1);
});

test('permission requests are denied', async ({ run }) => {
  const { page } = await run.launch();
  const answers = await page.evaluate(async () => {
    const notification = await Notification.requestPermission();
    const geolocation = await new Promise<string>((resolve) =>
      navigator.geolocation.getCurrentPosition(
        () => resolve('granted'),
        (err) => resolve(err.code === err.PERMISSION_DENIED ? 'denied' : `error ${err.code}`),
        { timeout: 5_000 },
      ),
    );
    return { notification, geolocation, permissionApi: Notification.permission };
  });
  // Without the shell's handlers Electron grants both (and geolocation would then fail as unavailable, not denied).
  expect(answers).toEqual({ notification: 'denied', geolocation: 'denied', permissionApi: 'denied' });
});
