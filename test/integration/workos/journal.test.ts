import { describe, expect, it } from 'vitest';
import { journalComplete, journalCounts, writeJournal } from '../../../src/main/workos/journal';
import { apiFor, reviewedWorkspace, importDirect, planDirect } from './setup';

// The import journal is written in batches of their own transaction. A write stopped between batches leaves a
// journal that is not complete, so the import has not started; the next run continues it and ends with the same
// journal as one written without a stop.

const f = reviewedWorkspace({ users: 150, orgs: 4, seed: 'workos-journal' });

const ops = (planId: string) =>
  f.ws.db
    .prepare(
      `SELECT phase, kind, source_key, status, workos_id, error_code, error_message FROM workos_journal
       WHERE plan_id = ? ORDER BY op_id`,
    )
    .all(planId);

const started = () =>
  f.ws.db
    .prepare("SELECT count(*) FROM audit_log WHERE action = 'workos.import.started'")
    .pluck()
    .get() as number;

class Stop extends Error {}

describe('import journal', () => {
  it('continues a write stopped between batches and ends as an uninterrupted one', async () => {
    const api = apiFor(f.sb);
    const whole = await planDirect(f.ws, api, { multipleRoles: true });
    // Batches of 150: each written as two statements of 64 rows and 22 single rows (batch-insert.ts).
    const wholeOps = writeJournal(f.ws, whole.planId, { batchSize: 150 });
    expect(wholeOps).toBeGreaterThan(150);
    expect(wholeOps).toBe(ops(whole.planId).length);

    const stopped = await planDirect(f.ws, api, { multipleRoles: true });
    const startedBefore = started();
    let batches = 0;
    expect(() =>
      writeJournal(f.ws, stopped.planId, {
        batchSize: 40,
        progress: () => batches++,
        throwIfStopped: () => {
          if (batches === 3) throw new Stop('paused');
        },
      }),
    ).toThrow(Stop);
    const partial = ops(stopped.planId).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(wholeOps);
    expect(journalComplete(f.ws, stopped.planId)).toBe(false);
    expect(started()).toBe(startedBefore);

    // The import continues the journal, then runs it.
    const summary = await importDirect(f.ws, api, stopped.planId);
    expect(journalComplete(f.ws, stopped.planId)).toBe(true);
    expect(started()).toBe(startedBefore + 1);
    const after = ops(stopped.planId) as { status: string }[];
    const expected = ops(whole.planId) as { status: string }[];
    const settled = (rows: { status: string }[]) =>
      rows.map((r) => ({
        ...r,
        status: r.status === 'skipped' ? 'skipped' : 'planned',
        workos_id: undefined,
      }));
    expect(settled(after)).toEqual(settled(expected));
    expect(after.filter((r) => r.status === 'pending' || r.status === 'failed')).toEqual([]);
    expect(summary.counts.user.done).toBe(stopped.counts.user.create);
    expect(f.sb.state().users).toHaveLength(stopped.counts.user.create);
    const counts = journalCounts(f.ws, stopped.planId);
    expect(counts.membership.done).toBe(stopped.counts.membership.create);
    expect(
      f.ws.db.prepare('SELECT journal_ops FROM workos_plans WHERE plan_id = ?').pluck().get(stopped.planId),
    ).toBe(after.length);
  });
});
