import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { THREAD_RESOURCE_LIMITS, threadEntry } from '../jobs/thread-entry';

// Checkpoints a bulk writer's WAL on a thread of its own. In WAL mode every page is written twice: into the log at
// commit, then into the database file by a checkpoint, which SQLite otherwise runs on the writer's own thread at
// every 64 MB of log (tuneForBulkWrites), with its reads, writes and fsyncs. Told of each commit (walCommitted), the
// thread copies the committed pages while the writer goes on, so the writer's own automatic checkpoint finds them
// copied and only rewinds the log. When the thread has caught up before the writer's next transaction begins, SQLite
// rewinds the log at once. If the thread falls behind or stops, the writer checkpoints as before.

export interface WalCheckpointerStart {
  file: string;
}
export type WalCheckpointerRequest = { type: 'committed' } | { type: 'close' };
export type WalCheckpointerReply =
  { type: 'closed'; stats: WalCheckpointStats } | { type: 'failed'; stats: WalCheckpointStats };

export interface WalCheckpointStats {
  /** Checkpoints the thread ran. */
  checkpoints: number;
  /** The longest the log was when one of them ran, in frames (pages): a short log means the thread kept up. */
  maxLogFrames: number;
}

export interface WalCheckpointer {
  /** Whether a thread is checkpointing (not for an in-memory or read-only database, or on one core). */
  readonly running: boolean;
  /** Stops the thread once it has checkpointed the commits reported so far; resolves with what it did. */
  close(): Promise<WalCheckpointStats>;
}

const NONE: WalCheckpointStats = { checkpoints: 0, maxLogFrames: 0 };
const COMMITTED: WalCheckpointerRequest = { type: 'committed' };
const threads = new WeakMap<Database, Worker>();

/**
 * Starts checkpointing `db`'s file on a thread while the caller writes through `db`; call walCommitted(db) after each
 * commit. `entryFile` is the thread's built entry (the benchmarks, run from source, measure the built app's).
 */
export function startWalCheckpointer(db: Database, opts: { entryFile?: string } = {}): WalCheckpointer {
  const usable =
    !db.memory &&
    !db.readonly &&
    availableParallelism() > 1 &&
    db.pragma('journal_mode', { simple: true }) === 'wal' &&
    !threads.has(db);
  if (!usable) return { running: false, close: async () => NONE };

  const entry = threadEntry(__dirname, 'wal-checkpoint-thread', opts.entryFile);
  const start: WalCheckpointerStart = { file: db.name };
  const worker = new Worker(entry.file, {
    workerData: start,
    execArgv: entry.execArgv,
    // It holds a connection and nothing else.
    resourceLimits: { ...THREAD_RESOURCE_LIMITS, maxOldGenerationSizeMb: 16 },
  });
  // A writer that stops without closing it (a killed job) must not be kept alive by it.
  worker.unref();
  threads.set(db, worker);
  let stats = NONE;
  // A failed thread only means the writer checkpoints for itself again (the backstop above).
  const forget = (): void => {
    if (threads.get(db) === worker) threads.delete(db);
  };
  const ended = new Promise<void>((resolve) => {
    worker.on('message', (reply: WalCheckpointerReply) => {
      stats = reply.stats;
      if (reply.type === 'failed') forget();
    });
    worker.on('error', forget);
    worker.on('exit', () => {
      forget();
      resolve();
    });
  });
  return {
    get running() {
      return threads.get(db) === worker;
    },
    async close() {
      if (threads.get(db) === worker) {
        threads.delete(db);
        worker.ref(); // the caller now waits for it
        worker.postMessage({ type: 'close' } satisfies WalCheckpointerRequest);
      }
      await ended;
      return stats;
    },
  };
}

/** Tells `db`'s checkpointing thread, if it has one, that a transaction committed. */
export function walCommitted(db: Database): void {
  threads.get(db)?.postMessage(COMMITTED);
}
