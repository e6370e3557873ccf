import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';

// 012 replaces the users' four partial flag indexes (mfa, blocked, unverified, no email) with one partial index over
// the users with any of them: one scan of the users table instead of four when a first export is merged. The queries
// those indexes served must still read only the flagged users, in user_id order, from the one index.

const indexes = (db: Database.Database, table: string) =>
  db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
    )
    .pluck()
    .all(table) as string[];

const plan = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
    .map((r) => r.detail)
    .join(' / ');

const FLAGS = ['auth0_users_mfa', 'auth0_users_blocked', 'auth0_users_unverified', 'auth0_users_no_email'];

/** 2,000 users: every 7th with MFA, every 50th blocked, every 11th unverified, every 13th without an email. */
function fill(db: Database.Database): void {
  const user = db.prepare(
    `INSERT INTO auth0_users (user_id, connection, strategy, is_database, email, email_lower, email_verified,
       blocked, has_mfa, raw_json)
     VALUES (?, 'db', 'auth0', 1, ?, ?, ?, ?, ?, '{}')`,
  );
  for (let i = 0; i < 2000; i++) {
    const email = i % 13 === 0 ? null : `user${i}@example.com`;
    user.run(
      `auth0|${String(i).padStart(4, '0')}`,
      email,
      email,
      i % 11 === 0 ? 0 : 1,
      i % 50 === 0 ? 1 : 0,
      i % 7 === 0 ? 1 : 0,
    );
  }
}

const ids = (pred: (i: number) => boolean) =>
  Array.from({ length: 2000 }, (_, i) => i)
    .filter(pred)
    .map((i) => `auth0|${String(i).padStart(4, '0')}`);

describe('migration 012: one flagged-users index', () => {
  it('serves each flag query the old indexes served from the one index, with the same users in order', () => {
    const db = new Database(':memory:');
    applyMigrations(db, migrations);
    expect(indexes(db, 'auth0_users')).toContain('auth0_users_flagged');
    for (const name of FLAGS) expect(indexes(db, 'auth0_users')).not.toContain(name);
    fill(db);
    // The exact SQL of the review's findings (findings.ts) and the MFA export's paging (paged.ts).
    const cases: [string, unknown[], string[]][] = [
      ['SELECT user_id FROM auth0_users WHERE blocked = 1', [], ids((i) => i % 50 === 0)],
      ['SELECT user_id FROM auth0_users WHERE email IS NULL', [], ids((i) => i % 13 === 0)],
      [
        'SELECT user_id FROM auth0_users WHERE email IS NOT NULL AND email_verified IS NOT 1',
        [],
        ids((i) => i % 11 === 0 && i % 13 !== 0),
      ],
      [
        'SELECT user_id FROM auth0_users WHERE has_mfa = 1 AND user_id > ? ORDER BY user_id LIMIT 200',
        ['auth0|1000'],
        ids((i) => i % 7 === 0 && i > 1000).slice(0, 200),
      ],
    ];
    for (const [sql, args, expected] of cases) {
      expect(plan(db, sql, ...args)).toMatch(/USING COVERING INDEX auth0_users_flagged/);
      expect(
        db
          .prepare(sql)
          .pluck()
          .all(...args),
      ).toEqual(expected);
    }
    const mfaCount = 'SELECT count(*) FROM auth0_users WHERE has_mfa = 1';
    expect(plan(db, mfaCount)).toMatch(/USING COVERING INDEX auth0_users_flagged/);
    expect(db.prepare(mfaCount).pluck().get()).toBe(ids((i) => i % 7 === 0).length);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('drops the flag indexes an interrupted first export parked on the stage table and builds the new one live', () => {
    const db = new Database(':memory:');
    applyMigrations(
      db,
      migrations.filter((m) => m.version <= 11),
    );
    fill(db);
    // parkIndexesForMerge had moved these onto the stage table, under their own names.
    for (const name of FLAGS) {
      const { sql } = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string };
      db.exec(`DROP INDEX ${name}; ${sql.replace(/ON "?auth0_users"? /, 'ON auth0_stage_users ')}`);
    }
    expect(indexes(db, 'auth0_stage_users')).toEqual([...FLAGS].sort());

    applyMigrations(db, migrations);

    expect(indexes(db, 'auth0_stage_users')).toEqual([]);
    expect(indexes(db, 'auth0_users')).toContain('auth0_users_flagged');
    expect(
      db
        .prepare('SELECT count(*) FROM auth0_users INDEXED BY auth0_users_flagged WHERE blocked = 1')
        .pluck()
        .get(),
    ).toBe(40);
  });
});
