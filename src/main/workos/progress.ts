import type { Workspace } from '../workspace';
import { journalComplete } from './journal';
import { latestPlan, planBlockers, type PlanRecord } from './plan';
import { latestVerification } from './verify';

// Which of the Plan, Import and Verify steps are done, from the workspace alone (for the wizard).
//
// A rollback that changed WorkOS after the latest plan was made undoes that plan's import (or the state it diffed
// against): Import and Verify are not done again, and the plan is stale (its journal is settled, so importing it
// again would do nothing): the next step is a new plan.
export function workosStepsDone(ws: Workspace): { plan: boolean; import: boolean; verify: boolean } {
  const plan = latestPlan(ws);
  if (!plan || rolledBackSince(ws, plan)) return { plan: false, import: false, verify: false };
  const started = journalComplete(ws, plan.planId);
  const planned = started || planBlockers(ws, plan).length === 0;
  const open = ws.db
    .prepare(
      "SELECT count(*) FROM workos_journal WHERE plan_id = ? AND status IN ('pending', 'in_flight', 'failed')",
    )
    .pluck()
    .get(plan.planId) as number;
  const imported = started && open === 0;
  const v = latestVerification(ws);
  return {
    plan: planned,
    import: imported,
    verify: imported && v !== null && v.planId === plan.planId && v.ok,
  };
}

/**
 * Whether a rollback started after the plan was made and may have changed WorkOS: one still running or stopped
 * part-way (no counts), or one that deleted something or found it gone. A rollback with nothing to delete does not
 * count.
 */
export function rolledBackSince(ws: Workspace, plan: PlanRecord): boolean {
  const rows = ws.db
    .prepare('SELECT counts_json FROM workos_rollbacks WHERE started_at > ?')
    .pluck()
    .all(plan.createdAt) as (string | null)[];
  return rows.some((json) => {
    if (json === null) return true;
    const r = JSON.parse(json) as { deleted?: Record<string, number>; alreadyGone?: number };
    const deleted = Object.values(r.deleted ?? {}).reduce((n, c) => n + c, 0);
    return deleted + (r.alreadyGone ?? 0) > 0;
  });
}
