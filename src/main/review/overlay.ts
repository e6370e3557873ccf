import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Workspace } from '../workspace';
import { createAuditLog } from '../workspace/audit';
import type { DecisionTarget } from './decisions';

// A reviewer's copy of a redacted package is read-only for data but records decisions. The copy is already a
// scratch file of the reviewer's own (unpacked from the package), so the overlay is that same file reached
// through a second, writable connection whose temporary triggers refuse every write outside the review's
// decision tables: the Auth0 data, merges, plans and journals cannot change through it. The workspace's own
// connection stays read-only and sees the decisions as soon as they commit, so the whole review (queries,
// mapping, outcomes) needs no second code path.

/** Tables a reviewer's decisions may write; settings only under the 'review.' prefix. */
const DECISION_TABLES = new Set([
  'review_user_decisions',
  'review_survivors',
  'review_policies',
  'review_role_map',
  'review_signoffs',
  'review_findings',
  'review_user_issues',
  'audit_log',
  'settings',
]);

export const PACKAGE_ORIGIN_SETTING = 'review.packageOrigin';

export interface PackageOrigin {
  workspaceId: string;
  workspaceName: string;
  /** reviewDataDigest of the workspace when the package was saved. */
  dataDigest: string;
  /** decisionsDigest when the package was saved: what the reviewer's decisions start from. */
  decisionsDigest: string;
  savedAt: string;
}

/** The origin recorded by savePackage in a redacted package, or null for any other workspace. */
export function packageOrigin(ws: Pick<Workspace, 'db'>): PackageOrigin | null {
  const redacted = ws.db.prepare("SELECT value FROM meta WHERE key = 'redacted'").pluck().get() === 'true';
  if (!redacted) return null;
  const v = ws.db
    .prepare('SELECT value_json FROM settings WHERE key = ?')
    .pluck()
    .get(PACKAGE_ORIGIN_SETTING) as string | undefined;
  return v ? (JSON.parse(v) as PackageOrigin) : null;
}

/** A read-only redacted copy that can record a reviewer's decisions. */
export function isReviewCopy(ws: Workspace): boolean {
  return ws.readOnly && packageOrigin(ws) !== null;
}

function guard(db: Database.Database): void {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  const stmts: string[] = [];
  for (const t of tables) {
    if (t === 'settings') {
      for (const [op, row] of [
        ['INSERT', 'NEW'],
        ['UPDATE', 'NEW'],
        ['DELETE', 'OLD'],
      ] as const)
        stmts.push(
          `CREATE TEMP TRIGGER overlay_guard_${t}_${op} BEFORE ${op} ON main."${t}" WHEN ${row}.key NOT LIKE 'review.%'
           BEGIN SELECT RAISE(ABORT, 'review copy: only review settings can change'); END`,
        );
      continue;
    }
    if (DECISION_TABLES.has(t)) continue;
    for (const op of ['INSERT', 'UPDATE', 'DELETE'])
      stmts.push(
        `CREATE TEMP TRIGGER overlay_guard_${t}_${op} BEFORE ${op} ON main."${t}"
         BEGIN SELECT RAISE(ABORT, 'review copy: data is read-only'); END`,
      );
  }
  // The log may only grow: no edit or removal of an entry that came in the package.
  stmts.push(
    `CREATE TEMP TRIGGER overlay_guard_audit_UPDATE BEFORE UPDATE ON main.audit_log BEGIN SELECT RAISE(ABORT, 'review copy: the audit log only grows'); END`,
    `CREATE TEMP TRIGGER overlay_guard_audit_DELETE BEFORE DELETE ON main.audit_log BEGIN SELECT RAISE(ABORT, 'review copy: the audit log only grows'); END`,
  );
  for (const s of stmts) db.exec(s);
}

/** Opens the decision overlay of a review copy; the caller closes it. */
export function openOverlay(ws: Workspace): DecisionTarget & { close(): void } {
  if (!isReviewCopy(ws)) ws.assertWritable();
  const db = new Database(ws.file, { fileMustExist: true, timeout: 5000 });
  try {
    guard(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return {
    db,
    audit: createAuditLog(db, () => false),
    assertWritable: () => undefined,
    close: () => db.close(),
  };
}

/**
 * Runs `fn` against whatever records decisions for this workspace: the workspace itself when writable, the overlay
 * of a review copy otherwise. Anything else (a read-only workspace that is not a review copy) is refused.
 */
export function withDecisionTarget<T>(ws: Workspace, fn: (t: DecisionTarget) => T): T {
  if (!ws.readOnly) return fn(ws);
  if (!isReviewCopy(ws))
    throw new AppError(
      'workspace_read_only',
      'The workspace is open read-only, so decisions cannot be recorded in it.',
      'Decisions can be recorded in the workspace itself, or in a review copy opened from a redacted package.',
    );
  const overlay = openOverlay(ws);
  try {
    return fn(overlay);
  } finally {
    overlay.close();
  }
}
