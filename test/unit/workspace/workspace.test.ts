import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accounts, memoryKeychain, type Keychain } from '../../../src/main/secrets/keychain';
import { AppError } from '../../../src/shared/errors';
import { workspaceSummary } from '../../../src/shared/contract';
import {
  APPLICATION_ID,
  createWorkspace,
  migrations,
  openWorkspace,
  openWorkspaceWithKey,
  WORKSPACE_EXT,
  type Migration,
  type Workspace,
} from '../../../src/main/workspace';

let dir: string;
let keychain: Keychain;
const open: Workspace[] = [];
const track = (ws: Workspace) => (open.push(ws), ws);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'a2w-ws-'));
  keychain = memoryKeychain();
});
afterEach(() => {
  for (const ws of open.splice(0)) ws.close();
  rmSync(dir, { recursive: true, force: true });
});

const fileIn = (name = 'test') => path.join(dir, `${name}${WORKSPACE_EXT}`);

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe('create / open / close', () => {
  it('round-trips identity, settings and audit across close and reopen', async () => {
    const file = fileIn();
    const ws = await createWorkspace(file, { keychain, name: 'Acme prod', rehearsal: true });
    expect(ws.name).toBe('Acme prod');
    expect(ws.rehearsal).toBe(true);
    expect(ws.readOnly).toBe(false);
    expect(ws.secretsAvailable).toBe(true);
    expect(ws.id).toMatch(/^[0-9a-f-]{36}$/);
    ws.setSetting('export.pageSize', { n: 50 });
    const id = ws.id;
    const created = ws.summary();
    expect(workspaceSummary.safeParse(created).success).toBe(true);
    expect(created.audit).toMatchObject({ ok: true, entries: 1 });
    ws.close();
    expect(ws.closed).toBe(true);

    const again = track(await openWorkspace(file, { keychain }));
    expect(again.id).toBe(id);
    expect(again.name).toBe('Acme prod');
    expect(again.rehearsal).toBe(true);
    expect(again.createdAt).toBe(created.createdAt);
    expect(again.getSetting('export.pageSize')).toEqual({ n: 50 });
    expect(again.getSetting('missing')).toBeUndefined();
    expect(again.warnings).toEqual([]);
    const s = again.summary();
    expect(s.audit.head).toBe(created.audit.head);
    expect(again.db.prepare('SELECT action FROM audit_log').all()).toEqual([{ action: 'workspace.created' }]);
  });

  it('stores the data key in the keychain under the workspace account', async () => {
    const ws = track(await createWorkspace(fileIn(), { keychain, name: 'k' }));
    const stored = await keychain.get(accounts.workspaceKey(ws.id));
    expect(stored).not.toBeNull();
    expect(Buffer.from(stored!, 'base64')).toHaveLength(32);
    expect(ws.dataKeyForWorker()!.equals(Buffer.from(stored!, 'base64'))).toBe(true);
  });

  it('creates the file (and its WAL files) with mode 0600, in WAL mode with foreign keys on', async () => {
    const file = fileIn();
    const oldMask = process.umask(0o000); // the most permissive umask must not widen the file
    try {
      const ws = track(await createWorkspace(file, { keychain, name: 'perm' }));
      ws.setSetting('x', 1);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(statSync(f).mode & 0o777).toBe(0o600);
      expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(ws.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    } finally {
      process.umask(oldMask);
    }
  });

  it('creates 16 KB pages, and keeps them across reopening', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'pages' })).close();
    const ws = track(await openWorkspace(file, { keychain }));
    expect(ws.db.pragma('page_size', { simple: true })).toBe(16384);
  });

  it('has exactly the base tables from migration 001 plus the migration ledger', async () => {
    // Only migration 001: the features' migrations add their own tables.
    const ws = track(
      await createWorkspace(fileIn(), { keychain, name: 't', migrations: migrations.slice(0, 1) }),
    );
    const tables = ws.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(['audit_log', 'jobs', 'meta', 'schema_migrations', 'settings']);
    const cols = ws.db
      .prepare('PRAGMA table_info(jobs)')
      .all()
      .map((r) => (r as { name: string }).name);
    expect(cols).toEqual([
      'id',
      'kind',
      'state',
      'params_json',
      'checkpoint_json',
      'done',
      'total',
      'message',
      'error_json',
      'created_at',
      'updated_at',
    ]);
  });

  it('creates missing parent folders', async () => {
    const file = path.join(dir, 'a', 'b', `nested${WORKSPACE_EXT}`);
    track(await createWorkspace(file, { keychain, name: 'nested' }));
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('refuses to create over an existing file and leaves it untouched', async () => {
    const file = fileIn();
    writeFileSync(file, 'precious');
    const err = await rejection(createWorkspace(file, { keychain, name: 'x' }));
    expect(err.code).toBe('workspace_exists');
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  it('runs the location guard before creating anything', async () => {
    const file = fileIn();
    const guard = {
      check: async () => ({
        ok: false as const,
        kind: 'sync' as const,
        reason: 'in Dropbox',
        hint: 'pick local',
      }),
      assert: async () => {
        throw new AppError('location_refused', 'in Dropbox', 'pick local');
      },
    };
    const err = await rejection(createWorkspace(file, { keychain, name: 'x', guard }));
    expect(err.code).toBe('location_refused');
    expect(() => statSync(file)).toThrow();
    expect(await keychain.list()).toEqual([]);
  });

  it('removes the half-made file when the keychain refuses the key', async () => {
    const file = fileIn();
    const broken: Keychain = {
      ...memoryKeychain(),
      set: async () => {
        throw new AppError('keychain_unavailable', 'The OS keychain could not be used.');
      },
    };
    const err = await rejection(createWorkspace(file, { keychain: broken, name: 'x' }));
    expect(err.code).toBe('keychain_unavailable');
    expect(() => statSync(file)).toThrow();
  });

  it('gives a worker connection the same data through openWorkspaceWithKey', async () => {
    const file = fileIn();
    const ws = track(await createWorkspace(file, { keychain, name: 'w' }));
    const blob = ws.cipher!.encrypt({ table: 'settings', column: 'value_json', id: 'a' }, 'hello');
    const worker = track(openWorkspaceWithKey(file, ws.dataKeyForWorker()));
    expect(worker.secretsAvailable).toBe(true);
    expect(
      worker.cipher!.decrypt({ table: 'settings', column: 'value_json', id: 'a' }, blob).toString(),
    ).toBe('hello');
    worker.audit.append({ actor: 'worker', action: 'export.page', details: { users: 50 } });
    expect(ws.audit.verify()).toMatchObject({ ok: true, entries: 2 });
    const noKey = track(openWorkspaceWithKey(file, null));
    expect(noKey.readOnly).toBe(true);
    expect(noKey.dataKeyForWorker()).toBeNull();
  });

  it('wipes the key on close: the cipher refuses afterwards', async () => {
    const ws = await createWorkspace(fileIn(), { keychain, name: 'c' });
    const cipher = ws.cipher!;
    ws.close();
    expect(thrown(() => cipher.encrypt({ table: 't', column: 'c', id: '1' }, 'x')).code).toBe(
      'secrets_unavailable',
    );
    ws.close(); // idempotent
  });
});

describe('refusing files that are not our workspace', () => {
  it('refuses a random file clearly', async () => {
    const file = fileIn('random');
    writeFileSync(
      file,
      Buffer.from('this is not a database at all, just some text that is long enough '.repeat(4)),
    );
    const err = await rejection(openWorkspace(file, { keychain }));
    expect(err.code).toBe('workspace_invalid');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a workspace/);
    expect(err.hint).toMatch(/\.a2w\.sqlite/);
  });

  it('refuses an empty file', async () => {
    const file = fileIn('empty');
    writeFileSync(file, '');
    expect((await rejection(openWorkspace(file, { keychain }))).code).toBe('workspace_invalid');
  });

  it('refuses an SQLite database of another application', async () => {
    const file = fileIn('other');
    const db = new Database(file);
    db.exec('CREATE TABLE meta (key TEXT, value TEXT)');
    db.close();
    const err = await rejection(openWorkspace(file, { keychain }));
    expect(err.code).toBe('workspace_invalid');
    expect(err.message).toMatch(/SQLite database but not a workspace/);
  });

  it('refuses a truncated workspace', async () => {
    const file = fileIn();
    const ws = await createWorkspace(file, { keychain, name: 't' });
    const filler = ws.db.prepare('INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)');
    ws.db.transaction(() => {
      for (let i = 0; i < 200; i++) filler.run(`k${i}`, JSON.stringify('x'.repeat(200)), 'now');
    })();
    ws.close();
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8 * 4096);
    truncateSync(file, Math.floor(size / 2 / 4096) * 4096);
    const err = await rejection(openWorkspace(file, { keychain }));
    expect(err.code).toBe('workspace_invalid');
    expect(err.message).toMatch(/truncated/);

    truncateSync(file, 60); // shorter than the SQLite header
    expect((await rejection(openWorkspace(file, { keychain }))).message).toMatch(/truncated/);
  });

  it('reports a missing file as not_found', async () => {
    expect((await rejection(openWorkspace(fileIn('nope'), { keychain }))).code).toBe('not_found');
  });
});

