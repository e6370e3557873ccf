import type { Workspace } from '../workspace';
import type { CallFailure } from './api';
import { PLAN_KINDS, type PlanItemDetail, type PlanKind } from './plan';

// The import journal: one row per WorkOS write, created from the plan before the first request. Phases run in order:
// roles, organizations, users, memberships, TOTP factors.

export type OpStatus = 'pending' | 'in_flight' | 'done' | 'failed' | 'skipped';

export type OpKind =
  | 'role.create'
  | 'organization.create'
  | 'organization.repair'
  | 'user.create'
  | 'user.repair'
  | 'user.link'
  | 'user.conflict'
  | 'membership.create'
  | 'membership.repair'
  | 'totp.create';

export const PHASES: { phase: number; kind: PlanKind; label: string }[] = [
  { phase: 1, kind: 'role', label: 'Roles' },
  { phase: 2, kind: 'organization', label: 'Organizations' },
  { phase: 3, kind: 'user', label: 'Users' },
  { phase: 4, kind: 'membership', label: 'Memberships' },
  { phase: 5, kind: 'totp', label: 'TOTP factors' },
];

export interface JournalRow {
  op_id: number;
  plan_id: string;
  phase: number;
  kind: OpKind;
  source_key: string;
  status: OpStatus;
  workos_id: string | null;
  created: number;
  request_id: string | null;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  updated_at: string;
  rolled_back: string | null;
}

const now = (): string => new Date().toISOString();

/** Which journal op a plan item becomes (null: nothing to write). */
function opFor(
  kind: PlanKind,
  action: string,
  detail: PlanItemDetail,
): { kind: OpKind; status: OpStatus } | null {
  switch (`${kind}:${action}`) {
    case 'role:create':
      return { kind: 'role.create', status: 'pending' };
    case 'organization:create':
      return { kind: 'organization.create', status: 'pending' };
    case 'organization:repair':
      return { kind: 'organization.repair', status: 'pending' };
    case 'user:create':
      return { kind: 'user.create', status: 'pending' };
    case 'user:repair':
      return { kind: 'user.repair', status: 'pending' };
    case 'user:conflict':
      return detail.resolution === 'link'
        ? { kind: 'user.link', status: 'pending' }
        : { kind: 'user.conflict', status: 'skipped' };
    case 'membership:create':
      return { kind: 'membership.create', status: 'pending' };
    case 'membership:repair':
      return { kind: 'membership.repair', status: 'pending' };
    case 'membership:skip':
      return { kind: 'membership.create', status: 'skipped' };
    case 'totp:create':
      return { kind: 'totp.create', status: 'pending' };
    case 'totp:skip':
      return { kind: 'totp.create', status: 'skipped' };
    default:
      return null;
  }
}

export function journalExists(ws: Workspace, planId: string): boolean {
  return ws.db.prepare('SELECT 1 FROM workos_journal WHERE plan_id = ? LIMIT 1').get(planId) !== undefined;
}

/** Writes the journal of a plan in one transaction (every op pending, or skipped for conflicts left out). */
export function createJournal(ws: Workspace, planId: string): number {
  const insert = ws.db.prepare(
    `INSERT INTO workos_journal (plan_id, phase, kind, source_key, status, workos_id, error_code, error_message, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let n = 0;
  const t = now();
  ws.db.transaction(() => {
    for (const { phase, kind } of PHASES) {
      const rows = ws.db
        .prepare(
          'SELECT source_key, action, workos_id, detail_json FROM workos_plan_items WHERE plan_id = ? AND kind = ? ORDER BY seq',
        )
        .iterate(planId, kind) as IterableIterator<{
        source_key: string;
        action: string;
        workos_id: string | null;
        detail_json: string | null;
      }>;
      const batch: unknown[][] = [];
      for (const r of rows) {
        const detail = r.detail_json ? (JSON.parse(r.detail_json) as PlanItemDetail) : {};
        const op = opFor(kind, r.action, detail);
        if (!op) continue;
        const skippedWhy =
          op.status === 'skipped' ? (detail.reason ?? 'conflict left out by the plan') : null;
        batch.push([
          planId,
          phase,
          op.kind,
          r.source_key,
          op.status,
          op.kind.endsWith('.create') ? null : r.workos_id,
          skippedWhy ? 'skipped_by_plan' : null,
          skippedWhy,
          t,
        ]);
      }
      for (const b of batch) insert.run(...b);
      n += batch.length;
    }
  })();
  return n;
}

export function journalCounts(ws: Workspace, planId: string): Record<PlanKind, Record<OpStatus, number>> {
  const out = {} as Record<PlanKind, Record<OpStatus, number>>;
  for (const k of PLAN_KINDS) out[k] = { pending: 0, in_flight: 0, done: 0, failed: 0, skipped: 0 };
  const rows = ws.db
    .prepare(
      'SELECT phase, status, count(*) AS n FROM workos_journal WHERE plan_id = ? GROUP BY phase, status',
    )
    .all(planId) as { phase: number; status: OpStatus; n: number }[];
  for (const r of rows) {
    const kind = PHASES.find((p) => p.phase === r.phase)?.kind;
    if (kind) out[kind][r.status] += r.n;
  }
  return out;
}

export function failureFields(f: CallFailure): { code: string; message: string; requestId: string | null } {
  return { code: f.code, message: f.message, requestId: f.requestId };
}

export interface FailureRow {
  opId: number;
  kind: OpKind;
  sourceKey: string;
  code: string | null;
  message: string | null;
  requestId: string | null;
  attempts: number;
  updatedAt: string;
}

export function listFailures(
  ws: Workspace,
  planId: string,
  opts: { after?: number; limit?: number } = {},
): { rows: FailureRow[]; next: number | null; total: number } {
  const limit = Math.max(1, Math.min(5000, opts.limit ?? 100));
  const rows = ws.db
    .prepare(
      `SELECT op_id, kind, source_key, error_code, error_message, request_id, attempts, updated_at FROM workos_journal
       WHERE plan_id = ? AND status = 'failed' AND op_id > ? ORDER BY op_id LIMIT ?`,
    )
    .all(planId, opts.after ?? 0, limit) as {
    op_id: number;
    kind: OpKind;
    source_key: string;
    error_code: string | null;
    error_message: string | null;
    request_id: string | null;
    attempts: number;
    updated_at: string;
  }[];
  const total = ws.db
    .prepare("SELECT count(*) FROM workos_journal WHERE plan_id = ? AND status = 'failed'")
    .pluck()
    .get(planId) as number;
  return {
    rows: rows.map((r) => ({
      opId: r.op_id,
      kind: r.kind,
      sourceKey: r.source_key,
      code: r.error_code,
      message: r.error_message,
      requestId: r.request_id,
      attempts: r.attempts,
      updatedAt: r.updated_at,
    })),
    next: rows.length === limit ? rows[rows.length - 1]!.op_id : null,
    total,
  };
}

/** Failed ops back to pending (their attempts are kept); returns how many. */
export function resetFailed(ws: Workspace, planId: string): number {
  return ws.db
    .prepare(
      "UPDATE workos_journal SET status = 'pending', updated_at = ? WHERE plan_id = ? AND status = 'failed'",
    )
    .run(now(), planId).changes;
}
