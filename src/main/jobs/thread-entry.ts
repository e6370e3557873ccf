import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';

/**
 * Where a worker thread's entry is. The built app has every entry flat in out/main (electron.vite.config.ts), and the
 * module asking may sit there or in out/main/chunks (code shared by several entries is bundled there); tests,
 * benchmarks and the CLI from source run the TypeScript next to the module that starts the thread. `builtFile`, when
 * given, is used as it is: a benchmark run from source measuring the built app's thread.
 */
export function threadEntry(
  dir: string,
  name: string,
  builtFile?: string,
): { file: string; execArgv: string[] } {
  if (builtFile) return { file: builtFile, execArgv: threadExecArgv(builtFile) };
  for (const candidate of [join(dir, `${name}.js`), join(dirname(dir), `${name}.js`)])
    if (existsSync(candidate)) return { file: candidate, execArgv: threadExecArgv(candidate) };
  const source = join(dir, `${name}.ts`);
  if (existsSync(source)) return { file: source, execArgv: threadExecArgv(source) };
  throw new AppError('internal', `The app is incomplete: its ${name} thread is missing. Reinstall the app.`);
}

/**
 * V8's young generation, bounded for every thread the app starts. Left to itself, V8 grew it to hundreds of MB under a
 * merge's allocation rate (a million parsed lines), which was most of the merge's peak memory; 48 MB (16 MB
 * semi-spaces) kept the peak near 160 MB and was also faster. bench/merge.ts gives its process the same bound.
 */
export const THREAD_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 48 } as const;

/**
 * A thread's Node flags: the TypeScript loader for a source entry, and the profilers' flags of its process (so that
 * `--cpu-prof` profiles the threads too). Left to inherit all of its process's flags, a built thread started from a
 * process run through tsx (a benchmark, a test) loaded tsx too: 0.2 s and some 35 MB before its first line.
 */
export function threadExecArgv(entry: string): string[] {
  const profilers = process.execArgv.filter((arg) => /^--(cpu|heap)-prof/.test(arg));
  return entry.endsWith('.ts') ? [...profilers, '--import', 'tsx'] : profilers;
}

/**
 * Runs a one-shot thread, whose entry posts one reply and ends, and resolves with that reply. A thread that fails or
 * ends without replying rejects with `stopped()`: its own error could quote the data it was reading.
 */
export function runThreadOnce<Reply>(
  dir: string,
  name: string,
  workerData: unknown,
  stopped: () => Error,
): Promise<Reply> {
  const entry = threadEntry(dir, name);
  const worker = new Worker(entry.file, {
    workerData,
    execArgv: entry.execArgv,
    resourceLimits: THREAD_RESOURCE_LIMITS,
  });
  return new Promise<Reply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', () => reject(stopped()));
    worker.once('exit', () => reject(stopped())); // after a reply this changes nothing
  });
}