describe('migrations', () => {
  const extra = (sql: string): Migration[] => [
    ...migrations,
    { version: migrations.length + 1, name: 'add_notes', sql },
  ];

  it('applies pending migrations on open and records their checksums', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'm' })).close();
    const list = extra('CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;');
    const ws = track(await openWorkspace(file, { keychain, migrations: list }));
    const rows = ws.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(list.map((m) => ({ version: m.version, name: m.name })));
    ws.db.prepare("INSERT INTO notes VALUES ('1', 'hi')").run();
    expect(ws.db.pragma('user_version', { simple: true })).toBe(list.length);
  });

  it('applies them on a thread of its own: the event loop runs while a long migration does', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'm' })).close();
    // Some 0.3-1 s of SQLite work, as an upgrade of a large workspace (rebuilds, index builds) takes seconds.
    const list = extra(`CREATE TABLE notes AS
      WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1500000) SELECT x FROM n;`);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const started = performance.now();
    const ws = track(await openWorkspace(file, { keychain, migrations: list }));
    const ms = performance.now() - started;
    clearInterval(ticker);
    expect(ws.db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(1500000);
    expect(ws.db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(list.length);
    expect(ms).toBeGreaterThan(200);
    // On the calling thread the open blocks throughout and the timer fires once or twice at most.
    expect(ticks).toBeGreaterThan(ms / 5 / 4);
  });

  it('names a migration that fails on the thread, and leaves the file as it was', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'm' })).close();
    const list = extra('CREATE TABLE notes (id TEXT) STRICT; INSERT INTO no_such_table VALUES (1);');
    const err = await rejection(openWorkspace(file, { keychain, migrations: list }));
    expect(err.message).toBe(
      `Upgrading ${file} failed at schema migration ${String(list.length).padStart(3, '0')}_add_notes (no such table: no_such_table); the file keeps every migration before it.`,
    );
    const ws = track(await openWorkspace(file, { keychain }));
    expect(ws.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").pluck().get()).toBe(0);
  });

  it('refuses an edited, already-applied migration and names it', async () => {
    const file = fileIn();
    const list = extra('CREATE TABLE notes (id TEXT PRIMARY KEY) STRICT;');
    (await createWorkspace(file, { keychain, name: 'm', migrations: list })).close();
    const edited = extra('CREATE TABLE notes (id TEXT PRIMARY KEY, sneaky TEXT) STRICT;');
    const err = await rejection(openWorkspace(file, { keychain, migrations: edited }));
    expect(err.code).toBe('migration_tampered');
    expect(err.message).toContain(`${String(list.length).padStart(3, '0')}_add_notes`);
    // the unedited list still opens
    track(await openWorkspace(file, { keychain, migrations: list }));
  });

  it('refuses a workspace whose recorded checksum was altered in the file', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'm' })).close();
    const db = new Database(file);
    db.prepare("UPDATE schema_migrations SET checksum = 'abc' WHERE version = 1").run();
    db.close();
    const err = await rejection(openWorkspace(file, { keychain }));
    expect(err.code).toBe('migration_tampered');
    expect(err.message).toContain('001_init');
  });

  it('refuses a workspace written by a newer app (unknown applied migration)', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'm', migrations: extra('SELECT 1;') })).close();
    const err = await rejection(openWorkspace(file, { keychain }));
    expect(err.code).toBe('workspace_invalid');
    expect(err.message).toMatch(/does not know/);
  });

  it('refuses a broken migration list before touching a file', async () => {
    const bad: Migration[] = [...migrations, { version: 5, name: 'gap', sql: 'SELECT 1;' }];
    await expect(createWorkspace(fileIn(), { keychain, name: 'x', migrations: bad })).rejects.toThrow(
      /out of order/,
    );
    expect(() => statSync(fileIn())).toThrow();
  });
});

