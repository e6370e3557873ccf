import type { Database } from 'better-sqlite3';
import { reviewDataDigest } from './data-digest';

// Entity totals. Counting 1,000,000 users walks a whole index (~80 ms, more on a loaded machine): too slow for
// the first page of the review's table. The refresh stores them next to the data digest it was computed from; they
// are exact as long as that digest still matches (the data changes only through exports, merges and WorkOS-CLI
// reads, each of which changes the digest), and counted again otherwise.

const TOTALS = 'review.totals';

const TABLES: [string, string][] = [
  ['users', 'auth0_users'],
  ['organizations', 'auth0_organizations'],
  ['memberships', 'auth0_memberships'],
  ['roles', 'auth0_roles'],
  ['connections', 'auth0_connections'],
  ['logic', 'auth0_custom_logic'],
];

export function countTotals(db: Database): Record<string, number> {
  return Object.fromEntries(
    TABLES.map(([k, t]) => [k, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]),
  );
}

/** Counts and stores the totals with the digest of the data they were counted from (inside the refresh). */
export function storeTotals(db: Database, at: string): void {
  db.prepare(
    'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
  ).run(TOTALS, JSON.stringify({ digest: reviewDataDigest({ db }), totals: countTotals(db) }), at);
}

/** The stored totals while the data is unchanged since they were counted; a fresh count otherwise. */
export function totals(db: Database): Record<string, number> {
  const v = db.prepare('SELECT value_json FROM settings WHERE key = ?').pluck().get(TOTALS) as
    string | undefined;
  if (v) {
    const stored = JSON.parse(v) as { digest: string; totals: Record<string, number> };
    if (stored.digest === reviewDataDigest({ db })) return stored.totals;
  }
  return countTotals(db);
}
