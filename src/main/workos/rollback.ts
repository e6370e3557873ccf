import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { Workspace } from '../workspace';
import { WorkosCallError, enc, type WorkosApi } from './api';
import { splitMembershipKey } from './plan';

// Rollback: deletes exactly what the journal says this workspace created in WorkOS, newest first, at WorkOS's delete
// limits (the limiter's buckets), and nothing else. Memberships and TOTP factors of users or organizations it created
// go with them; those it added to pre-existing users are deleted one by one. Environment roles cannot be deleted
// through WorkOS's API (the spec has no DELETE /authorization/roles/{slug}): they are listed as left in place, as are
// the pre-existing objects the import repaired or linked.

export interface RollbackPreview {
  toDelete: { users: number; organizations: number; memberships: number; totp: number };
  /** Deleted together with a user or organization this workspace created. */
  goneWithParent: { memberships: number; totp: number };
  notDeletable: { roles: string[] };
  /** Pre-existing objects the import changed; left as they are. */
  repairedLeftAlone: number;
}

export interface RollbackResult {
  rollbackId: string;
  deleted: { users: number; organizations: number; memberships: number; totp: number };
  alreadyGone: number;
  failed: number;
  preview: RollbackPreview;
}

interface Row {
  op_id: number;
  plan_id: string;
  kind: string;
  source_key: string;
  workos_id: string | null;
}

function createdRows(ws: Workspace): Row[] {
  return ws.db
    .prepare(
      `SELECT op_id, plan_id, kind, source_key, workos_id FROM workos_journal
       WHERE created = 1 AND status = 'done' AND workos_id IS NOT NULL AND rolled_back IS NULL ORDER BY op_id DESC`,
    )
    .all() as Row[];
}

/** Per created membership/factor: whether its user or organization is also ours (then it goes with it). */
function parentCreated(ws: Workspace): (row: Row) => boolean {
  const createdUser = ws.db
    .prepare(
      "SELECT 1 FROM workos_journal WHERE plan_id = ? AND kind = 'user.create' AND source_key = ? AND created = 1 AND status = 'done' AND rolled_back IS NULL",
    )
    .pluck();
  const createdOrg = ws.db
    .prepare(
      "SELECT 1 FROM workos_journal WHERE plan_id = ? AND kind = 'organization.create' AND source_key = ? AND created = 1 AND status = 'done' AND rolled_back IS NULL",
    )
    .pluck();
  return (row) => {
    if (row.kind === 'totp.create') return createdUser.get(row.plan_id, row.source_key) !== undefined;
    const { sourceOrgId, sourceUserId } = splitMembershipKey(row.source_key);
    return (
      createdUser.get(row.plan_id, sourceUserId) !== undefined ||
      createdOrg.get(row.plan_id, sourceOrgId) !== undefined
    );
  };
}

/**
 * Journal rows (as `j`) that changed or adopted an object this workspace did not create. An object an earlier import
 * of this workspace created and a later plan repaired is not one: the rollback deletes it (migration 009 indexes
 * the created ids for this check).
 */
const REPAIRED_PRE_EXISTING = `j.status = 'done' AND j.created = 0
  AND j.kind IN ('user.repair', 'user.link', 'organization.repair', 'membership.repair', 'membership.create', 'role.create')
  AND NOT EXISTS (SELECT 1 FROM workos_journal c WHERE c.workos_id = j.workos_id AND c.created = 1 AND c.status = 'done')`;

export function previewRollback(ws: Workspace): RollbackPreview {
  const rows = createdRows(ws);
  const withParent = parentCreated(ws);
  const p: RollbackPreview = {
    toDelete: { users: 0, organizations: 0, memberships: 0, totp: 0 },
    goneWithParent: { memberships: 0, totp: 0 },
    notDeletable: { roles: [] },
    repairedLeftAlone: ws.db
      .prepare(`SELECT count(*) FROM workos_journal j WHERE ${REPAIRED_PRE_EXISTING}`)
      .pluck()
      .get() as number,
  };
  for (const r of rows) {
    if (r.kind === 'user.create') p.toDelete.users++;
    else if (r.kind === 'organization.create') p.toDelete.organizations++;
    else if (r.kind === 'role.create') p.notDeletable.roles.push(r.source_key);
    else if (r.kind === 'membership.create') {
      if (withParent(r)) p.goneWithParent.memberships++;
      else p.toDelete.memberships++;
    } else if (r.kind === 'totp.create') {
      if (withParent(r)) p.goneWithParent.totp++;
      else p.toDelete.totp++;
    }
  }
  return p;
}

