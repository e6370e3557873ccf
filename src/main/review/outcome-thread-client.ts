import { AppError } from '../../shared/errors';
import { runThreadOnce } from '../jobs/thread-entry';
import type { Outcomes } from './queries';

// Runs outcome-thread.ts: the outcome pass of a reviewer's copy, which has no key for a job's worker (the review
// refresh job) and so was run on the app's main thread, freezing the window for the length of the pass.

export interface OutcomeThreadStart {
  file: string;
}
export type OutcomeThreadReply = { type: 'done'; outcomes: Outcomes } | { type: 'failed' };

/** Counts the outcomes of the workspace file `file` (as committed now) on a thread of its own. */
export async function countOutcomesOnThread(file: string): Promise<Outcomes> {
  const failed = () =>
    new AppError(
      'internal',
      "Counting the users' outcomes in this review copy failed.",
      'Close the copy and open the package again.',
    );
  const start: OutcomeThreadStart = { file };
  const reply = await runThreadOnce<OutcomeThreadReply>(__dirname, 'outcome-thread', start, failed);
  if (reply.type === 'done') return reply.outcomes;
  throw failed();
}
