import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineJob } from '../types';

// A real job used to prove kill-and-resume: it inserts 1..to into its own table, each step in one transaction
// together with the checkpoint, so after a kill the table and the checkpoint always agree.

const params = z
  .object({
    to: z.number().int().min(0).max(10_000_000),
    rowsPerStep: z.number().int().min(1).max(10_000_000),
    delayMs: z.number().int().min(0).max(60_000),
    /** Live JavaScript data to hold while counting, to prove the heap bound (heapLimitMb). */
    holdMb: z.number().int().min(0).max(1024).optional(),
  })
  .strict();

interface Checkpoint {
  last: number;
}

export const selftestCount = defineJob<z.infer<typeof params>, Checkpoint, { inserted: number }>({
  kind: 'selftest.count',
  paramsSchema: params,
  heapLimitMb: 96,
  async run(ctx) {
    const held: number[][] = [];
    for (let mb = 0; mb < (ctx.params.holdMb ?? 0); mb++) held.push(new Array<number>(131072).fill(mb + 0.5));
    const { db } = ctx.workspace;
    const { to, rowsPerStep, delayMs } = ctx.params;
    db.exec('CREATE TABLE IF NOT EXISTS selftest_numbers(n INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO selftest_numbers(n) VALUES (?)');
    const step = db.transaction((from: number, through: number) => {
      for (let n = from; n <= through; n++) insert.run(n);
      ctx.saveCheckpoint({ last: through }, { done: through, total: to, message: `Counted to ${through}` });
    });

    const startedAt = ctx.checkpoint?.last ?? 0;
    let last = startedAt;
    ctx.progress({ done: last, total: to });
    while (last < to) {
      ctx.throwIfStopped();
      const through = Math.min(last + rowsPerStep, to);
      step(last + 1, through);
      last = through;
      if (delayMs > 0 && last < to) await sleep(delayMs, undefined, { signal: ctx.signal });
    }
    // Kept alive to the end (and checked, so the engine cannot drop it early).
    if (held.length !== (ctx.params.holdMb ?? 0)) throw new Error('The held data was lost.');
    return { inserted: last - startedAt };
  },
});
