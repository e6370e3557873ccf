import { BrowserWindow, nativeTheme } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
      devTools: Boolean(opts.devServerUrl),
    },
  });

  const indexFile = join(__dirname, '../renderer/index.html');
  const indexUrl = pathToFileURL(indexFile).href;
  const isAppUrl = (url: string) => {
    if (opts.devServerUrl) return url.startsWith(opts.devServerUrl);
    return url.split('#')[0]?.split('?')[0] === indexUrl;
  };
  lockDownContents(window.webContents, isAppUrl);
  window.once('ready-to-show', () => window.show());
  if (opts.devServerUrl) void window.loadURL(opts.devServerUrl);
  else void window.loadFile(indexFile);
  return { window, isAppUrl };
}
