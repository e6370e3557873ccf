import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import { THREAD_RESOURCE_LIMITS, threadEntry } from '../jobs/thread-entry';

// Runs outcome-thread.ts: the outcome pass of a reviewer's copy, which has no key for a job's worker (the review
// refresh job) and so was run on the app's main thread, freezing the window for the length of the pass.

export interface OutcomeThreadStart {
  file: string;
}
export type Outcomes = { create: number; skip: Record<string, number> };
export type OutcomeThreadReply = { type: 'done'; outcomes: Outcomes } | { type: 'failed' };

/** Counts the outcomes of the workspace file `file` (as committed now) on a thread of its own. */
export function countOutcomesOnThread(file: string): Promise<Outcomes> {
  const entry = threadEntry(__dirname, 'outcome-thread');
  const start: OutcomeThreadStart = { file };
  const worker = new Worker(entry.file, {
    workerData: start,
    execArgv: entry.execArgv,
    resourceLimits: THREAD_RESOURCE_LIMITS,
  });
  const failed = () =>
    new AppError(
      'internal',
      "Counting the users' outcomes in this review copy failed.",
      'Close the copy and open the package again.',
    );
  return new Promise<Outcomes>((resolve, reject) => {
    worker.once('message', (reply: OutcomeThreadReply) =>
      reply.type === 'done' ? resolve(reply.outcomes) : reject(failed()),
    );
    worker.once('error', () => reject(failed()));
    worker.once('exit', () => reject(failed())); // after a reply this changes nothing
  });
}
