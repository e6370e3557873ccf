import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../shared/errors';

/**
 * Where a worker thread's entry is. The built app has every entry flat in out/main (electron.vite.config.ts), and the
 * module asking may sit there or in out/main/chunks (code shared by several entries is bundled there); tests,
 * benchmarks and the CLI from source run the TypeScript next to the module that starts the thread.
 */
export function threadEntry(dir: string, name: string): { file: string; execArgv?: string[] } {
  for (const candidate of [join(dir, `${name}.js`), join(dirname(dir), `${name}.js`)])
    if (existsSync(candidate)) return { file: candidate };
  const source = join(dir, `${name}.ts`);
  if (existsSync(source)) return { file: source, execArgv: ['--import', 'tsx'] };
  throw new AppError('internal', `The app is incomplete: its ${name} thread is missing. Reinstall the app.`);
}
