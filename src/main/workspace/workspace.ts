import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { workspaceSummary, type WorkspaceSummary } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { accounts, type Keychain } from '../secrets/keychain';
import { createAuditLog, type AuditLog } from './audit';
import { createFieldCipher, DATA_KEY_BYTES, type DisposableCipher, type FieldCipher } from './cipher';
import { createLocationGuard, type LocationGuard } from './location-guard';
import { applyMigrations, assertKnownMigrations, validateMigrationList } from './migrate';
import { applyMigrationsOnThread } from './migrate-thread-client';
import { migrations as defaultMigrations, type Migration } from './migrations';

export const WORKSPACE_EXT = '.a2w.sqlite';

/** SQLite header application_id of our workspaces: "A2W!". Tells our files from other SQLite databases. */
export const APPLICATION_ID = 0x41325721;

export interface OpenOptions {
  keychain: Keychain;
  guard?: LocationGuard;
  /** Tests only: a migration list other than the app's own. */
  migrations?: readonly Migration[];
}

interface CoreOptions {
  readOnly?: boolean;
  migrations?: readonly Migration[];
  /** Why no key was passed, for the warning shown to the admin. */
  keyProblem?: string;
  busyTimeoutMs?: number;
}

/**
 * New workspaces use 16 KB pages instead of SQLite's 4 KB. A bulk write logs each page with two write calls and an
 * index build reads the table a page per call, so at a million users the export's ingest takes about 17% less time
 * (README, Benchmarks). A random row read copies a larger page: reads in user_id order got about 13% slower, and
 * the review's full outcome pass now reads the table in stored order instead (mapUsersInStoredOrder). SQLite fixes
 * the size when the file is created; existing workspaces keep theirs.
 */
const PAGE_SIZE = 16384;

/**
 * How long a connection waits for another connection's write lock before SQLITE_BUSY. The wait is synchronous: on the
 * app's main thread it freezes the window, so it stays short there and a clear error follows. A job's connection,
 * in its worker thread, waits out the longest write another thread makes: at a million users a re-export's merge,
 * which writes the rows that changed in one transaction (1.5 s with 1% of them renamed).
 */
const BUSY_TIMEOUT_MS = 5000;
export const JOB_BUSY_TIMEOUT_MS = 60_000;

// A fixed plaintext encrypted under the data key at creation: proves on open that the keychain holds the right key.
const KEY_CHECK_REF = { table: 'meta', column: 'value', id: 'key_check' } as const;
const KEY_CHECK_PLAINTEXT = 'a2w-workspace-key-check';

const READ_ONLY_CONSEQUENCE =
  'The workspace is open read-only: password hashes and other secrets cannot be read and nothing can be changed.';
const KEY_ADVICE =
  'To work with it, open it as the same user on the computer that created it (its key lives in that keychain), or move workspaces between computers as an encrypted migration package rather than by copying the file.';

const PICK_A_WORKSPACE = `Choose a workspace file (*${WORKSPACE_EXT}) created by this app, or create a new workspace.`;

function invalid(file: string, what: string, hint: string = PICK_A_WORKSPACE): AppError {
  return new AppError('workspace_invalid', `${file} ${what}`, hint);
}

/** Cheap checks on the raw file before SQLite sees it: SQLite reads a damaged or foreign file lazily and vaguely. */
function inspectFile(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new AppError('not_found', `No workspace file at ${file}.`);
  }
  if (!st.isFile()) throw invalid(file, 'is not a file.');
  if (st.size === 0) throw invalid(file, 'is empty; it is not a workspace.');
  const header = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  const isSqlite = header.subarray(0, 16).toString('latin1') === 'SQLite format 3\0';
  if (n < 100) {
    throw invalid(
      file,
      isSqlite || n < 16
        ? 'is too short to be a workspace: it looks truncated.'
        : 'is not a workspace of this app.',
    );
  }
  if (!isSqlite) throw invalid(file, 'is not a workspace of this app (it is not an SQLite database).');
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw invalid(file, 'has a damaged header.');
  // The in-header page count is authoritative when "version-valid-for" equals the change counter.
  const changeCounter = header.readUInt32BE(24);
  const pageCount = header.readUInt32BE(28);
  const validFor = header.readUInt32BE(92);
  const truncated =
    st.size % pageSize !== 0 || (validFor === changeCounter && st.size < pageCount * pageSize);
  if (truncated) {
    throw invalid(
      file,
      `is truncated or damaged (${st.size} bytes where ${pageCount * pageSize} were expected).`,
      'Restore it from a backup or a migration package.',
    );
  }
}

