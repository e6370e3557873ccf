import { AppError, type AppErrorShape } from '../../shared/errors';
import { runThreadOnce } from '../jobs/thread-entry';
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
export async function applyMigrationsOnThread(
  file: string,
  migrations: readonly Migration[],
  busyTimeoutMs: number,
): Promise<void> {
  const stopped = () =>
    new AppError(
      'internal',
      `The schema upgrade of ${file} stopped before it finished; each migration is one transaction, so the file holds the last one completed.`,
      'Open the workspace again to continue the upgrade.',
    );
  const start: MigrateThreadStart = { file, migrations, busyTimeoutMs };
  const reply = await runThreadOnce<MigrateThreadReply>(__dirname, 'migrate-thread', start, stopped);
  if (reply.type === 'failed') throw new AppError(reply.error.code, reply.error.message, reply.error.hint);
}
