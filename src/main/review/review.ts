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
import { outcomeCounts, totals } from './queries';
import type { HasDb } from './mapping';

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
    stale: computedAt !== null && readSetting<string>(ws.db, FINDINGS_DATA_DIGEST) !== reviewDataDigest(ws),
  };
}

function storeOutcomes(ws: HasDb, onPage?: (usersDone: number) => void): void {
  const outcomes = outcomeCounts(ws, onPage);
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

/** Steps refreshReview reports: one per user rule, one per user. */
export function refreshSteps(ws: HasDb): number {
  return userRuleCount + (ws.db.prepare('SELECT count(*) FROM auth0_users').pluck().get() as number);
}

/**
 * After a decision: recomputes what decisions feed, and nothing that depends only on the data. Works in a
 * reviewer's copy too, where the data-side findings (hashes, for one) must stay as the package brought them.
 */
export function refreshDecisionEffects(ws: HasDb): ReviewSummary {
  const db = ws.db;
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
  storeOutcomes(ws);
  return reviewSummary(ws);
}
