import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdFingerprints } from '../../../src/main/id-fingerprints';
import { ingestUsers, tuneForBulkWrites } from '../../../src/main/auth0/export/ingest';
import { mergeEntity, prepareMerge } from '../../../src/main/auth0/export/stage';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';
import { startWalCheckpointer } from '../../../src/main/workspace/wal-checkpointer';

// The users ingest writes groups of rows per statement and a first export swaps the stage table in by rename;
// these check that what lands in the tables is what the row-by-row path wrote: first line of a repeated id wins
// (with its identities only), tokens dropped, raw lines kept, resume after a batch gives the same rows, and the
// live tables keep every index of the schema after the swap.

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-ingest-'));
  db = new Database(join(dir, 'w.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  applyMigrations(db, migrations);
  tuneForBulkWrites(db);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = (n: number, extra: Record<string, unknown> = {}) => ({
  user_id: `auth0|u${n}`,
  email: `User${n}@Example.test`,
  name: `User ${n}`,
  identities: [{ provider: 'auth0', connection: 'db', user_id: `u${n}`, isSocial: false }],
  ...extra,
});

/** 150 users (more than two 64-row groups) with repeats inside a group, across groups and across batches. */
function fileLines(): string[] {
  const lines = Array.from({ length: 150 }, (_, i) => JSON.stringify(user(i)));
  const social = {
    provider: 'google-oauth2',
    connection: 'google',
    user_id: 'g7',
    isSocial: true,
    access_token: 'ya29.secret',
    refresh_token: 'rt-secret',
  };
  lines[7] = JSON.stringify(user(7, { identities: [...user(7).identities, social] }));
  lines.splice(10, 0, JSON.stringify(user(3, { name: 'Repeat in group' })));
  lines.splice(100, 0, JSON.stringify(user(5, { identities: [{ provider: 'x', user_id: 'other' }] })));
  lines.push(JSON.stringify(user(149, { name: 'Repeat at end' })));
  return lines;
}

const gz = (lines: string[]) => Readable.from([gzipSync(lines.join('\n') + '\n')]);

const table = (name: string, order: string) =>
  db.prepare(`SELECT * FROM ${name} ORDER BY ${order}`).all() as Record<string, unknown>[];

describe('users ingest', () => {
  it('stages the first line of each user id with its identities, counts repeats and drops tokens', async () => {
    const lines = fileLines();
    const batches: number[] = [];
    const result = await ingestUsers(db, gz(lines), {
      skipLines: 0,
      batchSize: 40,
      onBatch: (n) => batches.push(n),
    });
    expect(result).toEqual({ lines: 153, duplicates: 3 });
    expect(batches).toEqual([40, 80, 120, 153]);

    const users = table('auth0_stage_users', 'user_id');
    expect(users).toHaveLength(150);
    const byId = new Map(users.map((u) => [u.user_id, u]));
    expect(byId.get('auth0|u3')!.name).toBe('User 3');
    expect(byId.get('auth0|u149')!.name).toBe('User 149');
    expect(byId.get('auth0|u1')!.raw_json).toBe(lines[1]);
    expect(byId.get('auth0|u1')!.email_lower).toBe('user1@example.test');
    expect(byId.get('auth0|u7')!.raw_json).not.toMatch(/secret/);

    const identities = table('auth0_stage_identities', 'user_id, provider');
    expect(identities).toHaveLength(151); // one each, two for u7; the repeat of u5 added none
    expect(identities.filter((i) => i.user_id === 'auth0|u5').map((i) => i.provider)).toEqual(['auth0']);
    const google = identities.find((i) => i.provider === 'google-oauth2')!;
    expect(google).toMatchObject({ user_id: 'auth0|u7', is_social: 1, is_primary: 0 });
    expect(JSON.parse(String(google.raw_json))).toEqual({
      provider: 'google-oauth2',
      connection: 'google',
      user_id: 'g7',
      isSocial: true,
    });
  });

  it('tells a WAL checkpointing thread of its commits, with the same rows staged', async () => {
    const lines = fileLines();
    const checkpointer = startWalCheckpointer(db);
    expect(checkpointer.running).toBe(true);
    await ingestUsers(db, gz(lines), { skipLines: 0, batchSize: 40, onBatch: () => undefined });
    const stats = await checkpointer.close();
    // Without being told of a commit the thread never checkpoints (wal-checkpointer.test.ts).
    expect(stats.checkpoints).toBeGreaterThan(0);
    expect(table('auth0_stage_users', 'user_id')).toHaveLength(150);
    expect(table('auth0_stage_identities', 'user_id, provider')).toHaveLength(151);
  });

  it('resumes after a committed batch with the same rows as one uninterrupted run', async () => {
    const lines = fileLines();
    await ingestUsers(db, gz(lines), { skipLines: 0, batchSize: 40, onBatch: () => undefined });
    const whole = [
      table('auth0_stage_users', 'user_id'),
      table('auth0_stage_identities', 'user_id, provider'),
    ];
    db.exec('DELETE FROM auth0_stage_users; DELETE FROM auth0_stage_identities');

    let stopAt = 0;
    await expect(
      ingestUsers(db, gz(lines), {
        skipLines: 0,
        batchSize: 40,
        onBatch: (n) => (stopAt = n),
        beforeBatch: () => {
          if (stopAt === 80) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await ingestUsers(db, gz(lines), {
      skipLines: 80,
      batchSize: 40,
      onBatch: () => undefined,
    });
    expect(resumed.lines).toBe(153);
    expect([
      table('auth0_stage_users', 'user_id'),
      table('auth0_stage_identities', 'user_id, provider'),
    ]).toEqual(whole);
  });

  it('names the line of a malformed record and writes nothing of its batch', async () => {
    const lines = fileLines();
    lines[70] = '{"user_id": "auth0|broken",';
    await expect(
      ingestUsers(db, gz(lines), { skipLines: 0, batchSize: 40, onBatch: () => undefined }),
    ).rejects.toThrow(/Line 71 of the users export file is not valid JSON/);
    // The 40 lines of the first batch; the repeat of u3 on line 11 would be removed once the whole file was read.
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(40);
    expect(db.prepare('SELECT max(rowid) FROM auth0_stage_users').pluck().get()).toBe(40);
  });

  it('numbers lines without the blank ones, also in the part a resumed attempt reads past', async () => {
    const lines = fileLines();
    lines.splice(20, 0, '', '  ');
    await expect(
      ingestUsers(db, gz(lines), {
        skipLines: 0,
        batchSize: 40,
        onBatch: (n) => {
          if (n === 80) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await ingestUsers(db, gz(lines), {
      skipLines: 40,
      batchSize: 40,
      onBatch: () => undefined,
    });
    expect(resumed).toEqual({ lines: 153, duplicates: 3 });
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(150);
  });

  it('fingerprints tell every repeated id, through the table growing, and no distinct one', () => {
    const seen = new IdFingerprints();
    const ids = Array.from({ length: 300_000 }, (_, i) => `auth0|${(i * 2654435761) % 4294967296}${i}`);
    expect(ids.filter((id) => seen.add(id))).toEqual([]);
    expect(ids.filter((_, i) => i % 1000 === 0).every((id) => seen.add(id))).toBe(true);
    expect(seen.add('github|1')).toBe(false);
    // has() reports without recording.
    expect(seen.has('github|2')).toBe(false);
    expect(seen.has('github|2')).toBe(false);
    expect(ids.slice(0, 1000).every((id) => seen.has(id))).toBe(true);
    expect(ids.slice(0, 1000).some((id) => seen.has(`${id}x`))).toBe(false);
  });

  it('names a line that is not UTF-8 without echoing it', async () => {
    const lines = fileLines().map((l) => Buffer.from(l));
    lines[41] = Buffer.concat([
      Buffer.from('{"user_id":"auth0|latin1","name":"Ren'),
      Buffer.from([0xe9]),
      Buffer.from('e"}'),
    ]);
    const bytes = gzipSync(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
    const err = await ingestUsers(db, Readable.from([bytes]), {
      skipLines: 0,
      batchSize: 40,
      onBatch: () => undefined,
    }).catch((e: Error) => e);
    expect(String(err)).toMatch(/Line 42 of the users export file is not valid UTF-8/);
    expect(String(err)).not.toMatch(/latin1|Ren/);
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(40);
  });

  it('takes a user of 20 MB and refuses a line over 32 MB by its number, staging nothing of its batch', async () => {
    const big = (mb: number) => ({ app_metadata: { notes: 'x'.repeat(mb * 2 ** 20) } });
    await ingestUsers(
      db,
      gz([JSON.stringify(user(0)), JSON.stringify(user(1, big(20))), JSON.stringify(user(2))]),
      {
        skipLines: 0,
        onBatch: () => undefined,
      },
    );
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(3);
    expect(
      db
        .prepare("SELECT length(raw_json) > 20 * 1048576 FROM auth0_stage_users WHERE user_id = 'auth0|u1'")
        .pluck()
        .get(),
    ).toBe(1);

    db.exec('DELETE FROM auth0_stage_users; DELETE FROM auth0_stage_identities');
    const lines = [
      JSON.stringify(user(0)),
      JSON.stringify(user(1)),
      JSON.stringify(user(2, big(33))),
      JSON.stringify(user(3)),
    ];
    const err = await ingestUsers(db, gz(lines), { skipLines: 0, onBatch: () => undefined }).catch(
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/^AppError: Line 3 of the users export file is longer than 32 MB/);
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(0);
  });

  it('keeps characters whole when the file arrives in pieces that split them', async () => {
    const names = ['Zoë Ångström', '渡辺 さくら', 'Ωμέγα 🦊'];
    const lines = names.map((name, i) => JSON.stringify(user(i, { name })));
    const bytes = gzipSync(lines.join('\n'));
    // One byte per chunk: gunzip then hands out text in pieces that end inside multi-byte characters.
    const source = Readable.from(
      (function* () {
        for (const b of bytes) yield Buffer.from([b]);
      })(),
    );
    await ingestUsers(db, source, { skipLines: 0, onBatch: () => undefined });
    expect(table('auth0_stage_users', 'user_id').map((u) => u.name)).toEqual(names);
  });
});

describe('first export merge', () => {
  const schemaOf = (name: string) =>
    db
      .prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type = 'index' ORDER BY name",
      )
      .all(name);

  it('moves the stage into the empty live tables with every live index, then merges a refresh by diff', async () => {
    const indexesBefore = [schemaOf('auth0_users'), schemaOf('auth0_identities')];
    expect(indexesBefore[0]!.length).toBeGreaterThan(2);
    await ingestUsers(db, gz(fileLines()), { skipLines: 0, onBatch: () => undefined });
    const staged = table('auth0_stage_users', 'user_id');

    const first = db.transaction(() => mergeEntity(db, 'users'))();
    expect(first).toEqual([
      { table: 'users', added: 150, removed: 0, changed: 0 },
      { table: 'identities', added: 151, removed: 0, changed: 0 },
    ]);
    expect(table('auth0_users', 'user_id')).toEqual(staged);
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(0);
    expect([schemaOf('auth0_users'), schemaOf('auth0_identities')]).toEqual(indexesBefore);
    expect(
      db
        .prepare('SELECT count(*) FROM auth0_users INDEXED BY auth0_users_connection WHERE connection = ?')
        .pluck()
        .get('db'),
    ).toBe(150);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    // A refresh: one user gone, one renamed, one new; the stage (the old live table) takes rows again.
    const lines = fileLines().filter((l) => !l.includes('"auth0|u2"'));
    lines[0] = JSON.stringify(user(0, { name: 'Renamed' }));
    lines.push(JSON.stringify(user(500)));
    await ingestUsers(db, gz(lines), { skipLines: 0, onBatch: () => undefined });
    const refresh = db.transaction(() => mergeEntity(db, 'users'))();
    expect(refresh[0]).toEqual({ table: 'users', added: 1, removed: 1, changed: 1 });
    expect(db.prepare('SELECT name FROM auth0_users WHERE user_id = ?').pluck().get('auth0|u0')).toBe(
      'Renamed',
    );
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('leaves the tables as they were when the merge transaction rolls back', async () => {
    await ingestUsers(db, gz(fileLines()), { skipLines: 0, onBatch: () => undefined });
    const indexes = schemaOf('auth0_users');
    expect(() =>
      db.transaction(() => {
        mergeEntity(db, 'users');
        throw new Error('power cut');
      })(),
    ).toThrow('power cut');
    expect(db.prepare('SELECT count(*) FROM auth0_users').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(150);
    expect(schemaOf('auth0_users')).toEqual(indexes);
  });
});

describe('re-export merge', () => {
  /**
   * The refresh: one user gone, one renamed, one with a new email address (a column indexes read), one new, one with
   * an identity fewer; the rest as before.
   */
  const refreshLines = (): string[] => {
    const lines = fileLines()
      .filter((l) => !l.includes('"auth0|u2"'))
      .map((l) => (l.includes('"g7"') ? JSON.stringify(user(7)) : l));
    lines[0] = JSON.stringify(user(0, { name: 'Renamed' }));
    lines[1] = JSON.stringify(user(1, { email: 'moved@example.test' }));
    lines.push(JSON.stringify(user(500)));
    return lines;
  };

  async function exportedTwice(target: Database.Database, prepared: boolean) {
    tuneForBulkWrites(target);
    await ingestUsers(target, gz(fileLines()), { skipLines: 0, onBatch: () => undefined });
    target.transaction(() => mergeEntity(target, 'users'))();
    await ingestUsers(target, gz(refreshLines()), { skipLines: 0, onBatch: () => undefined });
    if (prepared) prepareMerge(target, 'users');
    const prepare = target.prepare.bind(target);
    const writes: string[] = [];
    target.prepare = ((sql: string) => {
      if (/^\s*(INSERT|(DELETE FROM|UPDATE) auth0_(users|identities))/.test(sql)) writes.push(sql);
      return prepare(sql);
    }) as typeof target.prepare;
    try {
      const changes = target.transaction(() => mergeEntity(target, 'users'))();
      return { changes, writes };
    } finally {
      target.prepare = prepare;
    }
  }

  it('lists the differing rows outside the write lock, then writes only those, with the same result', async () => {
    // The same refresh merged by comparing every row under the lock, in a workspace of its own.
    const plain = new Database(join(dir, 'plain.sqlite'));
    plain.pragma('journal_mode = WAL');
    applyMigrations(plain, migrations);
    const { changes: expected } = await exportedTwice(plain, false);
    expect(expected).toEqual([
      { table: 'users', added: 1, removed: 1, changed: 3 },
      { table: 'identities', added: 1, removed: 2, changed: 0 },
    ]);

    // While the lists are made another connection can write (no write lock); they hold the differing rows only.
    const other = new Database(join(dir, 'w.sqlite'), { timeout: 0 });
    const lists: Record<string, number> = {};
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      const result = exec(sql);
      if (/CREATE TEMP TABLE merge_/.test(sql)) {
        other
          .prepare(
            "INSERT INTO settings (key, value_json, updated_at) VALUES ('probe', '1', '') ON CONFLICT DO NOTHING",
          )
          .run();
        for (const t of ['users', 'identities'])
          for (const l of ['removed', 'written']) {
            const name = `merge_${l}_${t}`;
            if (db.prepare('SELECT 1 FROM temp.sqlite_master WHERE name = ?').get(name))
              lists[name] = db.prepare(`SELECT count(*) FROM temp.${name}`).pluck().get() as number;
          }
      }
      return result;
    };
    const { changes, writes } = await exportedTwice(db, true);
    db.exec = exec;
    other.close();
    expect(changes).toEqual(expected);
    // Under the lock, each removal and write of the live tables is limited to the listed rows: a removal, an update
    // in place of the columns no index reads, and an upsert of the rest, per table.
    expect(writes).toHaveLength(6);
    expect(writes.filter((sql) => /^\s*UPDATE/.test(sql))).toHaveLength(2);
    for (const sql of writes) expect(sql).toMatch(/IN \(SELECT rid FROM temp\.merge_(removed|written)_/);
    expect(lists).toEqual({
      merge_removed_users: 1,
      merge_written_users: 4,
      merge_removed_identities: 2,
      merge_written_identities: 1,
    });
    for (const [t, order] of [
      ['auth0_users', 'user_id'],
      ['auth0_identities', 'user_id, provider, identity_user_id'],
    ] as const) {
      const rows = (d: Database.Database) => d.prepare(`SELECT * FROM ${t} ORDER BY ${order}`).all();
      expect(rows(db)).toEqual(rows(plain));
    }
    // The lists and the stage's key are gone with the merge; the stage is empty for the next export.
    expect(
      db.prepare("SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'merge_%'").pluck().get(),
    ).toBe(0);
    expect(
      db
        .prepare("SELECT count(*) FROM sqlite_master WHERE name = 'auth0_stage_users_merge_key'")
        .pluck()
        .get(),
    ).toBe(0);
    expect(db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get()).toBe(0);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    plain.close();
  });
});

describe('tuneForBulkWrites', () => {
  it('checkpoints every 64 MB of log whatever the page size', () => {
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(16384);
    const wide = new Database(join(dir, 'wide.sqlite'));
    try {
      wide.pragma('page_size = 16384');
      wide.pragma('journal_mode = WAL');
      tuneForBulkWrites(wide);
      expect(wide.pragma('page_size', { simple: true })).toBe(16384);
      expect(wide.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);
    } finally {
      wide.close();
    }
  });
});
