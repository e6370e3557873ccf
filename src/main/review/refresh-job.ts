import { z } from 'zod';
import { defineJob } from '../jobs/types';
import { refreshReview, refreshSteps } from './review';

// The review's full refresh (findings materialized per rule, then every user's outcome) as a job: at 1,000,000
// users it takes about a minute, which must not run in the app's main process. It runs in a worker thread on its
// own connection; each rule commits on its own, so the review stays readable meanwhile. Stopping mid-way leaves
// every rule either as before or recomputed; a resumed job simply starts over (no checkpoint needed).

export const REVIEW_REFRESH_JOB = 'review.refresh';

export const reviewRefreshJob = defineJob<Record<string, never>, null, { findings: number }>({
  kind: REVIEW_REFRESH_JOB,
  paramsSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  async run(ctx) {
    const ws = ctx.workspace;
    const total = refreshSteps(ws);
    ctx.progress({ done: 0, total, message: 'Computing findings' });
    const summary = refreshReview(ws, {
      check: () => ctx.throwIfStopped(),
      step: (done, message) => ctx.progress({ done, total, message }),
    });
    ctx.progress({ done: total, total, message: 'Review computed' });
    return { findings: summary.findings.length };
  },
});
