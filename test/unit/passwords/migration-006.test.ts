import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createFieldCipher } from '../../../src/main/workspace';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';

// A workspace merged before 006 keeps its committed hashes and TOTP secrets, readable through the same names with
// the same ciphertexts; a run still staging is dropped so that its job starts the file over.

describe('migration 006: merge runs keep their rows', () => {
  it('moves the committed values into the run rows and serves them through the views', () => {
    const db = new Database(':memory:');
    applyMigrations(
      db,
      migrations.filter((m) => m.version <= 5),
    );
    const cipher = createFieldCipher(randomBytes(32));
    const ref = (id: string) => ({ table: 'password_hashes', column: 'hash_enc', id });
    const addRun = db.prepare(
      `INSERT INTO password_merge_runs (run_id, kind, file_name, file_sha256, file_bytes, encrypted, state, started_at)
       VALUES (?, ?, 'f.ndjson', 'x', 1, 0, ?, '2026-01-01T00:00:00Z')`,
    );
    addRun.run('old', 'passwords', 'superseded');
    addRun.run('now', 'passwords', 'committed');
    addRun.run('mfa1', 'mfa', 'committed');
    addRun.run('half', 'passwords', 'staging');
    db.prepare(
      "INSERT INTO password_merge_lines (run_id, line, outcome) VALUES ('half', 3, 'no_such_user')",
    ).run();
    const hashes: [string, string, string, string | null, string][] = [
      ['auth0|a', '$2b$10$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bcrypt', 'bcrypt', 'now'],
      ['auth0|b', '5f4dcc3b5aa765d61d8327deb882cf99', 'md5', null, 'old'],
    ];
    for (const [id, hash, algorithm, type, run] of hashes) {
      db.prepare(
        `INSERT INTO password_hashes (user_id, hash_enc, algorithm, workos_type, importable, valid, cost, reason, blocked,
           via, run_id, line, updated_at) VALUES (?, ?, ?, ?, ?, 1, NULL, ?, 0, 'id', ?, 1, '2026-01-01T00:00:00Z')`,
      ).run(id, cipher.encrypt(ref(id), hash), algorithm, type, type ? 1 : 0, type ? null : 'unsalted', run);
    }
    db.prepare(
      `INSERT INTO password_hashes_stage (user_id, hash_enc, algorithm, importable, valid, blocked, via, line, change)
       VALUES ('auth0|c', x'00', 'bcrypt', 1, 1, 0, 'id', 2, 'added')`,
    ).run();
    const secret = cipher.encrypt(
      { table: 'mfa_totp_secrets', column: 'secret_enc', id: 'auth0|a' },
      'JBSWY3DPEHPK3PXP',
    );
    db.prepare(
      `INSERT INTO mfa_totp_secrets (user_id, secret_enc, via, run_id, line, updated_at)
       VALUES ('auth0|a', ?, 'id', 'mfa1', 1, '2026-01-01T00:00:00Z')`,
    ).run(secret);

    applyMigrations(db, migrations);

    const rows = db
      .prepare(
        'SELECT user_id, hash_enc, algorithm, workos_type, importable, reason, run_id FROM password_hashes ORDER BY 1',
      )
      .all() as {
      user_id: string;
      hash_enc: Buffer;
      algorithm: string;
      workos_type: string | null;
      importable: number;
      reason: string | null;
      run_id: string;
    }[];
    expect(
      rows.map((r) => [r.user_id, r.algorithm, r.workos_type, r.importable, r.reason, r.run_id]),
    ).toEqual([
      ['auth0|a', 'bcrypt', 'bcrypt', 1, null, 'now'],
      ['auth0|b', 'md5', null, 0, 'unsalted', 'now'],
    ]);
    rows.forEach((r, i) => expect(cipher.decrypt(ref(r.user_id), r.hash_enc).toString()).toBe(hashes[i]![1]));
    const mfa = db.prepare('SELECT user_id, secret_enc FROM mfa_totp_secrets').all() as {
      user_id: string;
      secret_enc: Buffer;
    }[];
    expect(mfa).toHaveLength(1);
    expect(
      cipher
        .decrypt({ table: 'mfa_totp_secrets', column: 'secret_enc', id: 'auth0|a' }, mfa[0]!.secret_enc)
        .toString(),
    ).toBe('JBSWY3DPEHPK3PXP');
    // The staging run is gone with its lines; the others kept their states and got run numbers.
    expect(db.prepare('SELECT run_id, state FROM password_merge_runs ORDER BY seq').raw().all()).toEqual([
      ['old', 'superseded'],
      ['now', 'committed'],
      ['mfa1', 'committed'],
    ]);
    expect(db.prepare('SELECT count(*) FROM password_merge_lines').pluck().get()).toBe(0);
    // A second committed run of a kind is refused: the views rely on there being one.
    expect(() =>
      db.prepare("UPDATE password_merge_runs SET state = 'committed' WHERE run_id = 'old'").run(),
    ).toThrow(/UNIQUE/);
  });
});
