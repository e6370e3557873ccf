// Worker-thread entry (built to out/main/migrate-thread.js): applies a workspace's pending schema migrations over a
// connection of its own, so that an upgrade that rebuilds or indexes a million rows (seconds to half a minute) leaves
// the app's main thread, and its window, free. The caller has checked the key and the list before starting it.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { AppError, type AppErrorShape } from '../../shared/errors';
import { applyMigrations, assertKnownMigrations, migrationLabel } from './migrate';
import type { MigrateThreadReply, MigrateThreadStart } from './migrate-thread-client';

if (!parentPort) throw new Error('src/main/workspace/migrate-thread.ts must run as a worker thread.');
const start = workerData as MigrateThreadStart;
let reply: MigrateThreadReply;
let db: Database.Database | undefined;
try {
  db = new Database(start.file, { fileMustExist: true, timeout: start.busyTimeoutMs });
  // As the app's own connections are set up (workspace.ts, connect): a migration runs under the same rules.
  db.pragma('foreign_keys = ON');
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  applyMigrations(db, assertKnownMigrations(db, start.migrations, start.file));
  reply = { type: 'done' };
} catch (err) {
  reply = { type: 'failed', error: describe(err) };
} finally {
  db?.close();
}
parentPort.postMessage(reply);

/** The failure as the opener reports it. Schema statements fail with messages about the schema, never about rows. */
function describe(err: unknown): AppErrorShape {
  if (err instanceof AppError) return err.toJSON();
  const why = err instanceof Error ? err.message : String(err);
  let failing = 'a schema migration';
  try {
    // Each migration commits with its ledger row, so the first one not recorded is the one that failed.
    const done = db?.prepare('SELECT count(*) FROM schema_migrations').pluck().get() as number | undefined;
    const m = done === undefined ? undefined : start.migrations[done];
    if (m) failing = `schema migration ${migrationLabel(m)}`;
  } catch {
    // the ledger cannot be read: the message names no migration
  }
  return {
    code: 'internal',
    message: `Upgrading ${start.file} failed at ${failing} (${why}); the file keeps every migration before it.`,
    hint: 'Keep the file as it is and report the migration named here to the maintainers.',
  };
}
