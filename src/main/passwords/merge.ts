import { createHash, randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { FieldCipher, LocationGuard, RowRef, Workspace } from '../workspace';
import { batchInsert } from '../auth0/export/batch-insert';
import { inlineEncryptor, startCipherPool } from '../workspace/cipher-pool';
import { classifyHash } from './classify';
import {
  lineUserId,
  matchLine,
  matchMfaSecretLine,
  parseMfaSecretLine,
  type IndexedUser,
  type MatchResult,
  type MfaSecretLine,
  type UserIndex,
} from './match';
import { readSupportFileBatches, type PgpKeyInput, type SupportFileItem } from './reader';

// Merges Auth0's password-hash file (or MFA-secret file) into the workspace:
//   read (streamed, PGP decrypted in memory) -> match each line to an exported user -> classify -> encrypt -> stage,
//   and only once the whole file was read (for PGP: its integrity check passed) apply the stage to the live table in
//   one transaction, with the counts in the audit log.
// Resumable: the checkpoint is the number of lines staged and the file's SHA-256, saved in the transaction that staged
// them; a different file starts over. Re-running with the same file changes nothing (unchanged values are detected by
// decrypting the live value, never by keeping a plaintext digest). Failures discard the stage: the workspace's data
// tables are left as they were.

export type MergeKind = 'passwords' | 'mfa';

export type LineOutcome = MatchResult['outcome'] | 'unreadable';

export interface MergeCounts {
  /** Non-blank lines read. */
  lines: number;
  matched: number;
  blocked: number;
  duplicates: number;
  ambiguous: number;
  noSuchUser: number;
  notDatabaseUser: number;
  /** Well-formed JSON that is not a usable record (no connection, no hash, a secret that is not Base32...). */
  invalid: number;
  /** Not UTF-8, not JSON, too long, cut off: the file is damaged and is refused. */
  unreadable: number;
  /** Passwords only: algorithm -> number of kept hashes (matched + blocked). */
  byAlgorithm: Record<string, number>;
  notImportable: number;
}

export interface MergeSummary {
  kind: MergeKind;
  runId: string;
  fileName: string;
  fileSha256: string;
  encrypted: boolean;
  counts: MergeCounts;
  /** Unmatched lines: no such user, not a database user, or invalid. */
  unmatched: number;
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  /** Passwords: database users without a hash. MFA: users with an MFA enrolment and no TOTP secret. */
  withoutValue: number;
}

export interface MergeCheckpoint {
  runId: string | null;
  fileSha256: string | null;
  linesApplied: number;
  counts: MergeCounts | null;
  committed?: boolean;
}

export interface MergeEnv {
  workspace: Workspace;
  kind: MergeKind;
  /** Absolute path of the support file. */
  file: string;
  /** For a PGP-encrypted file. */
  pgp?: PgpKeyInput;
  checkpoint: MergeCheckpoint | null;
  saveCheckpoint(
    checkpoint: MergeCheckpoint,
    progress?: { done: number; total?: number | null; message?: string },
  ): void;
  progress?(p: { done: number; total?: number | null; message?: string }): void;
  throwIfStopped?(): void;
  guard?: LocationGuard;
  jobId?: string;
  maxLineBytes?: number;
  /** Encrypt on worker threads: 'auto' (the default) does so for files of a few MB and more. */
  cipherThreads?: boolean | 'auto';
  /** Filled with the milliseconds this thread spent in each phase (for bench/merge.ts). */
  timings?: MergeTimings;
}

export interface MergeTimings {
  read: number;
  match: number;
  waitEncrypt: number;
  write: number;
  commit: number;
}

const UNREADABLE_REPORTED = 5;

export function emptyCounts(): MergeCounts {
  return {
    lines: 0,
    matched: 0,
    blocked: 0,
    duplicates: 0,
    ambiguous: 0,
    noSuchUser: 0,
    notDatabaseUser: 0,
    invalid: 0,
    unreadable: 0,
    byAlgorithm: {},
    notImportable: 0,
  };
}

const countKey: Record<Exclude<LineOutcome, 'matched' | 'blocked'>, keyof MergeCounts> = {
  duplicate: 'duplicates',
  ambiguous: 'ambiguous',
  no_such_user: 'noSuchUser',
  not_database_user: 'notDatabaseUser',
  invalid: 'invalid',
  unreadable: 'unreadable',
};

/** SHA-256 of the file as it is on disk (for a PGP file: of the encrypted bytes). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  // One buffer refilled: a stream's fresh buffer per chunk is native memory that lingers until a garbage collection,
  // so hashing a large file that way raised the merge's peak memory with the file's size.
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/**
 * The exported users a batch of lines names, fetched with one query per batch (a query per line cost more than the
 * matching itself at a million lines), together with whether this run already staged a value for them. Ids the batch
 * did not name (found through an email) are looked up one by one.
 */
class BatchUserIndex implements UserIndex {
  private users = new Map<string, IndexedUser>();
  private fetched = new Set<string>();
  private stagedIds = new Set<string>();
  private readonly many: Statement;
  private readonly one: Statement;
  private readonly isStaged: Statement;
  private readonly byEmailStmt: Statement;

  constructor(
    db: Database,
    rowsTable: string,
    private readonly run: number,
  ) {
    const stagedExpr = `EXISTS (SELECT 1 FROM ${rowsTable} r WHERE r.run = ? AND r.user_id = u.user_id)`;
    this.many = db
      .prepare(
        `SELECT u.user_id, u.connection, u.is_database, u.blocked, ${stagedExpr}
         FROM json_each(?) j JOIN auth0_users u ON u.user_id = j.value`,
      )
      .raw();
    this.one = db
      .prepare('SELECT user_id, connection, is_database, blocked FROM auth0_users WHERE user_id = ?')
      .raw();
    this.isStaged = db.prepare(`SELECT 1 FROM ${rowsTable} WHERE run = ? AND user_id = ?`);
    this.byEmailStmt = db
      .prepare('SELECT user_id FROM auth0_users WHERE email_lower = ? AND connection = ? AND is_database = 1')
      .pluck();
  }

  /** Replaces what is held with the users of `ids`. */
  load(ids: string[]): void {
    this.users.clear();
    this.stagedIds.clear();
    this.fetched = new Set(ids);
    if (ids.length === 0) return;
    for (const row of this.many.all(this.run, JSON.stringify(ids)) as [
      string,
      string | null,
      number,
      number,
      number,
    ][]) {
      this.users.set(row[0], toUser(row));
      if (row[4] === 1) this.stagedIds.add(row[0]);
    }
  }

  byId(userId: string): IndexedUser | undefined {
    if (this.fetched.has(userId)) return this.users.get(userId);
    const row = this.one.get(userId) as [string, string | null, number, number] | undefined;
    return row ? toUser(row) : undefined;
  }

  byEmail(emailLower: string, connection: string): string[] {
    return this.byEmailStmt.all(emailLower, connection) as string[];
  }

  /** Whether this run already wrote a value for the user (before the current batch). */
  staged(userId: string): boolean {
    return this.fetched.has(userId)
      ? this.stagedIds.has(userId)
      : this.isStaged.get(this.run, userId) !== undefined;
  }
}

function toUser(row: [string, string | null, number, number, ...unknown[]]): IndexedUser {
  return { userId: row[0], connection: row[1] ?? '', isDatabase: row[2] === 1, blocked: row[3] === 1 };
}

/**
 * "Already matched in this file": the users this run wrote (in its rows table, so it survives a resume) and those of
 * the batches matched but not yet written (their encryption may still be running).
 */
class SeenUsers extends Set<string> {
  private readonly buffered = new Set<string>();
  constructor(private readonly index: BatchUserIndex) {
    super();
  }
  override has(userId: string): boolean {
    return this.buffered.has(userId) || this.index.staged(userId);
  }
  override add(userId: string): this {
    this.buffered.add(userId);
    return this;
  }
  /** These users' rows were written. */
  written(userIds: string[]): void {
    for (const id of userIds) this.buffered.delete(id);
  }
}

interface KindSpec {
  /** The view readers use; also the table of the values' AAD. */
  live: string;
  rows: string;
  column: 'hash_enc' | 'secret_enc';
  label: string;
}

const SPECS: Record<MergeKind, KindSpec> = {
  passwords: {
    live: 'password_hashes',
    rows: 'password_hash_rows',
    column: 'hash_enc',
    label: 'password-hash file',
  },
  mfa: {
    live: 'mfa_totp_secrets',
    rows: 'mfa_totp_secret_rows',
    column: 'secret_enc',
    label: 'MFA-secret file',
  },
};

function requireCipher(ws: Workspace): FieldCipher {
  ws.assertWritable();
  if (!ws.cipher) {
    throw new AppError(
      'secrets_unavailable',
      'The workspace data key is not available, so hashes and secrets cannot be stored encrypted.',
    );
  }
  return ws.cipher;
}

/** Drops the runs of this kind still staging, their rows and their line lists. */
function clearStage(db: Database, kind: MergeKind): void {
  const spec = SPECS[kind];
  const stale = db
    .prepare("SELECT run_id, seq FROM password_merge_runs WHERE kind = ? AND state = 'staging'")
    .raw()
    .all(kind) as [string, number][];
  const delRows = db.prepare(`DELETE FROM ${spec.rows} WHERE run = ?`);
  const delLines = db.prepare('DELETE FROM password_merge_lines WHERE run_id = ?');
  const delRun = db.prepare('DELETE FROM password_merge_runs WHERE run_id = ?');
  for (const [runId, seq] of stale) {
    delRows.run(seq);
    delLines.run(runId);
    delRun.run(runId);
  }
}

export async function runMerge(env: MergeEnv): Promise<MergeSummary> {
  const { workspace: ws, kind, file } = env;
  const cipher = requireCipher(ws);
  const db = ws.db;
  const spec = SPECS[kind];
  const fileName = basename(file);
  const encrypted = env.pgp !== undefined;

  let before;
  try {
    before = await stat(file);
  } catch {
    throw new AppError('not_found', `${fileName} does not exist or cannot be read.`);
  }
  if (!before.isFile()) throw new AppError('invalid_input', `${fileName} is not a file.`);
  // A decrypted hash file is as sensitive as the workspace; an encrypted one may come from anywhere.
  if (!encrypted && env.guard) await env.guard.assert(file, 'hash file');

  const usersExported = db.prepare('SELECT count(*) FROM auth0_users').pluck().get() as number;
  if (usersExported === 0) {
    throw new AppError(
      'not_available',
      `There are no exported users in this workspace to match the ${spec.label} against.`,
      'Run the export from Auth0 first.',
    );
  }

  const sha256 = await fileSha256(file);
  let cp = env.checkpoint;
  const resumable =
    cp?.runId &&
    !cp.committed &&
    cp.fileSha256 === sha256 &&
    db.prepare("SELECT 1 FROM password_merge_runs WHERE run_id = ? AND state = 'staging'").get(cp.runId);
  let runId: string;
  let counts: MergeCounts;
  let skip: number;
  if (resumable && cp?.runId && cp.counts) {
    runId = cp.runId;
    counts = cp.counts;
    skip = cp.linesApplied;
  } else {
    runId = randomUUID();
    counts = emptyCounts();
    skip = 0;
    cp = { runId, fileSha256: sha256, linesApplied: 0, counts };
    const fresh = cp;
    db.transaction(() => {
      clearStage(db, kind);
      db.prepare(
        `INSERT INTO password_merge_runs (run_id, kind, job_id, file_name, file_sha256, file_bytes, encrypted, state, started_at, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'staging', ?, (SELECT coalesce(max(seq), 0) + 1 FROM password_merge_runs))`,
      ).run(
        runId,
        kind,
        env.jobId ?? null,
        fileName,
        sha256,
        before.size,
        encrypted ? 1 : 0,
        new Date().toISOString(),
      );
      env.saveCheckpoint(fresh, { done: 0, total: null, message: `Reading ${fileName}` });
    })();
  }

  const durable = tuneForStaging(db);
  const encryptor = useCipherPool(env, before.size)
    ? startCipherPool(ws.dataKeyForWorker()!)
    : inlineEncryptor(cipher);
  try {
    const seq = db
      .prepare('SELECT seq FROM password_merge_runs WHERE run_id = ?')
      .pluck()
      .get(runId) as number;
    const stager = prepareStaging(db, cipher, kind, runId, seq);
    const unreadable: number[] = [];
    let applied = skip;
    const applyBatch = db.transaction((batch: PreparedBatch, blobs: Buffer[]) => {
      stager.write(batch, blobs);
      applied = batch.lastLine;
      const next: MergeCheckpoint = {
        runId,
        fileSha256: sha256,
        linesApplied: batch.lastLine,
        counts: batch.counts,
      };
      env.saveCheckpoint(next, {
        done: batch.counts.lines,
        total: null,
        message: `${batch.counts.lines} lines read from ${fileName}`,
      });
    });

    // Matching runs here while the previous batches are being encrypted on the pool's threads; a batch is written
    // (in file order, with its checkpoint) once its blobs are back. At most MAX_IN_FLIGHT batches wait.
    const inFlight: { batch: PreparedBatch; blobs: Promise<Buffer[]> }[] = [];
    const clock = phaseClock(env.timings);
    const writeOldest = async (): Promise<void> => {
      const next = inFlight.shift()!;
      clock.start();
      const blobs = await next.blobs;
      clock.stop('waitEncrypt');
      applyBatch(next.batch, blobs);
      clock.stop('write');
    };
    let pending: SupportFileItem[] = [];
    const dispatch = (): void => {
      if (pending.length === 0) return;
      clock.start();
      const batch = stager.prepare(pending, counts, unreadable);
      clock.stop('match');
      pending = [];
      const blobs = encryptor.encryptMany(spec.live, spec.column, batch.encryptIds, batch.encryptValues);
      blobs.catch(() => undefined); // awaited in order by writeOldest; a failure must not surface before then
      inFlight.push({ batch, blobs });
    };
    clock.start();
    for await (const items of readSupportFileBatches({
      file,
      ...(env.pgp ? { pgp: env.pgp } : {}),
      ...(env.maxLineBytes ? { maxLineBytes: env.maxLineBytes } : {}),
    })) {
      clock.stop('read');
      env.throwIfStopped?.();
      for (const item of items) if (item.line > skip) pending.push(item);
      // The reader's batches follow its chunks (a few hundred lines for a PGP file): they are gathered into
      // transactions of about LINES_PER_TRANSACTION lines, since each commit has a fixed cost.
      if (pending.length >= LINES_PER_TRANSACTION) dispatch();
      while (inFlight.length > MAX_IN_FLIGHT) await writeOldest();
      clock.start();
    }
    env.throwIfStopped?.();
    dispatch();
    while (inFlight.length > 0) await writeOldest();
    // Unreadable lines already staged before a pause are in the counts; collect their numbers for the message.
    if (counts.unreadable > unreadable.length) {
      const more = db
        .prepare(
          "SELECT line FROM password_merge_lines WHERE run_id = ? AND outcome = 'unreadable' ORDER BY line LIMIT ?",
        )
        .pluck()
        .all(runId, UNREADABLE_REPORTED) as number[];
      unreadable.splice(0, unreadable.length, ...more);
    }
    if (counts.unreadable > 0) {
      const list = unreadable.join(', ');
      const rest = counts.unreadable - unreadable.length;
      throw new AppError(
        'invalid_input',
        `${fileName} is damaged: ${counts.unreadable} line${counts.unreadable === 1 ? '' : 's'} could not be read (line${unreadable.length === 1 ? '' : 's'} ${list}${rest > 0 ? ` and ${rest} more` : ''}: not UTF-8, not JSON, cut off or too long). Nothing from the file was merged.`,
        'Ask Auth0 support to resend the file; if you decrypted it yourself, decrypt it again.',
      );
    }
    const after = await stat(file);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new AppError(
        'invalid_input',
        `${fileName} changed while it was being read. Nothing from it was merged.`,
        'Run the merge again.',
      );
    }
    env.throwIfStopped?.();
    // The commit that applies the merge is durable again (synchronous as it was before the staging).
    durable();
    clock.start();
    const summary = commit(env, { runId, seq, sha256, fileName, encrypted, counts, applied });
    clock.stop('commit');
    return summary;
  } catch (err) {
    const stopped = err instanceof Error && (err.name === 'JobStopped' || err.name === 'AbortError');
    if (!stopped) {
      // Discard everything this run staged, and start over if the job is resumed.
      db.transaction(() => {
        clearStage(db, kind);
        env.saveCheckpoint(
          { runId: null, fileSha256: null, linesApplied: 0, counts: null },
          { done: 0, total: null, message: 'Nothing was merged' },
        );
      })();
    }
    throw err;
  } finally {
    durable();
    await encryptor.close();
  }
}