function connect(file: string, readOnly: boolean, busyTimeoutMs = BUSY_TIMEOUT_MS): SqliteDatabase {
  const db = new Database(file, { readonly: readOnly, fileMustExist: true, timeout: busyTimeoutMs });
  try {
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function sqliteCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Turns SQLite's complaints about a foreign or damaged file into our error; anything else passes through. */
function asInvalid(file: string, err: unknown): unknown {
  const code = sqliteCode(err);
  if (code === 'SQLITE_NOTADB')
    return invalid(file, 'is not a workspace of this app (not a readable SQLite database).');
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_IOERR_SHORT_READ') {
    return invalid(
      file,
      'is damaged (SQLite reports corruption).',
      'Restore it from a backup or a migration package.',
    );
  }
  return err;
}

interface Identity {
  id: string;
  name: string;
  createdAt: string;
  rehearsal: boolean;
  keyCheck: string | undefined;
}

function readIdentity(db: SqliteDatabase, file: string): Identity {
  if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) {
    throw invalid(file, 'is an SQLite database but not a workspace of this app.');
  }
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  const rows = hasMeta
    ? (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[])
    : [];
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  const id = meta.get('id');
  const name = meta.get('name');
  const createdAt = meta.get('created_at');
  if (!id || name === undefined || !createdAt) {
    throw invalid(
      file,
      'has no workspace identity (its meta table is missing or incomplete).',
      'The file may have been created by a failed run; create a new workspace.',
    );
  }
  return {
    id,
    name,
    createdAt,
    rehearsal: meta.get('rehearsal') === 'true',
    keyCheck: meta.get('key_check'),
  };
}

/** Reads the workspace id without changing anything, to know which keychain entry to ask for. */
function peekIdentity(file: string): Identity {
  inspectFile(file);
  let db: SqliteDatabase | undefined;
  try {
    db = connect(file, true);
    return readIdentity(db, file);
  } catch (err) {
    throw asInvalid(file, err);
  } finally {
    db?.close();
  }
}

interface WorkspaceInit {
  file: string;
  identity: Identity;
  db: SqliteDatabase;
  readOnly: boolean;
  key: Buffer | null;
  cipher: DisposableCipher | null;
  warnings: string[];
}

export class Workspace {
  readonly file: string;
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly rehearsal: boolean;
  readonly db: SqliteDatabase;
  readonly readOnly: boolean;
  readonly secretsAvailable: boolean;
  readonly warnings: string[];
  readonly audit: AuditLog;
  readonly cipher: FieldCipher | null;
  #key: Buffer | null;
  #cipher: DisposableCipher | null;
  #closed = false;

  /** Use createWorkspace, openWorkspace or openWorkspaceWithKey. */
  constructor(init: WorkspaceInit) {
    this.file = init.file;
    this.id = init.identity.id;
    this.name = init.identity.name;
    this.createdAt = init.identity.createdAt;
    this.rehearsal = init.identity.rehearsal;
    this.db = init.db;
    this.readOnly = init.readOnly;
    this.#key = init.key;
    this.#cipher = init.cipher;
    this.cipher = init.cipher;
    this.secretsAvailable = init.cipher !== null;
    this.warnings = init.warnings;
    this.audit = createAuditLog(init.db, () => this.readOnly);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A copy of the data key, to hand to a worker thread (which opens its own connection with openWorkspaceWithKey). */
  dataKeyForWorker(): Buffer | null {
    return this.#key ? Buffer.from(this.#key) : null;
  }

  /** Throws workspace_read_only when the workspace cannot be changed; for code about to write. */
  assertWritable(): void {
    if (this.readOnly) {
      throw new AppError(
        'workspace_read_only',
        'The workspace is open read-only, so it cannot be changed.',
        this.secretsAvailable ? undefined : KEY_ADVICE,
      );
    }
  }

  getSetting<T = unknown>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value_json FROM settings WHERE key = ?').get(key) as
      { value_json: string } | undefined;
    return row ? (JSON.parse(row.value_json) as T) : undefined;
  }

