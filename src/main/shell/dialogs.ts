import { dialog } from 'electron';
import type { Dialogs } from '../services';
import type { AppWindow } from './window';

export function nativeDialogs(getWindow: () => AppWindow | null): Dialogs {
  const parent = () => getWindow()?.window;
  return {
    async chooseFolder() {
      const w = parent();
      const opts = {
        properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
      };
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async chooseFile() {
      const w = parent();
      const opts = {
        properties: ['openFile'] as 'openFile'[],
        filters: [{ name: 'Migration workspace', extensions: ['sqlite'] }],
      };
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  };
}
