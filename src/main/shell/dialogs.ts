import { dialog } from 'electron';
import type { Dialogs, FilePurpose } from '../services';

const filters: Record<FilePurpose, Electron.FileFilter[]> = {
  workspace: [{ name: 'Migration workspace', extensions: ['sqlite'] }],
  'support-file': [
    {
      name: 'Auth0 support file (PGP or NDJSON)',
      extensions: ['pgp', 'gpg', 'asc', 'ndjson', 'json', 'jsonl'],
    },
    { name: 'All files', extensions: ['*'] },
  ],
  'pgp-key': [
    { name: 'PGP private key', extensions: ['asc', 'key', 'gpg', 'pgp'] },
    { name: 'All files', extensions: ['*'] },
  ],
};
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
    async chooseFile(purpose) {
      const w = parent();
      const opts = { properties: ['openFile'] as 'openFile'[], filters: filters[purpose] };
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async chooseSaveFile(defaultName) {
      const w = parent();
      const ext = defaultName.slice(defaultName.lastIndexOf('.') + 1);
      const opts = {
        defaultPath: defaultName,
        filters: [{ name: ext === 'md' ? 'Markdown' : 'JSON', extensions: [ext] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'] as (
          'createDirectory' | 'showOverwriteConfirmation'
        )[],
      };
      const r = w ? await dialog.showSaveDialog(w, opts) : await dialog.showSaveDialog(opts);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  };
}
