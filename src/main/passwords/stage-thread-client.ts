import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../shared/errors';
import { THREAD_RESOURCE_LIMITS, threadEntry } from '../jobs/thread-entry';
import type { StagedBatch } from './merge-model';
import type { BatchSource, SourceTimings, StageRun, WriteCost } from './staged-batches';

// Runs the reading half of a merge (staged-batches.ts) on a thread of its own: on a multi-core laptop the file is
// read, matched and encrypted there while the merge's thread writes the previous batches.

export interface StageThreadStart extends StageRun {
  workspaceFile: string;
  dataKey: Uint8Array;
  cipherThreads: number;
}

/**
 * The oldest batch not yet acknowledged was written: since the previous acknowledgement the writer worked `busyMs`,
 * of which `encryptMs` encrypting `encrypted` deferred values.
 */
export type StageThreadMessage = { type: 'written'; busyMs: number; encryptMs: number; encrypted: number };
export type StageThreadReply =
  | { type: 'batch'; batch: StagedBatch }
  | { type: 'done'; timings: SourceTimings }
  | { type: 'error'; code: ErrorCode; message: string; hint: string | undefined };

// A bound on the thread's old generation also makes V8 collect it sooner: at a million lines the process peaked at
// about 245 MB with it and 275-325 MB without (at some 15% more CPU). What the thread keeps is a few batches.
const STAGE_THREAD_OLD_GENERATION_MB = 128;

/** `dataKey` is wiped once handed over. */
export function startStageThread(
  opts: Omit<StageThreadStart, 'dataKey'> & {
    dataKey: Buffer;
    timings?: SourceTimings;
    /** The thread's built entry (bench/merge.ts, run from source, measures the built app's). */
    entryFile?: string;
  },
): BatchSource {
  const { timings, dataKey, entryFile, ...rest } = opts;
  const start: StageThreadStart = { ...rest, dataKey: new Uint8Array(dataKey) };
  const entry = threadEntry(__dirname, 'stage-thread', entryFile);
  const worker = new Worker(entry.file, {
    workerData: start,
    execArgv: entry.execArgv,
    resourceLimits: { ...THREAD_RESOURCE_LIMITS, maxOldGenerationSizeMb: STAGE_THREAD_OLD_GENERATION_MB },
  });
  start.dataKey.fill(0);
  dataKey.fill(0);

  const queue: StageThreadReply[] = [];
  let notify: (() => void) | null = null;
  let ended: Error | null = null;
  let closed = false;
  // Since the writer's last acknowledgement: the time it waited with nothing to write, and when that was.
  let starved = 0;
  let lastAck = performance.now();
  const push = (reply: StageThreadReply): void => {
    queue.push(reply);
    notify?.();
  };
  worker.on('message', push);
  worker.on('error', (err) => {
    ended ??= new AppError(
      'internal',
      (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `The thread reading the support file used up its memory budget (${STAGE_THREAD_OLD_GENERATION_MB} MB) and stopped.`
        : 'The thread reading the support file stopped unexpectedly.',
    );
    notify?.();
  });
  worker.on('exit', () => {
    if (!closed) ended ??= new AppError('internal', 'The thread reading the support file exited early.');
    notify?.();
  });

  async function* batches(): AsyncGenerator<StagedBatch> {
    for (;;) {
      const reply = queue.shift();
      if (!reply) {
        if (ended) throw ended;
        const since = performance.now();
        await new Promise<void>((resolve) => (notify = resolve));
        starved += performance.now() - since;
        notify = null;
        continue;
      }
      if (reply.type === 'batch') yield reply.batch;
      else if (reply.type === 'error') throw new AppError(reply.code, reply.message, reply.hint);
      else {
        if (timings) Object.assign(timings, reply.timings);
        return;
      }
    }
  }
  return {
    [Symbol.asyncIterator]: batches,
    written(cost?: WriteCost) {
      const now = performance.now();
      const message: StageThreadMessage = {
        type: 'written',
        busyMs: now - lastAck - starved,
        encryptMs: cost?.encryptMs ?? 0,
        encrypted: cost?.encrypted ?? 0,
      };
      lastAck = now;
      starved = 0;
      if (!closed) worker.postMessage(message);
    },
    async close() {
      closed = true;
      await worker.terminate();
    },
  };
}
