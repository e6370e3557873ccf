import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer, walCommitted } from '../../../src/main/workspace/wal-checkpointer';

// The checkpointing thread against a real database file: a writer that commits a batch, then spends a while on its
// next one (as the users ingest parses), keeps a log one batch long when the thread is told of each commit; without
// it (and with SQLite's own checkpoints off, to see the thread alone) the log holds everything written.

const BATCHES = 30;
const ROWS = 500;
const ROW_BYTES = 2000; // a batch is about 1 MB of pages
const BATCH_MB = (ROWS * ROW_BYTES) / 1048576;

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-wal-'));
  db = new Database(join(dir, 'w.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the batches, each its own transaction, with a pause after each commit; returns the log's size in MB. */
async function writeBatches(tell: boolean): Promise<number> {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const batch = db.transaction((b: number) => {
    for (let i = 0; i < ROWS; i++) insert.run(`${b}:${i}:`.padEnd(ROW_BYTES, 'x'));
  });
  for (let b = 0; b < BATCHES; b++) {
    batch(b);
    if (tell) walCommitted(db);
    await sleep(40);
  }
  return statSync(join(dir, 'w.sqlite-wal')).size / 1048576;
}

describe('WAL checkpointing thread', () => {
  it("keeps a batch writer's log short, and copies every page into the file", async () => {
    const checkpointer = startWalCheckpointer(db);
    expect(checkpointer.running).toBe(true);
    const logMB = await writeBatches(true);
    const stats = await checkpointer.close();
    expect(checkpointer.running).toBe(false);

    expect(stats.checkpoints).toBeGreaterThan(0);
    // The log was rewound and reused: its file is a few batches long (those written while the thread started), not
    // thirty.
    expect(logMB).toBeLessThan(10 * BATCH_MB);
    expect((stats.maxLogFrames * 4096) / 1048576).toBeLessThan(10 * BATCH_MB);
    // Every committed row is there, and the file alone (log checkpointed away by the close) is sound.
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const reopened = new Database(join(dir, 'w.sqlite'), { readonly: true });
    expect(reopened.prepare('SELECT count(*) FROM t').pluck().get()).toBe(BATCHES * ROWS);
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    reopened.close();
  });

  it('without being told of commits it copies nothing, and the log keeps every batch', async () => {
    const checkpointer = startWalCheckpointer(db);
    const logMB = await writeBatches(false);
    const stats = await checkpointer.close();
    expect(stats.checkpoints).toBe(0);
    expect(logMB).toBeGreaterThan(BATCHES * BATCH_MB * 0.9);
  });

  it('a thread that cannot open the file stops, and the writer goes on checkpointing for itself', async () => {
    const checkpointer = startWalCheckpointer(db);
    // Moved before the thread opens it (the thread takes far longer to start): the thread finds no file.
    renameSync(join(dir, 'w.sqlite'), join(dir, 'moved.sqlite'));
    await expect.poll(() => checkpointer.running, { timeout: 10_000 }).toBe(false);
    walCommitted(db); // reaches no thread
    expect(await checkpointer.close()).toEqual({ checkpoints: 0, maxLogFrames: 0 });
    db.pragma('wal_autocheckpoint = 1');
    db.prepare('INSERT INTO t (v) VALUES (?)').run('after');
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });

  it('starts no thread for an in-memory database, and a second close is harmless', async () => {
    const memory = new Database(':memory:');
    const none = startWalCheckpointer(memory);
    expect(none.running).toBe(false);
    walCommitted(memory);
    expect(await none.close()).toEqual({ checkpoints: 0, maxLogFrames: 0 });
    memory.close();

    const checkpointer = startWalCheckpointer(db);
    // One thread per connection: a second start while one runs adds none.
    expect(startWalCheckpointer(db).running).toBe(false);
    await checkpointer.close();
    expect((await checkpointer.close()).checkpoints).toBe(0);

    // A thread started after another closed is not forgotten when the old one's exit is reported.
    const first = startWalCheckpointer(db);
    const closing = first.close();
    const second = startWalCheckpointer(db);
    expect(second.running).toBe(true);
    await closing;
    expect(second.running).toBe(true);
    walCommitted(db);
    expect((await second.close()).checkpoints).toBe(1);
  });
});