// Below this size a file is encrypted on the job's own thread: starting the pool costs more than it saves.
const POOL_FROM_BYTES = 4 * 1024 * 1024;
const MAX_IN_FLIGHT = 2;

/** Adds the time since start() (or the last stop) to a phase; does nothing without a timings object. */
function phaseClock(timings: MergeTimings | undefined) {
  let since = 0;
  return {
    start() {
      if (timings) since = performance.now();
    },
    stop(phase: keyof MergeTimings) {
      if (!timings) return;
      const now = performance.now();
      timings[phase] += now - since;
      since = now;
    },
  };
}

function useCipherPool(env: MergeEnv, fileBytes: number): boolean {
  const choice = env.cipherThreads ?? 'auto';
  return choice === 'auto' ? fileBytes >= POOL_FROM_BYTES : choice;
}

// Small enough that a transaction's parsed lines die young (held longer, they are promoted to V8's old space and
// grow the heap), large enough to spread a commit's fixed cost.
const LINES_PER_TRANSACTION = 1000;

/**
 * Staging writes only the stage table and the checkpoint, which a crash redoes: in WAL mode synchronous=NORMAL
 * cannot corrupt the file, it can only lose the last commits (the checkpoint then resumes before them), and it
 * spares a flush of the log on every batch. The returned function puts synchronous back, before the commit that
 * applies the merge so that this one is durable (idempotent).
 */
