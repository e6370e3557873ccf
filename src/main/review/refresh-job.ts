import { z } from 'zod';
import { defineJob } from '../jobs/types';
import { refreshOutcomes, refreshReview, refreshSteps } from './review';

// The review's full refresh (findings materialized per rule, then every user's outcome) as a job: at 1,000,000
// users it takes about a minute, which must not run in the app's main process. It runs in a worker thread on its
// own connection; each rule commits on its own, so the review stays readable meanwhile. Stopping mid-way leaves
// every rule either as before or recomputed; a resumed job simply starts over (no checkpoint needed).
// Scope 'outcomes' is the second half alone: what a policy decision changes.

export const REVIEW_REFRESH_JOB = 'review.refresh';

const params = z.object({ scope: z.enum(['all', 'outcomes']).default('all') }).strict();
export type ReviewRefreshParams = z.input<typeof params>;

export const reviewRefreshJob = defineJob<z.infer<typeof params>, null, { scope: string }>({
  kind: REVIEW_REFRESH_JOB,
  paramsSchema: params as unknown as z.ZodType<z.infer<typeof params>>,
  async run(ctx) {
    const ws = ctx.workspace;
    const outcomesOnly = ctx.params.scope === 'outcomes';
    const total = refreshSteps(ws, outcomesOnly);
    ctx.progress({
      done: 0,
      total,
      message: outcomesOnly ? 'Mapping users to WorkOS' : 'Computing findings',
    });
    const progress = {
      check: () => ctx.throwIfStopped(),
      step: (done: number, message: string) => ctx.progress({ done, total, message }),
    };
    if (outcomesOnly) refreshOutcomes(ws, progress);
    else refreshReview(ws, progress);
    ctx.progress({ done: total, total, message: 'Review computed' });
    return { scope: ctx.params.scope };
  },
});
