import { Worker } from 'node:worker_threads';
import { AppError, type AppErrorShape } from '../../shared/errors';
import { THREAD_RESOURCE_LIMITS, threadEntry } from '../jobs/thread-entry';
import type { Migration } from './migrations';

// Runs migrate-thread.ts. Opening a workspace applies its pending migrations; on the app's main thread an upgrade of
// a million-user workspace froze the window for its whole length (2.5 s for migration 011, 27.5 s for 007).

export interface MigrateThreadStart {
  file: string;
  migrations: readonly Migration[];
  busyTimeoutMs: number;
}
export type MigrateThreadReply = { type: 'done' } | { type: 'failed'; error: AppErrorShape };

/** Applies the pending migrations of `migrations` to the workspace file `file` on a thread of its own. */
export function applyMigrationsOnThread(
  file: string,
  migrations: readonly Migration[],
  busyTimeoutMs: number,
): Promise<void> {
  const entry = threadEntry(__dirname, 'migrate-thread');
  const start: MigrateThreadStart = { file, migrations, busyTimeoutMs };
  const worker = new Worker(entry.file, {
    workerData: start,
    execArgv: entry.execArgv,
    resourceLimits: THREAD_RESOURCE_LIMITS,
  });
  const stopped = () =>
    new AppError(
      'internal',
      `The schema upgrade of ${file} stopped before it finished; each migration is one transaction, so the file holds the last one completed.`,
      'Open the workspace again to continue the upgrade.',
    );
  return new Promise<void>((resolve, reject) => {
    worker.once('message', (reply: MigrateThreadReply) => {
      if (reply.type === 'done') resolve();
      else reject(new AppError(reply.error.code, reply.error.message, reply.error.hint));
    });
    worker.once('error', () => reject(stopped()));
    worker.once('exit', () => reject(stopped())); // after a reply this changes nothing
  });
}
