import type { Workspace } from '../workspace';
import { journalExists } from './journal';
import { latestPlan, planBlockers } from './plan';
import { latestVerification } from './verify';

// Which of the Plan, Import and Verify steps are done, from the workspace alone (for the wizard).
export function workosStepsDone(ws: Workspace): { plan: boolean; import: boolean; verify: boolean } {
  const plan = latestPlan(ws);
  if (!plan) return { plan: false, import: false, verify: false };
  const started = journalExists(ws, plan.planId);
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
