import { BrowserWindow, nativeTheme } from 'electron';
import { join } from 'node:path';
import { APP_INDEX_URL } from './app-protocol';
import { lockDownContents } from './security';

export interface AppWindow {
  window: BrowserWindow;
  /** True for URLs of the app's own renderer: the only frames allowed to call the API. */
  isAppUrl(url: string): boolean;
}

export function createMainWindow(opts: { devServerUrl?: string }): AppWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Auth0 to WorkOS Migration Assistant',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14161a' : '#ffffff',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click would open links through a path the window-open handler does not see.
      disableBlinkFeatures: 'Auxclick',
      devTools: Boolean(opts.devServerUrl),
    },
  });

  const isAppUrl = (url: string) => {
    if (opts.devServerUrl) return url.startsWith(opts.devServerUrl);
    return url.split('#')[0]?.split('?')[0] === APP_INDEX_URL;
  };
  lockDownContents(window.webContents, isAppUrl);
  window.once('ready-to-show', () => window.show());
  if (opts.devServerUrl) void window.loadURL(opts.devServerUrl);
  else void window.loadURL(APP_INDEX_URL);
  return { window, isAppUrl };
}
