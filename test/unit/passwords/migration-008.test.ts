import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';

// A workspace merged before 008 keeps its runs' rows, with `via` and `change` turned into codes, and its views show
// the same words as before.

describe('migration 008: merge rows store codes', () => {
  it('converts the rows of every run and keeps the views as they were', () => {
    const db = new Database(':memory:');
    applyMigrations(
      db,
      migrations.filter((m) => m.version <= 7),
    );
    const addRun = db.prepare(
      `INSERT INTO password_merge_runs (run_id, kind, file_name, file_sha256, file_bytes, encrypted, state, started_at, seq)
       VALUES (?, ?, 'f.ndjson', 'x', 1, 0, ?, '2026-01-01T00:00:00Z', ?)`,
    );
    addRun.run('now', 'passwords', 'committed', 1);
    addRun.run('half', 'passwords', 'staging', 2);
    addRun.run('mfa1', 'mfa', 'committed', 3);
    db.prepare(
      "INSERT INTO password_hash_classes (class_id, algorithm, workos_type, importable, valid) VALUES (1, 'bcrypt', 'bcrypt', 1, 1)",
    ).run();
    const addHash = db.prepare(
      'INSERT INTO password_hash_rows (run, user_id, hash_enc, class_id, blocked, via, line, change) VALUES (?, ?, ?, 1, ?, ?, ?, ?)',
    );
    addHash.run(1, 'auth0|a', Buffer.from('blob-a'), 0, 'id', 1, 'added');
    addHash.run(1, 'auth0|b', Buffer.from('blob-b'), 1, 'email', 2, 'unchanged');
    addHash.run(2, 'auth0|c', Buffer.from('blob-c'), 0, 'email', 3, 'changed');
    db.prepare(
      "INSERT INTO mfa_totp_secret_rows (run, user_id, secret_enc, via, line, change) VALUES (3, 'auth0|a', ?, 'email', 4, 'changed')",
    ).run(Buffer.from('secret-a'));
    const viewBefore = db.prepare('SELECT * FROM password_hashes ORDER BY user_id').all();
    const mfaBefore = db.prepare('SELECT * FROM mfa_totp_secrets').all();

    applyMigrations(db, migrations);

    expect(db.prepare('SELECT * FROM password_hashes ORDER BY user_id').all()).toEqual(viewBefore);
    expect(db.prepare('SELECT * FROM mfa_totp_secrets').all()).toEqual(mfaBefore);
    expect(viewBefore.map((r) => (r as { via: string }).via)).toEqual(['id', 'email']);
    expect(
      db
        .prepare(
          'SELECT run, user_id, hash_enc, blocked, via, line, change FROM password_hash_rows ORDER BY 1, 2',
        )
        .raw()
        .all(),
    ).toEqual([
      [1, 'auth0|a', Buffer.from('blob-a'), 0, 0, 1, 0],
      [1, 'auth0|b', Buffer.from('blob-b'), 1, 1, 2, 2],
      [2, 'auth0|c', Buffer.from('blob-c'), 0, 1, 3, 1],
    ]);
    expect(db.prepare('SELECT via, change FROM mfa_totp_secret_rows').raw().all()).toEqual([[1, 1]]);
    // Codes out of range are refused.
    expect(() => addHash.run(2, 'auth0|d', Buffer.from('x'), 0, 2, 5, 0)).toThrow(/CHECK/);
    expect(() => addHash.run(2, 'auth0|d', Buffer.from('x'), 0, 0, 5, 3)).toThrow(/CHECK/);
    expect(() => addHash.run(2, 'auth0|d', Buffer.from('x'), 0, 'id', 5, 0)).toThrow();
  });
});
