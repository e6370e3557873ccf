import type { Database } from 'better-sqlite3';
import { reviewDataDigest } from './data-digest';
import {
  FINDINGS_DATA_DIGEST,
  refreshFindings,
  roleNameFinding,
  storedFindings,
  type Finding,
  type RefreshProgress,
  userRuleCount,
} from './findings';
import { signOffState, type SignOffState } from './decisions';
import { outcomeCounts, totals, type Outcomes } from './queries';
import { loadMappingContext, mapUserIds, type HasDb, type UserOutcome } from './mapping';

// The review's summary: stored findings, totals, what will and will not migrate, and the sign-off. A full refresh
// recomputes findings and outcome counts (a pass over every user: after an export or a merge). A decision only
// changes what decisions feed: the outcome counts, the role findings and the count of decided duplicate groups.

const OUTCOMES = 'review.outcomes';

export interface ReviewSummary {
  computedAt: string | null;
  totals: Record<string, number>;
  findings: Finding[];
  outcomes: { create: number; skip: Record<string, number> } | null;
  signOff: SignOffState;
  /** True when an export or a merge changed the data after the findings were computed. */
  stale: boolean;
}

function readSetting<T>(db: Database, key: string): T | null {
  const row = db.prepare('SELECT value_json FROM settings WHERE key = ?').get(key) as
    { value_json: string } | undefined;
  return row ? (JSON.parse(row.value_json) as T) : null;
}

export function reviewSummary(ws: HasDb): ReviewSummary {
  const { findings, computedAt } = storedFindings(ws.db);
  return {
    computedAt,
    totals: totals(ws.db),
    findings,
    outcomes: readSetting(ws.db, OUTCOMES),
    signOff: signOffState(ws),
    stale: computedAt !== null && findingsStale(ws),
  };
}

/** True when an export or a merge changed the data after the stored findings were computed. */
function findingsStale(ws: HasDb): boolean {
  return readSetting<string>(ws.db, FINDINGS_DATA_DIGEST) !== reviewDataDigest(ws);
}

/**
 * The stored findings and outcome counts while they describe the data as it is (null: never computed, or an export
 * or a merge came after them). Decisions keep both up to date, or start the refresh job that does; whoever reads
 * them for a report waits for a running refresh first.
 */
export function storedReview(
  ws: HasDb,
): { findings: Finding[]; outcomes: { create: number; skip: Record<string, number> } } | null {
  const { findings, computedAt } = storedFindings(ws.db);
  const outcomes = readSetting<{ create: number; skip: Record<string, number> }>(ws.db, OUTCOMES);
  if (computedAt === null || outcomes === null || findingsStale(ws)) return null;
  return { findings, outcomes };
}

function storeOutcomes(ws: HasDb, onPage?: (usersDone: number) => void): void {
  writeOutcomes(ws, outcomeCounts(ws, onPage));
}

export function writeOutcomes(ws: HasDb, outcomes: Outcomes): void {
  ws.db
    .prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    )
    .run(OUTCOMES, JSON.stringify(outcomes), new Date().toISOString());
}

/**
 * The full pass (a minute at 1,000,000 users: run it as the review.refresh job, see refresh-job.ts). `progress`
 * counts the user rules first, then the users whose outcome was mapped.
 */
export function refreshReview(ws: HasDb, progress: RefreshProgress = {}): ReviewSummary {
  refreshFindings(ws.db, progress);
  const rules = userRuleCount;
  storeOutcomes(ws, (n) => {
    progress.check?.();
    progress.step?.(rules + n, 'Mapping users to WorkOS');
  });
  return reviewSummary(ws);
}

/** Steps refreshReview reports: one per user rule, one per user (refreshOutcomes: one per user). */
export function refreshSteps(ws: HasDb, outcomesOnly = false): number {
  const users = ws.db.prepare('SELECT count(*) FROM auth0_users').pluck().get() as number;
  return outcomesOnly ? users : userRuleCount + users;
}

/** The decision-dependent findings: role names (role mapping) and the count of decided duplicate groups. */
export function refreshDecisionFindings(db: Database): void {
  const update = db.prepare('UPDATE review_findings SET count = ?, summary_json = ? WHERE code = ?');
  db.transaction(() => {
    const role = roleNameFinding(db);
    update.run(role.count, JSON.stringify(role), role.code);
    const dup = db
      .prepare("SELECT summary_json FROM review_findings WHERE code = 'duplicate_emails'")
      .pluck()
      .get() as string | undefined;
    if (dup) {
      const f = JSON.parse(dup) as Finding;
      f.summary = {
        ...f.summary,
        decided: db.prepare('SELECT count(*) FROM review_survivors').pluck().get(),
      };
      update.run(f.count, JSON.stringify(f), f.code);
    }
  })();
}

/**
 * The users whose outcome a decision can change: a user decision its users, a survivor choice the duplicate group;
 * 'all' for a policy or a metadata mapping (any user may be concerned: a full outcome pass), 'none' for a role
 * mapping (roles shape memberships, not whether a user moves).
 */
export type DecisionScope = string[] | 'all' | 'none';

export function survivorGroup(ws: HasDb, userId: string): string[] {
  return ws.db
    .prepare(
      'SELECT user_id FROM auth0_users WHERE email_lower = (SELECT email_lower FROM auth0_users WHERE user_id = ?)',
    )
    .pluck()
    .all(userId) as string[];
}

/**
 * Runs a decision and keeps the stored outcome counts exact without a pass over every user when the decision's
 * scope is a list: the counts move by the difference between those users' outcomes before and after. Returns
 * whether a full outcome pass is still needed (scope 'all').
 */
export function decideWithOutcomes(
  ws: HasDb,
  scope: DecisionScope,
  decide: () => void,
): { fullPass: boolean } {
  const stored = readSetting<{ create: number; skip: Record<string, number> }>(ws.db, OUTCOMES);
  const ids = Array.isArray(scope) ? [...new Set(scope)] : [];
  const ctx = () => loadMappingContext(ws);
  const before = stored && ids.length ? mapUserIds(ws, ids, ctx()) : [];
  decide();
  refreshDecisionFindings(ws.db);
  if (scope === 'all') return { fullPass: true };
  if (stored && ids.length) {
    const after = mapUserIds(ws, ids, ctx());
    const move = (o: UserOutcome, by: number) => {
      if (o.kind === 'create') stored.create += by;
      else stored.skip[o.reason] = (stored.skip[o.reason] ?? 0) + by;
    };
    before.forEach((o) => move(o, -1));
    after.forEach((o) => move(o, +1));
    for (const [k, v] of Object.entries(stored.skip)) if (v === 0) delete stored.skip[k];
    writeOutcomes(ws, stored);
  }
  return { fullPass: false };
}

/** The full outcome pass alone (after a policy change; in a worker for writable workspaces). */
export function refreshOutcomes(ws: HasDb, progress: RefreshProgress = {}): void {
  storeOutcomes(ws, (n) => {
    progress.check?.();
    progress.step?.(n, 'Mapping users to WorkOS');
  });
}
