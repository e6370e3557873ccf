import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../../shared/errors';
import { THREAD_RESOURCE_LIMITS, threadEntry } from '../../jobs/thread-entry';
import { closeSource, type UsersBatch, type UsersFileOptions } from './users-file';

// Runs readUsersFile (users-file.ts) on a thread of its own: the export's thread hands it the downloaded bytes and
// writes the batches it sends back, so parsing a million lines overlaps with writing them.

export type UsersFileThreadMessage =
  { type: 'chunk'; bytes: Uint8Array } | { type: 'end' } | { type: 'written' };
export type UsersFileThreadReply =
  | { type: 'taken' }
  | { type: 'batch'; batch: UsersBatch }
  | { type: 'error'; code: ErrorCode; message: string; hint: string | undefined };

/** Compressed chunks handed over and not yet taken: the download is not read further ahead than this. */
const MAX_CHUNKS_AHEAD = 4;

export interface UsersBatchSource extends AsyncIterable<UsersBatch> {
  /** Tells the reading thread a batch was written, so it may read further. */
  written(): void;
  close(): Promise<void>;
}

/** Reads `source` on a new thread. An error of `source` itself (a dropped download) is thrown from the batches as is. */
export function readUsersFileOnThread(
  source: AsyncIterable<Buffer | Uint8Array>,
  opts: UsersFileOptions,
): UsersBatchSource {
  const entry = threadEntry(__dirname, 'users-file-thread');
  const worker = new Worker(entry.file, {
    workerData: opts,
    execArgv: entry.execArgv,
    // It holds a few chunks and batches and the id fingerprints (16 MB at a million users): everything else is garbage.
    resourceLimits: { ...THREAD_RESOURCE_LIMITS, maxOldGenerationSizeMb: 128 },
  });
  const queue: UsersBatch[] = [];
  let failed: Error | null = null;
  let closed = false;
  let inFlight = 0;
  const waiters = new Set<() => void>();
  const wakeAll = (): void => {
    for (const w of waiters) w();
    waiters.clear();
  };
  const until = async (ready: () => boolean): Promise<void> => {
    while (!ready()) await new Promise<void>((resolve) => waiters.add(resolve));
  };
  worker.on('message', (reply: UsersFileThreadReply) => {
    if (reply.type === 'taken') inFlight--;
    else if (reply.type === 'batch') queue.push(reply.batch);
    else failed ??= new AppError(reply.code, reply.message, reply.hint);
    wakeAll();
  });
  worker.on('error', () => {
    failed ??= new AppError('internal', 'The thread reading the users export file stopped unexpectedly.');
    wakeAll();
  });
  worker.on('exit', () => {
    if (!closed)
      failed ??= new AppError('internal', 'The thread reading the users export file exited early.');
    wakeAll();
  });

  const feeding = (async () => {
    for await (const chunk of source) {
      await until(() => inFlight < MAX_CHUNKS_AHEAD || failed !== null || closed);
      if (failed || closed) return; // leaving the loop closes the source
      inFlight++;
      // A copy of exactly the chunk's bytes, moved rather than cloned (a Buffer may be a view of a larger pool).
      const bytes = new Uint8Array(chunk);
      const message: UsersFileThreadMessage = { type: 'chunk', bytes };
      worker.postMessage(message, [bytes.buffer]);
    }
    const end: UsersFileThreadMessage = { type: 'end' };
    worker.postMessage(end);
  })().catch((err: unknown) => {
    failed ??= err instanceof Error ? err : new Error(String(err));
    wakeAll();
  });

  async function* batches(): AsyncGenerator<UsersBatch> {
    for (;;) {
      await until(() => queue.length > 0 || failed !== null);
      const batch = queue.shift();
      if (batch) {
        yield batch;
        if (batch.end) return;
      } else throw failed!;
    }
  }
  return {
    [Symbol.asyncIterator]: batches,
    written() {
      const message: UsersFileThreadMessage = { type: 'written' };
      if (!closed) worker.postMessage(message);
    },
    async close() {
      closed = true;
      wakeAll();
      closeSource(source); // also ends a feeding loop still waiting for the network
      await worker.terminate();
      await feeding;
    },
  };
}
