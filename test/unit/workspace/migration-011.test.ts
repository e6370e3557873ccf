import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';
import { USERS_BY_EMAIL_SQL } from '../../../src/main/passwords/staged-batches';

// 011 replaces the users' two email indexes with one full (email_lower, user_id) index and drops the identities'
// unused connection index: two fewer sorts of the whole table when a first export is merged.

const indexes = (db: Database.Database, table: string) =>
  db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
    )
    .all(table) as { name: string; sql: string }[];

const plan = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
    .map((r) => r.detail)
    .join(' / ');

function fill(db: Database.Database): void {
  const user = db.prepare(
    `INSERT INTO auth0_users (user_id, connection, strategy, is_database, email, email_lower, raw_json)
     VALUES (?, ?, 'auth0', 1, ?, ?, '{}')`,
  );
  for (let i = 0; i < 300; i++) {
    const email = i % 10 === 0 ? null : `User${i % 150}@Example.com`;
    user.run(`auth0|${i}`, i % 2 ? 'db-a' : 'db-b', email, email?.toLowerCase() ?? null);
  }
}

describe('migration 011: fewer user indexes', () => {
  it('leaves one full email index on users and only the key on identities', () => {
    const db = new Database(':memory:');
    applyMigrations(db, migrations);
    const users = indexes(db, 'auth0_users');
    expect(users.map((i) => i.name)).not.toContain('auth0_users_email_connection');
    expect(users.find((i) => i.name === 'auth0_users_email_lower')?.sql).toMatch(
      /ON auth0_users \(email_lower, user_id\)$/,
    );
    expect(indexes(db, 'auth0_identities').map((i) => i.name)).toEqual(['auth0_identities_key']);
  });

  it('moves an email index an interrupted first export parked on the stage table back to the live table', () => {
    const db = new Database(':memory:');
    applyMigrations(
      db,
      migrations.filter((m) => m.version <= 10),
    );
    // parkIndexesForMerge had moved these two onto the filled stage table, under their own names.
    for (const name of ['auth0_users_email_lower', 'auth0_users_email_connection']) {
      const { sql } = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string };
      db.exec(`DROP INDEX ${name}; ${sql.replace(/ON "?auth0_users"? /, 'ON auth0_stage_users ')}`);
    }
    expect(indexes(db, 'auth0_stage_users').map((i) => i.name)).toEqual([
      'auth0_users_email_connection',
      'auth0_users_email_lower',
    ]);

    applyMigrations(db, migrations);

    expect(indexes(db, 'auth0_stage_users')).toEqual([]);
    expect(indexes(db, 'auth0_users').map((i) => i.name)).toContain('auth0_users_email_lower');
  });

  it('serves an email-and-connection lookup and the email order from the email index', () => {
    const db = new Database(':memory:');
    applyMigrations(db, migrations);
    fill(db);
    expect(plan(db, USERS_BY_EMAIL_SQL, 'user3@example.com', 'db-a')).toMatch(
      /USING INDEX auth0_users_email_lower \(email_lower=\?\)/,
    );
    expect(db.prepare(USERS_BY_EMAIL_SQL).pluck().all('user3@example.com', 'db-a')).toEqual([
      'auth0|153',
      'auth0|3',
    ]);
    // The review's user list sorted by email, NULL addresses included: walked in order, nothing sorted.
    const byEmail = 'SELECT user_id FROM auth0_users ORDER BY email_lower DESC, user_id DESC LIMIT 5';
    expect(plan(db, byEmail)).toBe('SCAN auth0_users USING COVERING INDEX auth0_users_email_lower');
  });
});