  /** Stores a JSON value; `undefined` removes the setting. */
  setSetting(key: string, value: unknown): void {
    this.assertWritable();
    if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
      throw new AppError('invalid_input', 'A setting name must be 1 to 200 characters.');
    }
    if (value === undefined) {
      this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
      return;
    }
    const json = JSON.stringify(value);
    if (json === undefined) throw new AppError('invalid_input', `Setting "${key}" must be a JSON value.`);
    this.db
      .prepare(
        'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
      )
      .run(key, json, new Date().toISOString());
  }

  summary(): WorkspaceSummary {
    const audit = this.audit.verify();
    return workspaceSummary.parse({
      id: this.id,
      name: this.name,
      path: this.file,
      createdAt: this.createdAt,
      readOnly: this.readOnly,
      secretsAvailable: this.secretsAvailable,
      warnings: [...this.warnings],
      audit,
      rehearsal: this.rehearsal,
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cipher?.dispose();
    this.#key?.fill(0);
    this.#key = null;
    this.db.close();
  }
}

function keyMatches(cipher: FieldCipher, keyCheck: string | undefined): boolean {
  if (!keyCheck) return false;
  try {
    return (
      cipher.decrypt(KEY_CHECK_REF, Buffer.from(keyCheck, 'base64')).toString('utf8') === KEY_CHECK_PLAINTEXT
    );
  } catch {
    return false;
  }
}

/** The synchronous heart of every open: identity, migrations, key check, connection mode, audit check. */
function openCore(file: string, dataKey: Buffer | null, opts: CoreOptions): Workspace {
  const list = opts.migrations ?? defaultMigrations;
  inspectFile(file);
  const warnings: string[] = [];
  let db: SqliteDatabase | undefined;
  let cipher: DisposableCipher | null = null;
  try {
    let readOnly = opts.readOnly === true;
    db = connect(file, readOnly, opts.busyTimeoutMs);
    const identity = readIdentity(db, file);
    const pending = assertKnownMigrations(db, list, file);

    if (dataKey) {
      if (dataKey.length !== DATA_KEY_BYTES) {
        warnings.push(`The data key for this workspace is malformed. ${READ_ONLY_CONSEQUENCE} ${KEY_ADVICE}`);
      } else {
        cipher = createFieldCipher(dataKey);
        if (!keyMatches(cipher, identity.keyCheck)) {
          cipher.dispose();
          cipher = null;
          warnings.push(
            `The data key found in the keychain does not belong to this workspace. ${READ_ONLY_CONSEQUENCE} ${KEY_ADVICE}`,
          );
        }
      }
    } else {
      warnings.push(
        `${opts.keyProblem ?? 'The data key for this workspace was not provided.'} ${READ_ONLY_CONSEQUENCE} ${KEY_ADVICE}`,
      );
    }

    if (!cipher && !readOnly) {
      readOnly = true;
      db.close();
      db = connect(file, true, opts.busyTimeoutMs);
    }
    if (!readOnly) {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      applyMigrations(db, pending);
    } else if (pending.length > 0) {
      warnings.push('This workspace uses an older schema; open it writable (with its key) to upgrade it.');
    }

    const ws = new Workspace({
      file,
      identity,
      db,
      readOnly,
      key: cipher && dataKey ? Buffer.from(dataKey) : null,
      cipher,
      warnings,
    });
    const audit = ws.audit.verify();
    if (!audit.ok) {
      warnings.push(
        `The audit log failed verification: ${audit.problem} Entries from that point on cannot be trusted; keep this file for investigation.`,
      );
    }
    return ws;
  } catch (err) {
    cipher?.dispose();
    db?.close();
    throw asInvalid(file, err);
  }
}

/** For worker threads that received the key from the parent: synchronous, no keychain, no location guard. */
export function openWorkspaceWithKey(
  file: string,
  dataKey: Buffer | null,
  opts: { readOnly?: boolean; migrations?: readonly Migration[]; busyTimeoutMs?: number } = {},
): Workspace {
  return openCore(path.resolve(file), dataKey, opts);
}

async function fetchKey(keychain: Keychain, id: string): Promise<{ key: Buffer | null; problem?: string }> {
  let stored: string | null;
  try {
    stored = await keychain.get(accounts.workspaceKey(id));
  } catch (err) {
    const why = err instanceof AppError ? err.message : 'The OS keychain could not be read.';
    return { key: null, problem: `${why} Without it the workspace's data key is unavailable.` };
  }
  if (stored === null)
    return { key: null, problem: "The data key for this workspace is not in this computer's keychain." };
  const key = Buffer.from(stored, 'base64');
  if (key.length !== DATA_KEY_BYTES) {
    key.fill(0);
    return { key: null, problem: 'The keychain entry for this workspace does not hold a valid data key.' };
  }
  return { key };
}

/**
 * Applies a writable open's pending migrations on a thread of their own (migrate-thread-client.ts), before openCore,
 * which then finds none. Only where openCore would apply them: with the workspace's own key. Anything else (no key, a
 * wrong one, an edited or unknown migration) is left to openCore to report as it always has.
 */
async function upgradeOnThread(
  file: string,
  key: Buffer,
  identity: Identity,
  list: readonly Migration[],
): Promise<void> {
  if (key.length !== DATA_KEY_BYTES) return;
  const cipher = createFieldCipher(key);
  const ours = keyMatches(cipher, identity.keyCheck);
  cipher.dispose();
  if (!ours) return;
  let pending: Migration[];
  let db: SqliteDatabase | undefined;
  try {
    db = connect(file, true);
    pending = assertKnownMigrations(db, list, file);
  } catch {
    return; // openCore meets the same problem and reports it
  } finally {
    db?.close();
  }
  if (pending.length === 0) return;
  try {
    await applyMigrationsOnThread(file, list, BUSY_TIMEOUT_MS);
  } catch (err) {
    throw asInvalid(file, err);
  }
}

export async function openWorkspace(
  file: string,
  opts: OpenOptions & { readOnly?: boolean },
): Promise<Workspace> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new AppError('not_found', `No workspace file at ${abs}.`);
  await (opts.guard ?? createLocationGuard()).assert(abs, 'workspace');
  const identity = peekIdentity(abs);
  const { key, problem } = await fetchKey(opts.keychain, identity.id);
  try {
    if (key && !opts.readOnly)
      await upgradeOnThread(abs, key, identity, opts.migrations ?? defaultMigrations);
    return openCore(abs, key, { readOnly: opts.readOnly, migrations: opts.migrations, keyProblem: problem });
  } finally {
    key?.fill(0);
  }
}

function removeFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
}

export async function createWorkspace(
  file: string,
  opts: OpenOptions & { name: string; rehearsal?: boolean },
): Promise<Workspace> {
  const abs = path.resolve(file);
  const name = typeof opts.name === 'string' ? opts.name.trim() : '';
  if (!name || name.length > 200)
    throw new AppError('invalid_input', 'A workspace name must be 1 to 200 characters.');
  const list = opts.migrations ?? defaultMigrations;
  validateMigrationList(list);
  const exists = (await fsp.lstat(abs).catch(() => null)) !== null;
  if (exists) {
    throw new AppError(
      'workspace_exists',
      `A file already exists at ${abs}.`,
      'Open it instead, or choose another file name.',
    );
  }
  await (opts.guard ?? createLocationGuard()).assert(abs, 'workspace');
  await fsp.mkdir(path.dirname(abs), { recursive: true, mode: 0o700 });

  // Exclusive create with 0600 (a umask can only remove bits), then chmod in case the umask removed owner bits.
  // SQLite gives the -wal and -shm files the main file's mode.
  try {
    await (await fsp.open(abs, 'wx', 0o600)).close();
  } catch (err) {
    if (sqliteCode(err) === 'EEXIST') {
      throw new AppError(
        'workspace_exists',
        `A file already exists at ${abs}.`,
        'Open it instead, or choose another file name.',
      );
    }
    throw err;
  }
  const id = randomUUID();
  const key = randomBytes(DATA_KEY_BYTES);
  let keySent = false;
  let db: SqliteDatabase | undefined;
  try {
    await fsp.chmod(abs, 0o600);
    db = connect(abs, false);
    db.pragma(`page_size = ${PAGE_SIZE}`);
    if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') {
      throw new AppError('internal', `SQLite refused write-ahead logging for ${abs}.`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
    applyMigrations(db, list);
    const cipher = createFieldCipher(key);
    const keyCheck = cipher.encrypt(KEY_CHECK_REF, KEY_CHECK_PLAINTEXT).toString('base64');
    cipher.dispose();
    const putMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      putMeta.run('id', id);
      putMeta.run('name', name);
      putMeta.run('created_at', new Date().toISOString());
      putMeta.run('rehearsal', opts.rehearsal ? 'true' : 'false');
      putMeta.run('key_check', keyCheck);
    })();
    db.close();
    db = undefined;
    // Marked before the call: a keychain can store the item and still report a failure (a timed-out prompt).
    keySent = true;
    await opts.keychain.set(accounts.workspaceKey(id), key.toString('base64'));
    const ws = openCore(abs, key, { migrations: list });
    ws.audit.append({
      actor: 'app',
      action: 'workspace.created',
      details: { rehearsal: opts.rehearsal === true, schemaVersion: list.length },
    });
    return ws;
  } catch (err) {
    db?.close();
    removeFiles(abs);
    if (keySent) await opts.keychain.delete(accounts.workspaceKey(id)).catch(() => false);
    throw err;
  } finally {
    key.fill(0);
  }
}
