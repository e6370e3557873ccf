import { availableParallelism } from 'node:os';
import type { Database } from 'better-sqlite3';
import { batchInsert, type BatchInsert } from './batch-insert';
import {
  IDENTITY_COLUMNS,
  IDENTITY_ROW_VALUES,
  IDENTITY_ROWID_SPAN,
  readUsersFile,
  toRows,
  USER_COLUMNS,
  USER_ROW_VALUES,
  type UsersBatch,
  type UsersFileOptions,
} from './users-file';
import { readUsersFileOnThread, type UsersBatchSource } from './users-file-thread-client';

// Streams the users-exports file (gzip, one JSON user per line; read by users-file.ts) straight into the stage tables
// in batched transactions: the file is never held in memory, only a few chunks and batches at a time.

export interface IngestOptions {
  /** Lines already committed by an earlier attempt: read past them without writing. */
  skipLines: number;
  batchSize?: number;
  /** Called inside each batch's transaction with the number of lines committed so far (for the checkpoint). */
  onBatch(linesDone: number): void;
  /** Called between batches, outside any transaction: throw to stop. */
  beforeBatch?(): void;
  /** The file's name for messages, e.g. "the users export file". */
  what?: string;
  /** Read the file on a thread of its own (default: when the machine has two cores or more). */
  threads?: boolean;
}

export interface IngestResult {
  /** All lines of the file, including skipped ones. */
  lines: number;
  /** Lines removed because their user_id appeared on an earlier line. */
  duplicates: number;
}

/**
 * Settings for the export's own connection: in WAL mode synchronous=NORMAL still never corrupts the file or splits a
 * transaction (a power cut can only lose the last commits, which the checkpoint then redoes); a larger page cache
 * lets the merge sort a million keys per index in memory. Checkpointing every 64 MB of WAL instead of every 4 MB
 * means one fsync pair per dozen batches instead of one per batch.
 */
export function tuneForBulkWrites(db: Database): void {
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 16384');
}

const USER_INSERT = `INSERT INTO auth0_stage_users (rowid, ${USER_COLUMNS})`;
const IDENTITY_INSERT = `INSERT INTO auth0_stage_identities (rowid, ${IDENTITY_COLUMNS})`;

export function prepareUserWriters(db: Database) {
  const values = (n: number) => `VALUES (${Array(n).fill('?').join(', ')})`;
  return {
    user: db.prepare(`${USER_INSERT} ${values(USER_ROW_VALUES)}`),
    identity: db.prepare(`${IDENTITY_INSERT} ${values(IDENTITY_ROW_VALUES)}`),
  };
}

/** Stages one parsed line (line numbers must be unique within the stage); repeats are removed afterwards. */
export function stageUser(
  w: ReturnType<typeof prepareUserWriters>,
  u: Record<string, unknown>,
  rawLine: string,
  lineNo: number,
  what: string,
): void {
  const rows = toRows(u, rawLine, lineNo, what);
  w.user.run(rows.user);
  for (const id of rows.identities) w.identity.run(id);
}

/**
 * Removes staged users whose id an earlier line already staged, with their identities; the first line wins.
 * One sorted pass over the stage, run after the whole file is staged. Returns how many lines it removed.
 */
export function removeRepeatedUsers(db: Database): number {
  return db.transaction(() => {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS repeated_users (user_id TEXT PRIMARY KEY, first INTEGER NOT NULL);
      DELETE FROM temp.repeated_users;
      INSERT INTO temp.repeated_users
        SELECT user_id, min(rowid) FROM auth0_stage_users GROUP BY user_id HAVING count(*) > 1;`);
    let removed = 0;
    if (db.prepare('SELECT EXISTS (SELECT 1 FROM temp.repeated_users)').pluck().get() === 1) {
      const later = db
        .prepare(
          `SELECT s.rowid FROM auth0_stage_users s JOIN temp.repeated_users r ON r.user_id = s.user_id
           WHERE s.rowid > r.first`,
        )
        .pluck()
        .all() as number[];
      const user = db.prepare('DELETE FROM auth0_stage_users WHERE rowid = ?');
      const identities = db.prepare('DELETE FROM auth0_stage_identities WHERE rowid >= ? AND rowid < ?');
      for (const line of later) {
        user.run(line);
        identities.run(line * IDENTITY_ROWID_SPAN, (line + 1) * IDENTITY_ROWID_SPAN);
      }
      removed = later.length;
    }
    db.exec('DROP TABLE temp.repeated_users');
    return removed;
  })();
}

/**
 * Stages users ROWS_PER_STATEMENT at a time: one multi-row INSERT per group instead of one statement per row. The
 * stage tables have no key, so every row is an append at the end of its table (a key b-tree over ids in file order
 * would take a random insert per row and rewrite most of its pages at every commit).
 */
class UserStager {
  private readonly users: BatchInsert;
  private readonly identities: BatchInsert;

  constructor(db: Database) {
    this.users = batchInsert(db, USER_INSERT, USER_ROW_VALUES);
    this.identities = batchInsert(db, IDENTITY_INSERT, IDENTITY_ROW_VALUES);
  }

  /** Writes a batch's rows; call inside the batch's transaction. */
  add(batch: UsersBatch): void {
    for (let i = 0; i < batch.users.length; i += USER_ROW_VALUES) this.users.addRow(batch.users, i);
    for (let i = 0; i < batch.identities.length; i += IDENTITY_ROW_VALUES)
      this.identities.addRow(batch.identities, i);
    this.users.flush();
    this.identities.flush();
  }
}

/**
 * Gunzips and stages `source`; every batch is one transaction that also calls onBatch. A file is read on a thread of
 * its own when the machine has a core to spare for it (`threads`, default: two cores or more), else inline.
 */
export async function ingestUsers(
  db: Database,
  source: AsyncIterable<Buffer | Uint8Array>,
  opts: IngestOptions,
): Promise<IngestResult> {
  const read: UsersFileOptions = {
    skipLines: opts.skipLines,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.what ? { what: opts.what } : {}),
  };
  const batches: UsersBatchSource =
    (opts.threads ?? availableParallelism() >= 2)
      ? readUsersFileOnThread(source, read)
      : {
          [Symbol.asyncIterator]: () => readUsersFile(source, read),
          written: () => undefined,
          close: async () => undefined,
        };
  const stager = new UserStager(db);
  const writeBatch = db.transaction((batch: UsersBatch) => {
    stager.add(batch);
    opts.onBatch(batch.through);
  });
  try {
    for await (const batch of batches) {
      if (batch.end) {
        if (batch.users.length > 0) writeBatch(batch);
        return {
          lines: batch.through,
          duplicates: batch.end.maybeRepeats ? removeRepeatedUsers(db) : 0,
        };
      }
      opts.beforeBatch?.();
      writeBatch(batch);
      batches.written();
    }
    throw new Error('the users file ended without its last batch');
  } finally {
    await batches.close();
  }
}
