import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mergeEntity, parkIndexesForMerge, restoreParkedIndexes } from '../../../src/main/auth0/export/stage';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';

// A first export builds the live tables' indexes on the filled stage tables one transaction at a time, so that the
// merge's own transaction only renames tables. An index is never lost: interrupted half-way, the parked ones go
// back to the live table, and the merge ends with exactly the indexes the schema defines.

type IndexRow = { name: string; tbl_name: string; sql: string };

const indexes = (db: Database.Database, tables: string[]) =>
  (
    db
      .prepare(
        `SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN (${tables.map(() => '?').join(', ')}) ORDER BY name`,
      )
      .all(...tables) as IndexRow[]
  ).map((i) => ({ ...i, sql: i.sql.replaceAll('"', '') }));

const TABLES = ['auth0_users', 'auth0_stage_users', 'auth0_identities', 'auth0_stage_identities'];

function stagedWorkspace(): Database.Database {
  const db = new Database(':memory:');
  applyMigrations(db, migrations);
  const user = db.prepare(
    `INSERT INTO auth0_stage_users (user_id, connection, email, email_lower, blocked, raw_json)
     VALUES (?, 'db', ?, ?, ?, '{}')`,
  );
  const identity = db.prepare(
    `INSERT INTO auth0_stage_identities (user_id, provider, identity_user_id, raw_json) VALUES (?, 'auth0', ?, '{}')`,
  );
  for (let i = 0; i < 50; i++) {
    const id = `auth0|u${i}`;
    user.run(id, `u${i}@x.test`, `u${i}@x.test`, i % 7 === 0 ? 1 : 0);
    identity.run(id, `u${i}`);
  }
  return db;
}

describe('indexes parked on the stage for a first export', () => {
  it('are built on the stage one by one, and the merge only renames', () => {
    const db = stagedWorkspace();
    const schema = indexes(db, TABLES);
    expect(schema.length).toBeGreaterThan(5);
    expect(new Set(schema.map((i) => i.tbl_name))).toEqual(new Set(['auth0_users', 'auth0_identities']));

    const creates: string[] = [];
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      if (/^\s*CREATE/i.test(sql)) creates.push(sql);
      return exec(sql);
    };
    parkIndexesForMerge(db, 'users');
    const parked = indexes(db, TABLES);
    expect(parked.map((i) => i.tbl_name)).toEqual(
      schema.map((i) => i.tbl_name.replace('auth0_', 'auth0_stage_')),
    );
    expect(creates).toHaveLength(schema.length);

    creates.length = 0;
    const changes = db.transaction(() => mergeEntity(db, 'users'))();
    expect(creates).toEqual([]);
    expect(changes).toEqual([
      { table: 'users', added: 50, removed: 0, changed: 0 },
      { table: 'identities', added: 50, removed: 0, changed: 0 },
    ]);
    expect(indexes(db, TABLES)).toEqual(schema);
    expect(db.prepare('SELECT count(*) FROM auth0_users WHERE blocked = 1').pluck().get()).toBe(8);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('interrupted half-way, go back to the live tables and the merge still ends with every index', () => {
    const db = stagedWorkspace();
    const schema = indexes(db, TABLES);
    const exec = db.exec.bind(db);
    let built = 0;
    db.exec = (sql: string) => {
      if (/^\s*CREATE/i.test(sql) && ++built === 4) throw new Error('killed');
      return exec(sql);
    };
    expect(() => parkIndexesForMerge(db, 'users')).toThrow('killed');
    db.exec = exec;
    const between = indexes(db, TABLES);
    expect(between.map((i) => i.name)).toEqual(schema.map((i) => i.name));
    expect(between.filter((i) => i.tbl_name === 'auth0_stage_users')).toHaveLength(3);

    // The next attempt restages: the parked indexes go back first, so the stage takes a repeated user again (staging
    // removes repeats only at its end), which the users key parked on it refused.
    const repeat = () =>
      db
        .prepare(
          "INSERT INTO auth0_stage_users (user_id, connection, email, email_lower, raw_json) VALUES ('auth0|u1', 'db', NULL, NULL, '{}')",
        )
        .run();
    expect(repeat).toThrow(/UNIQUE constraint failed: auth0_stage_users.user_id/);
    restoreParkedIndexes(db, 'users');
    expect(indexes(db, TABLES)).toEqual(schema);
    expect(repeat).not.toThrow();
    db.prepare(
      'DELETE FROM auth0_stage_users WHERE rowid = (SELECT max(rowid) FROM auth0_stage_users)',
    ).run();

    parkIndexesForMerge(db, 'users');
    db.transaction(() => mergeEntity(db, 'users'))();
    expect(indexes(db, TABLES)).toEqual(schema);
    expect(db.prepare('SELECT count(*) FROM auth0_users').pluck().get()).toBe(50);
    expect(() =>
      db
        .prepare(
          "INSERT INTO auth0_users (user_id, connection, email, email_lower, raw_json) VALUES ('auth0|u1', 'db', NULL, NULL, '{}')",
        )
        .run(),
    ).toThrow(/UNIQUE constraint failed: auth0_users.user_id/);
  });
});