function tuneForStaging(db: Database): () => void {
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  // The rows being written and the user index being read share SQLite's page cache (2 MB by default).
  db.pragma('cache_size = -32768');
  return () => {
    if (db.pragma('synchronous', { simple: true }) !== synchronous) db.pragma(`synchronous = ${synchronous}`);
    if (db.pragma('cache_size', { simple: true }) !== cacheSize) db.pragma(`cache_size = ${cacheSize}`);
  };
}

/** A batch of lines matched and counted, waiting for its blobs before it is written. */
interface PreparedBatch {
  /** Line number of the batch's last line: the checkpoint once it is written. */
  lastLine: number;
  /** The counts once the batch is written. */
  counts: MergeCounts;
  /** Row values, with null where a blob from encryptIds/encryptValues goes (at blobSlots). */
  rows: unknown[][];
  blobSlots: number[];
  encryptIds: string[];
  encryptValues: string[];
  lines: unknown[][];
  users: string[];
}

interface Stager {
  /** Matches, classifies and counts the items; decides which values must be encrypted. */
  prepare(items: SupportFileItem[], counts: MergeCounts, unreadable: number[]): PreparedBatch;
  /** Writes a prepared batch; called inside its transaction. */
  write(batch: PreparedBatch, blobs: Buffer[]): void;
}

