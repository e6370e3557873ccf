import { batchInsert } from '../workspace/batch-insert';
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

/** Whether the plan's journal is complete, i.e. its import has started (a journal written part-way is not). */
export function journalComplete(ws: Workspace, planId: string): boolean {
  return (
    ws.db.prepare('SELECT 1 FROM workos_plans WHERE plan_id = ? AND journal_ops IS NOT NULL').get(planId) !==
    undefined
  );
}

/**
 * Plan items per journal transaction. Each holds the write lock for about 0.2 s; smaller batches cost more in
 * commits (measured at 100,000 users: 3.0 s in batches of 2,000, 2.0 s in batches of 20,000, 1.9 s in one).
 */
const JOURNAL_BATCH = 20000;

export interface JournalWriting {
  /** Called after each batch with the number of ops written so far (this call's and any earlier one's). */
  progress?: (written: number) => void;
  /** Called between batches; throws to pause or cancel. */
  throwIfStopped?: () => void;
  /** Runs inside the transaction that completes the journal (the audit entry that the import started). */
  onComplete?: (ops: number) => void;
  /** Plan items read per batch (tests use small ones). */
  batchSize?: number;
}

/**
 * Writes the plan's journal: every op pending, or skipped for conflicts left out. A million-user plan makes about
 * 2.5 million ops, so they are written in batches, each in its own transaction, and the last one marks the plan's
 * journal complete. A write that was interrupted is continued: the ops come out in the same order every time (plan
 * order, which is phase order), so the rows already there are exactly the first ones.
 */
export function writeJournal(ws: Workspace, planId: string, opts: JournalWriting = {}): number {
  const db = ws.db;
  const batchSize = opts.batchSize ?? JOURNAL_BATCH;
  const page = db.prepare(
    `SELECT seq, kind, source_key, action, workos_id, detail_json FROM workos_plan_items
     WHERE plan_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  // Rows by groups of ROWS_PER_STATEMENT per statement (batch-insert.ts).
  const insert = batchInsert(
    db,
    'INSERT INTO workos_journal (plan_id, phase, kind, source_key, status, workos_id, error_code, error_message, updated_at)',
    9,
  );
  const phaseOf = new Map(PHASES.map((p) => [p.kind, p.phase]));
  const written = db
    .prepare('SELECT count(*) FROM workos_journal WHERE plan_id = ?')
    .pluck()
    .get(planId) as number;
  let skip = written;
  let ops = written;
  let lastPhase = 0;
  let afterSeq = 0;
  const insertBatch = db.transaction((batch: unknown[][], complete: boolean) => {
    for (const b of batch) insert.add(...b);
    insert.flush();
    if (complete) {
      db.prepare('UPDATE workos_plans SET journal_ops = ? WHERE plan_id = ?').run(ops, planId);
      opts.onComplete?.(ops);
    }
  });
  for (;;) {
    opts.throwIfStopped?.();
    const rows = page.all(planId, afterSeq, batchSize) as {
      seq: number;
      kind: PlanKind;
      source_key: string;
      action: string;
      workos_id: string | null;
      detail_json: string | null;
    }[];
    const batch: unknown[][] = [];
    const t = now();
    for (const r of rows) {
      const phase = phaseOf.get(r.kind)!;
      // The rollback undoes ops in reverse op_id order (memberships before their users): phases must not interleave.
      if (phase < lastPhase)
        throw new Error(`plan ${planId} lists a ${r.kind} after a later phase (seq ${r.seq})`);
      lastPhase = phase;
      const detail = r.detail_json ? (JSON.parse(r.detail_json) as PlanItemDetail) : {};
      const op = opFor(r.kind, r.action, detail);
      if (!op) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      const skippedWhy = op.status === 'skipped' ? (detail.reason ?? 'conflict left out by the plan') : null;
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
    ops += batch.length;
    const complete = rows.length < batchSize;
    if (batch.length || complete) insertBatch(batch, complete);
    if (complete) return ops;
    afterSeq = rows[rows.length - 1]!.seq;
    opts.progress?.(ops);
  }
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
