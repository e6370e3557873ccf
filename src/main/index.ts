import { app, shell } from 'electron';
import { join } from 'node:path';
import { createDispatcher } from './api/dispatch';
import { createHandlers } from './api/handlers';
import { isAllowedExternalUrl } from './api/external-links';
import { fileLogger, redactor } from './log';
import { createAppServices, defaultUserDataDir, type AppServices } from './services';
import { osKeychain, APP_ID } from './secrets/keychain';
import { nativeDialogs } from './shell/dialogs';
import { registerAppScheme, serveRenderer } from './shell/app-protocol';
import { bindIpc } from './shell/ipc';
import { keepAwakeDuringJobs } from './shell/power';
import { hardenSession, lockDownApp } from './shell/security';
import { utilitySandboxLauncher } from './shell/utility-process';
import { createMainWindow, type AppWindow } from './shell/window';

// Electron entry: lifecycle, the single window, and the contract bound to IPC. Everything else lives in
// services that the CLI and the tests use without Electron.

// Test runs isolate their profile and keychain service; nothing else reads these variables.
const userDataDir = process.env.A2W_USER_DATA_DIR || defaultUserDataDir();
app.setPath('userData', userDataDir);
app.setAppUserModelId(APP_ID);
// Crash reports could hold memory with secrets in it: never upload them.
app.setPath('crashDumps', join(userDataDir, 'crash-dumps'));

// Every renderer is sandboxed, whatever a future window forgets to set.
app.enableSandbox();
registerAppScheme();

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
let appWindow: AppWindow | null = null;
let services: AppServices | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (appWindow?.window.isMinimized()) appWindow.window.restore();
    appWindow?.window.focus();
  });

  lockDownApp();
  void app.whenReady().then(() => {
    hardenSession(Boolean(devServerUrl));
    serveRenderer(join(__dirname, '../renderer'));
    const logger = fileLogger(join(userDataDir, 'logs'));
    services = createAppServices({
      userDataDir,
      keychain: osKeychain(process.env.A2W_KEYCHAIN_SERVICE || APP_ID),
      host: 'electron',
      version: app.getVersion(),
      dialogs: nativeDialogs(() => appWindow),
      openExternal: async (url) => {
        if (!isAllowedExternalUrl(url)) return false;
        await shell.openExternal(url);
        return true;
      },
      workerEntry: join(__dirname, 'worker.js'),
      sandboxEntry: join(__dirname, 'sandbox-host.js'),
      sandboxLauncher: utilitySandboxLauncher,
      logger,
    });
    bindIpc(createDispatcher(createHandlers(services), logger), services.events, () => appWindow);
    keepAwakeDuringJobs(services.events);
    appWindow = createMainWindow({ devServerUrl });
    appWindow.window.on('closed', () => (appWindow = null));
    logger.log('info', 'app.started', { version: app.getVersion() });
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!services) return;
    // Let running jobs checkpoint and the workspace close cleanly before exiting.
    event.preventDefault();
    const s = services;
    services = null;
    void s.close().finally(() => app.quit());
  });
  process.on('uncaughtException', (err) => {
    // The message may hold data; log only its class.
    console.error(redactor.redact(`uncaught ${err.constructor.name}`));
  });
}