describe('missing or wrong data key', () => {
  it('opens read-only with a warning when the keychain has no key, and refuses writes', async () => {
    const file = fileIn();
    const ws = await createWorkspace(file, { keychain, name: 'r' });
    const id = ws.id;
    ws.setSetting('a', 1);
    ws.close();
    await keychain.delete(accounts.workspaceKey(id));

    const ro = track(await openWorkspace(file, { keychain }));
    expect(ro.readOnly).toBe(true);
    expect(ro.secretsAvailable).toBe(false);
    expect(ro.cipher).toBeNull();
    expect(ro.dataKeyForWorker()).toBeNull();
    expect(ro.warnings).toHaveLength(1);
    expect(ro.warnings[0]).toMatch(/not in this computer's keychain/);
    expect(ro.warnings[0]).toMatch(/read-only/);
    expect(ro.warnings[0]).toMatch(/To work with it/);
    const s = ro.summary();
    expect(s).toMatchObject({ readOnly: true, secretsAvailable: false });
    expect(s.warnings).toEqual(ro.warnings);
    expect(ro.getSetting('a')).toBe(1); // reading still works
    expect(thrown(() => ro.setSetting('a', 2)).code).toBe('workspace_read_only');
    expect(thrown(() => ro.audit.append({ actor: 'me', action: 'x' })).code).toBe('workspace_read_only');
    expect(thrown(() => ro.assertWritable()).code).toBe('workspace_read_only');
    // even a direct SQL write is refused by the read-only connection
    expect(() => ro.db.prepare("INSERT INTO settings VALUES ('b', '1', 'now')").run()).toThrow(/readonly/);
  });

  it('opens read-only when the keychain holds a key for another workspace', async () => {
    const file = fileIn();
    const ws = await createWorkspace(file, { keychain, name: 'r' });
    const id = ws.id;
    ws.close();
    await keychain.set(accounts.workspaceKey(id), Buffer.alloc(32, 7).toString('base64'));
    const ro = track(await openWorkspace(file, { keychain }));
    expect(ro.readOnly).toBe(true);
    expect(ro.secretsAvailable).toBe(false);
    expect(ro.warnings[0]).toMatch(/does not belong to this workspace/);
  });

  it('opens read-only when the keychain itself fails', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'r' })).close();
    const failing: Keychain = {
      ...keychain,
      get: async () => {
        throw new AppError('keychain_unavailable', 'The OS keychain could not be used (no D-Bus).');
      },
    };
    const ro = track(await openWorkspace(file, { keychain: failing }));
    expect(ro.readOnly).toBe(true);
    expect(ro.warnings[0]).toMatch(/could not be used \(no D-Bus\)/);
  });

  it('honours an explicit read-only open with the key present', async () => {
    const file = fileIn();
    (await createWorkspace(file, { keychain, name: 'r' })).close();
    const ro = track(await openWorkspace(file, { keychain, readOnly: true }));
    expect(ro.readOnly).toBe(true);
    expect(ro.secretsAvailable).toBe(true);
    expect(ro.warnings).toEqual([]);
    expect(thrown(() => ro.setSetting('a', 1)).code).toBe('workspace_read_only');
  });
});
