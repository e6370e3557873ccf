import type { Database } from 'better-sqlite3';
import { refreshFindings, storedFindings, type Finding } from './findings';
import { signOffState, type SignOffState } from './decisions';
import { outcomeCounts, totals } from './queries';
import type { HasDb } from './mapping';

// The review's summary: stored findings, totals, what will and will not migrate, and the sign-off. Refreshing
// recomputes findings and outcome counts (a full pass; run after an export, a merge or a decision).

const OUTCOMES = 'review.outcomes';

export interface ReviewSummary {
  computedAt: string | null;
  totals: Record<string, number>;
  findings: Finding[];
  outcomes: { create: number; skip: Record<string, number> } | null;
  signOff: SignOffState;
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
  };
}

export function refreshReview(ws: HasDb): ReviewSummary {
  refreshFindings(ws.db);
  const outcomes = outcomeCounts(ws);
  ws.db
    .prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    )
    .run(OUTCOMES, JSON.stringify(outcomes), new Date().toISOString());
  return reviewSummary(ws);
}