function prepareStaging(
  db: Database,
  cipher: FieldCipher,
  kind: MergeKind,
  runId: string,
  seq: number,
): Stager {
  const spec = SPECS[kind];
  const index = new BatchUserIndex(db, spec.rows, seq);
  const seen = new SeenUsers(index);
  const insertLine = db.prepare(
    `INSERT INTO password_merge_lines (run_id, line, outcome, user_id, algorithm, via, candidates, problem)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const ref = (userId: string): RowRef => ({ table: spec.live, column: spec.column, id: userId });
  // The value each matched user has in the committed run, for the users of one batch (one query).
  const liveEmpty = db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM ${spec.live})`).pluck().get() === 1;
  const liveColumns = kind === 'passwords' ? 'h.hash_enc, h.via, h.blocked' : 'h.secret_enc, h.via';
  const liveOf = db
    .prepare(
      `SELECT h.user_id, ${liveColumns} FROM json_each(?) j JOIN ${spec.live} h ON h.user_id = j.value`,
    )
    .raw();
  const loadLive = (userIds: string[]): Map<string, unknown[]> => {
    const out = new Map<string, unknown[]>();
    if (liveEmpty || userIds.length === 0) return out;
    for (const row of liveOf.all(JSON.stringify(userIds)) as unknown[][]) out.set(row[0] as string, row);
    return out;
  };
  const rows =
    kind === 'passwords'
      ? batchInsert(
          db,
          'INSERT INTO password_hash_rows (run, user_id, hash_enc, class_id, blocked, via, line, change)',
          8,
        )
      : batchInsert(db, 'INSERT INTO mfa_totp_secret_rows (run, user_id, secret_enc, via, line, change)', 6);
  const BLOB = 2; // position of the blob in both row layouts
  // A hash's classification is stored once per distinct value (a handful per file) and referenced by its id.
  const classIds = new Map<string, number>();
  // UNIQUE treats NULLs as distinct, so the lookup compares with IS before inserting.
  const findClass = db
    .prepare(
      `SELECT class_id FROM password_hash_classes WHERE algorithm = ? AND workos_type IS ? AND importable = ? AND valid = ?
       AND cost IS ? AND reason IS ?`,
    )
    .pluck();
  const addClass = db.prepare(
    'INSERT INTO password_hash_classes (algorithm, workos_type, importable, valid, cost, reason) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const classId = (c: ReturnType<typeof classifyHash>): number => {
    const values = [
      c.algorithm,
      c.workosType,
      c.importable ? 1 : 0,
      c.valid ? 1 : 0,
      c.cost ?? null,
      c.importable ? null : (c.reason ?? null),
    ] as const;
    const key = JSON.stringify(values);
    let id = classIds.get(key);
    if (id === undefined) {
      id =
        (findClass.get(...values) as number | undefined) ?? Number(addClass.run(...values).lastInsertRowid);
      classIds.set(key, id);
    }
    return id;
  };

  return {
    prepare(items, counts, unreadable) {
      const batch: PreparedBatch = {
        lastLine: items[items.length - 1]!.line,
        counts,
        rows: [],
        blobSlots: [],
        encryptIds: [],
        encryptValues: [],
        lines: [],
        users: [],
      };
      const noteLine = (
        no: number,
        outcome: LineOutcome,
        m: Partial<MatchResult>,
        problem: string | null,
      ) => {
        batch.lines.push([
          runId,
          no,
          outcome,
          m.userId ?? null,
          null,
          m.via ?? null,
          m.candidates ?? null,
          problem,
        ]);
      };
      const other = (no: number, m: MatchResult) => {
        (counts[countKey[m.outcome as keyof typeof countKey]] as number)++;
        noteLine(no, m.outcome, m, m.problem ?? null);
      };

      // Pass 1: what each line names, so that its users are fetched in one query.
      const parsed = items.map((item) => {
        if ('error' in item) return null;
        if (kind === 'passwords') return item.record;
        return parseMfaSecretLine(item.record);
      });
      const ids: string[] = [];
      for (const p of parsed) {
        if (p === null) continue;
        const id =
          kind === 'passwords'
            ? typeof p === 'object' && !Array.isArray(p)
              ? lineUserId(p as Record<string, unknown>)
              : undefined
            : (p as MfaSecretLine).ok
              ? (p as Extract<MfaSecretLine, { ok: true }>).userId
              : undefined;
        if (id) ids.push(id);
      }
      index.load(ids);

      // Pass 2: match in file order.
      type Matched = { no: number; m: MatchResult; value: string; extra: unknown };
      const matched: Matched[] = [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        counts.lines++;
        if ('error' in item) {
          counts.unreadable++;
          if (unreadable.length < UNREADABLE_REPORTED) unreadable.push(item.line);
          noteLine(item.line, 'unreadable', {}, item.error);
          continue;
        }
        if (kind === 'passwords') {
          const m = matchLine(item.record, index, seen);
          if (m.outcome !== 'matched' && m.outcome !== 'blocked') {
            other(item.line, m);
            continue;
          }
          const hash = (item.record as { passwordHash: string }).passwordHash;
          matched.push({ no: item.line, m, value: hash, extra: classifyHash(hash) });
        } else {
          const p = parsed[i] as MfaSecretLine;
          if (!p.ok) {
            other(item.line, { outcome: 'invalid', problem: p.problem });
            continue;
          }
          const m = matchMfaSecretLine(p, index, seen);
          if (m.outcome !== 'matched' && m.outcome !== 'blocked') {
            other(item.line, m);
            continue;
          }
          matched.push({ no: item.line, m, value: p.secret, extra: null });
        }
      }

      // Pass 3: compare with the committed values and lay out the rows.
      const live = loadLive(matched.map((x) => x.m.userId!));
      for (const { no, m, value, extra } of matched) {
        const userId = m.userId!;
        const blocked = m.outcome === 'blocked' ? 1 : 0;
        const old = live.get(userId);
        let change: 'added' | 'changed' | 'unchanged' = 'added';
        let blob: Buffer | null = null;
        if (old) {
          const same = cipher.decrypt(ref(userId), old[1] as Buffer).equals(Buffer.from(value, 'utf8'));
          const sameFlags = old[2] === m.via && (kind === 'mfa' || old[3] === blocked);
          change = same && sameFlags ? 'unchanged' : 'changed';
          if (same) blob = old[1] as Buffer;
        }
        if (!blob) {
          batch.blobSlots.push(batch.rows.length);
          batch.encryptIds.push(userId);
          batch.encryptValues.push(value);
        }
        if (kind === 'passwords') {
          const c = extra as ReturnType<typeof classifyHash>;
          batch.rows.push([seq, userId, blob, classId(c), blocked, m.via!, no, change]);
          counts.byAlgorithm[c.algorithm] = (counts.byAlgorithm[c.algorithm] ?? 0) + 1;
          if (!c.importable) counts.notImportable++;
        } else batch.rows.push([seq, userId, blob, m.via!, no, change]);
        if (blocked) counts.blocked++;
        else counts.matched++;
        batch.users.push(userId);
      }
      batch.counts = structuredClone(counts);
      return batch;
    },
    write(batch, blobs) {
      for (let i = 0; i < batch.blobSlots.length; i++) batch.rows[batch.blobSlots[i]!]![BLOB] = blobs[i];
      for (const row of batch.rows) rows.add(...row);
      rows.flush();
      for (const line of batch.lines) insertLine.run(line);
      seen.written(batch.users);
    },
  };
}

