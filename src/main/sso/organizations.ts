import type { Workspace } from '../workspace';

// Which WorkOS organization each Auth0 organization became, from the newest import: the journal's created or
// repaired organizations (not rolled back) and the plan's organizations that already existed in WorkOS.

export interface ImportedPlanRef {
  planId: string;
  environment: string;
  host: string;
}

/** The plan the newest import ran for (the newest plan with a journal), or null before any import. */
export function importedPlan(ws: Workspace): ImportedPlanRef | null {
  const row = ws.db
    .prepare(
      `SELECT p.plan_id, p.environment, p.host FROM workos_plans p
       WHERE EXISTS (SELECT 1 FROM workos_journal j WHERE j.plan_id = p.plan_id)
       ORDER BY p.created_at DESC, p.rowid DESC LIMIT 1`,
    )
    .get() as { plan_id: string; environment: string; host: string } | undefined;
  return row ? { planId: row.plan_id, environment: row.environment, host: row.host } : null;
}

/** Auth0 org id -> WorkOS organization id, for the organizations the newest import left in WorkOS. */
export function workosOrganizationIds(ws: Workspace): Map<string, string> {
  const plan = importedPlan(ws);
  const out = new Map<string, string>();
  if (!plan) return out;
  const rows = ws.db
    .prepare(
      `SELECT source_key, workos_id FROM workos_journal
       WHERE plan_id = ? AND kind IN ('organization.create', 'organization.repair') AND status = 'done'
         AND workos_id IS NOT NULL AND rolled_back IS NULL
       UNION ALL
       SELECT source_key, workos_id FROM workos_plan_items
       WHERE plan_id = ? AND kind = 'organization' AND action = 'exists' AND workos_id IS NOT NULL`,
    )
    .all(plan.planId, plan.planId) as { source_key: string; workos_id: string }[];
  for (const r of rows) out.set(r.source_key, r.workos_id);
  return out;
}
