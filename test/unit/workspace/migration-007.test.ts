import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mergeEntity } from '../../../src/main/auth0/export/stage';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';

// A workspace exported before 007 keeps its users and identities (and an export's staged rows, rowids included, so
// that it resumes), every index it had, and a key that still refuses a second row for the same user.

const indexes = (db: Database.Database, table: string) =>
  db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY 1",
    )
    .pluck()
    .all(table) as string[];

describe('migration 007: users and identities staged without a key', () => {
  it('keeps every row, rowid and index, and makes the stage tables key-less', () => {
    const db = new Database(':memory:');
    applyMigrations(
      db,
      migrations.filter((m) => m.version <= 6),
    );
    const user = (table: string, id: string, rowid: number) =>
      db
        .prepare(
          `INSERT INTO ${table} (rowid, user_id, connection, email, email_lower, raw_json) VALUES (?, ?, 'db', ?, ?, '{}')`,
        )
        .run(rowid, id, `${id}@x.test`, `${id}@x.test`);
    const identity = (table: string, id: string) =>
      db
        .prepare(
          `INSERT INTO ${table} (user_id, provider, identity_user_id, raw_json) VALUES (?, 'auth0', ?, '{}')`,
        )
        .run(id, id);
    user('auth0_users', 'auth0|a', 5);
    user('auth0_users', 'auth0|b', 9);
    identity('auth0_identities', 'auth0|a');
    user('auth0_stage_users', 'auth0|c', 3);
    identity('auth0_stage_identities', 'auth0|c');
    const before = { users: indexes(db, 'auth0_users'), identities: indexes(db, 'auth0_identities') };

    applyMigrations(
      db,
      migrations.filter((m) => m.version <= 7),
    );

    expect(db.prepare('SELECT rowid, user_id FROM auth0_users ORDER BY rowid').all()).toEqual([
      { rowid: 5, user_id: 'auth0|a' },
      { rowid: 9, user_id: 'auth0|b' },
    ]);
    expect(db.prepare('SELECT rowid, user_id FROM auth0_stage_users').all()).toEqual([
      { rowid: 3, user_id: 'auth0|c' },
    ]);
    expect(db.prepare('SELECT count(*) FROM auth0_identities').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM auth0_stage_identities').pluck().get()).toBe(1);
    expect(indexes(db, 'auth0_users')).toEqual([...before.users, 'auth0_users_key'].sort());
    expect(indexes(db, 'auth0_identities')).toEqual([...before.identities, 'auth0_identities_key'].sort());
    for (const t of ['auth0_stage_users', 'auth0_stage_identities']) {
      expect(indexes(db, t)).toEqual([]);
      expect((db.prepare(`PRAGMA table_info(${t})`).all() as { pk: number }[]).every((c) => c.pk === 0)).toBe(
        true,
      );
    }
    expect(() => user('auth0_users', 'auth0|a', 20)).toThrow(/UNIQUE constraint failed: auth0_users.user_id/);
    expect(db.pragma('legacy_alter_table', { simple: true })).toBe(0);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    // A refresh still merges by key: c added, a and b removed (not in the stage).
    const changes = db.transaction(() => mergeEntity(db, 'users'))();
    expect(changes[0]).toEqual({ table: 'users', added: 1, removed: 2, changed: 0 });
    expect(db.prepare('SELECT user_id FROM auth0_users').pluck().all()).toEqual(['auth0|c']);
    expect(indexes(db, 'auth0_stage_users')).toEqual([]);
  });
});