function commit(
  env: MergeEnv,
  run: {
    runId: string;
    seq: number;
    sha256: string;
    fileName: string;
    encrypted: boolean;
    counts: MergeCounts;
    applied: number;
  },
): MergeSummary {
  const { workspace: ws, kind } = env;
  const db = ws.db;
  const spec = SPECS[kind];
  const now = new Date().toISOString();
  return db.transaction(() => {
    const byChange = Object.fromEntries(
      (
        db
          .prepare(`SELECT change, count(*) AS n FROM ${spec.rows} WHERE run = ? GROUP BY change`)
          .all(run.seq) as { change: string; n: number }[]
      ).map((r) => [r.change, r.n]),
    ) as Record<string, number>;
    // Every changed or unchanged row stands for one row of the previous run; the rest of those are gone.
    const earlier = db
      .prepare("SELECT run_id, seq FROM password_merge_runs WHERE kind = ? AND state = 'committed'")
      .raw()
      .all(kind) as [string, number][];
    let previousRows = 0;
    // Earlier runs' rows and line lists are replaced by this one's: the views show the committed run.
    for (const [id, earlierSeq] of earlier) {
      previousRows += db.prepare(`DELETE FROM ${spec.rows} WHERE run = ?`).run(earlierSeq).changes;
      db.prepare('DELETE FROM password_merge_lines WHERE run_id = ?').run(id);
    }
    const removed = previousRows - (byChange.changed ?? 0) - (byChange.unchanged ?? 0);
    db.prepare(
      "UPDATE password_merge_runs SET state = 'superseded' WHERE kind = ? AND state = 'committed'",
    ).run(kind);
    db.prepare("UPDATE password_merge_runs SET state = 'committed', finished_at = ? WHERE run_id = ?").run(
      now,
      run.runId,
    );

    const withoutValue = kind === 'passwords' ? countWithoutHash(db) : countToReenrol(db);
    const c = run.counts;
    const summary: MergeSummary = {
      kind,
      runId: run.runId,
      fileName: run.fileName,
      fileSha256: run.sha256,
      encrypted: run.encrypted,
      counts: c,
      unmatched: c.noSuchUser + c.notDatabaseUser + c.invalid,
      added: byChange.added ?? 0,
      changed: byChange.changed ?? 0,
      unchanged: byChange.unchanged ?? 0,
      removed,
      withoutValue,
    };
    db.prepare('UPDATE password_merge_runs SET counts_json = ? WHERE run_id = ?').run(
      JSON.stringify(summary),
      run.runId,
    );

    ws.audit.append({
      actor: 'admin',
      action: kind === 'passwords' ? 'passwords.merged' : 'mfa.merged',
      details: {
        runId: run.runId,
        fileName: run.fileName,
        fileSha256: run.sha256,
        encryptedFile: run.encrypted,
        lines: c.lines,
        matched: c.matched,
        blocked: c.blocked,
        duplicates: c.duplicates,
        ambiguous: c.ambiguous,
        unmatched: summary.unmatched,
        added: summary.added,
        changed: summary.changed,
        unchanged: summary.unchanged,
        removed: summary.removed,
        ...(kind === 'passwords'
          ? { withoutHash: withoutValue, notImportable: c.notImportable, byAlgorithm: c.byAlgorithm }
          : { toReenrol: withoutValue }),
      },
    });
    env.saveCheckpoint(
      { runId: run.runId, fileSha256: run.sha256, linesApplied: run.applied, counts: c, committed: true },
      { done: c.lines, total: c.lines, message: `Merged ${run.fileName}` },
    );
    return summary;
  })();
}

const WITHOUT_HASH_WHERE = `u.is_database = 1 AND NOT EXISTS (SELECT 1 FROM password_hashes h WHERE h.user_id = u.user_id)`;

// Users who had a second factor in Auth0 and have no TOTP secret in the workspace: WorkOS cannot take SMS or push
// factors, and a TOTP factor without its secret cannot be moved, so these users enrol again.
const REENROL_WHERE = `(u.has_mfa = 1 OR EXISTS (SELECT 1 FROM auth0_mfa_enrolments e WHERE e.user_id = u.user_id))
  AND NOT EXISTS (SELECT 1 FROM mfa_totp_secrets t WHERE t.user_id = u.user_id)`;

export function countWithoutHash(db: Database): number {
  return db.prepare(`SELECT count(*) FROM auth0_users u WHERE ${WITHOUT_HASH_WHERE}`).pluck().get() as number;
}

export function countToReenrol(db: Database): number {
  return db.prepare(`SELECT count(*) FROM auth0_users u WHERE ${REENROL_WHERE}`).pluck().get() as number;
}

export const listWhere = { withoutHash: WITHOUT_HASH_WHERE, reenrol: REENROL_WHERE };