export function repairedObjects(
  ws: Workspace,
  opts: { after?: number; limit?: number } = {},
): {
  rows: { opId: number; kind: string; sourceKey: string; workosId: string | null }[];
  next: number | null;
} {
  const limit = Math.max(1, Math.min(1000, opts.limit ?? 100));
  const rows = ws.db
    .prepare(
      `SELECT op_id AS opId, kind, source_key AS sourceKey, workos_id AS workosId FROM workos_journal j
       WHERE ${REPAIRED_PRE_EXISTING} AND op_id > ? ORDER BY op_id LIMIT ?`,
    )
    .all(opts.after ?? 0, limit) as {
    opId: number;
    kind: string;
    sourceKey: string;
    workosId: string | null;
  }[];
  return { rows, next: rows.length === limit ? rows[rows.length - 1]!.opId : null };
}

export interface RollbackEnv {
  workspace: Workspace;
  api: WorkosApi;
  progress(p: { done: number; total?: number | null; message?: string }): void;
  throwIfStopped(): void;
}

export async function runRollback(env: RollbackEnv): Promise<RollbackResult> {
  const { workspace: ws, api } = env;
  ws.assertWritable();
  const preview = previewRollback(ws);
  const rollbackId = randomUUID();
  ws.db
    .prepare('INSERT INTO workos_rollbacks (rollback_id, plan_id, started_at) VALUES (?, ?, ?)')
    .run(rollbackId, '*', new Date().toISOString());
  const mark = ws.db.prepare('UPDATE workos_journal SET rolled_back = ?, updated_at = ? WHERE op_id = ?');
  const deleted = { users: 0, organizations: 0, memberships: 0, totp: 0 };
  let alreadyGone = 0;
  let failed = 0;
  const rows = createdRows(ws);
  const withParent = parentCreated(ws);
  const total = rows.length;
  let done = 0;
  const deferred: Row[] = [];

  const del = async (row: Row, path: string, counter: keyof typeof deleted) => {
    try {
      await api.request('DELETE', path);
      deleted[counter]++;
      mark.run('deleted', new Date().toISOString(), row.op_id);
    } catch (err) {
      if (err instanceof WorkosCallError && err.failure.status === 404) {
        alreadyGone++;
        mark.run('gone', new Date().toISOString(), row.op_id);
      } else {
        failed++;
      }
    }
  };

  // Newest first, in the import's phases reversed: factors and memberships, users, organizations, roles.
  const order = ['totp.create', 'membership.create', 'user.create', 'organization.create', 'role.create'];
  for (const kind of order) {
    const list = rows.filter((r) => r.kind === kind);
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        env.throwIfStopped();
        const row = list[next++]!;
        const id = row.workos_id!;
        if (kind === 'role.create') mark.run('not_deletable', new Date().toISOString(), row.op_id);
        else if ((kind === 'membership.create' || kind === 'totp.create') && withParent(row)) {
          // Deleted with its user or organization below; marked once that delete succeeded.
          deferred.push(row);
        } else if (kind === 'membership.create')
          await del(row, `/user_management/organization_memberships/${enc(id)}`, 'memberships');
        else if (kind === 'totp.create') await del(row, `/auth/factors/${enc(id)}`, 'totp');
        else if (kind === 'user.create') await del(row, `/user_management/users/${enc(id)}`, 'users');
        else await del(row, `/organizations/${enc(id)}`, 'organizations');
        if (++done % 50 === 0 || done === total)
          env.progress({ done, total, message: `Rolled back ${done} of ${total} created objects` });
      }
    };
    await Promise.all(Array.from({ length: Math.min(api.limiter.concurrency, list.length) }, worker));
  }
  const stillThere = parentCreated(ws);
  for (const row of deferred) if (!stillThere(row)) mark.run('gone', new Date().toISOString(), row.op_id);
  const result: RollbackResult = { rollbackId, deleted, alreadyGone, failed, preview };
  ws.db.transaction(() => {
    ws.db
      .prepare('UPDATE workos_rollbacks SET finished_at = ?, counts_json = ? WHERE rollback_id = ?')
      .run(new Date().toISOString(), JSON.stringify(result), rollbackId);
    ws.audit.append({ actor: 'app', action: 'workos.rollback', details: { deleted, alreadyGone, failed } });
  })();
  if (failed > 0)
    throw new AppError(
      'remote_error',
      `${failed} delete(s) failed; everything else this workspace created was deleted.`,
      'Run the rollback again: it continues with what is left.',
    );
  return result;
}

export function latestRollback(ws: Workspace): RollbackResult | null {
  const row = ws.db
    .prepare(
      'SELECT counts_json FROM workos_rollbacks WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1',
    )
    .get() as { counts_json: string } | undefined;
  return row ? (JSON.parse(row.counts_json) as RollbackResult) : null;
}
