import { createHash, randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { FieldCipher, LocationGuard, Workspace } from '../workspace';
import { batchInsert } from '../auth0/export/batch-insert';
import { classifyHash } from './classify';
import {
  matchLine,
  matchMfaSecretLine,
  parseMfaSecretLine,
  type IndexedUser,
  type MatchResult,
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

/** Looks users up in the exported auth0_users table through its primary key and (email_lower, connection) index. */
export function sqlUserIndex(db: Database): UserIndex {
  const byId = db
    .prepare('SELECT user_id, connection, is_database, blocked FROM auth0_users WHERE user_id = ?')
    .raw();
  const byEmail = db
    .prepare('SELECT user_id FROM auth0_users WHERE email_lower = ? AND connection = ? AND is_database = 1')
    .pluck();
  return {
    byId(userId) {
      const row = byId.get(userId) as [string, string | null, number, number] | undefined;
      if (!row) return undefined;
      const user: IndexedUser = {
        userId: row[0],
        connection: row[1] ?? '',
        isDatabase: row[2] === 1,
        blocked: row[3] === 1,
      };
      return user;
    },
    byEmail: (emailLower, connection) => byEmail.all(emailLower, connection) as string[],
  };
}

/**
 * "Already matched in this file" backed by the stage table, so that it survives a resume without a big Set; the
 * users of rows still buffered for the stage (until the transaction's flush) are held here.
 */
class StagedUsers extends Set<string> {
  private readonly buffered = new Set<string>();
  constructor(private readonly exists: Statement) {
    super();
  }
  override has(userId: string): boolean {
    return this.buffered.has(userId) || this.exists.get(userId) !== undefined;
  }
  override add(): this {
    return this; // the caller stages the row right after matching, through buffer()
  }
  buffer(userId: string): void {
    this.buffered.add(userId);
  }
  /** The buffered rows were written. */
  written(): void {
    this.buffered.clear();
  }
}

interface KindSpec {
  live: string;
  stage: string;
  column: 'hash_enc' | 'secret_enc';
  label: string;
}

const SPECS: Record<MergeKind, KindSpec> = {
  passwords: {
    live: 'password_hashes',
    stage: 'password_hashes_stage',
    column: 'hash_enc',
    label: 'password-hash file',
  },
  mfa: {
    live: 'mfa_totp_secrets',
    stage: 'mfa_totp_secrets_stage',
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

function clearStage(db: Database, kind: MergeKind): void {
  const spec = SPECS[kind];
  db.prepare(`DELETE FROM ${spec.stage}`).run();
  const stale = db
    .prepare("SELECT run_id FROM password_merge_runs WHERE kind = ? AND state = 'staging'")
    .pluck()
    .all(kind) as string[];
  const delLines = db.prepare('DELETE FROM password_merge_lines WHERE run_id = ?');
  const delRun = db.prepare('DELETE FROM password_merge_runs WHERE run_id = ?');
  for (const runId of stale) {
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
        `INSERT INTO password_merge_runs (run_id, kind, job_id, file_name, file_sha256, file_bytes, encrypted, state, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'staging', ?)`,
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
  try {
    const stager = prepareStaging(db, cipher, kind, runId);
    const unreadable: number[] = [];
    let applied = skip;
    const applyBatch = db.transaction((batches: SupportFileItem[][]) => {
      for (const items of batches)
        for (const item of items) {
          counts.lines++;
          if ('error' in item) {
            counts.unreadable++;
            if (unreadable.length < UNREADABLE_REPORTED) unreadable.push(item.line);
            stager.line(item.line, 'unreadable', null, null, null, null, item.error);
          } else stager.record(item.line, item.record, counts);
          applied = item.line;
        }
      stager.flush();
      const next: MergeCheckpoint = { runId, fileSha256: sha256, linesApplied: applied, counts };
      env.saveCheckpoint(next, {
        done: counts.lines,
        total: null,
        message: `${counts.lines} lines read from ${fileName}`,
      });
    });

    // The reader's batches follow its chunks (a few hundred lines for a PGP file): they are gathered into
    // transactions of about LINES_PER_TRANSACTION lines, since each commit has a fixed cost.
    let pending: SupportFileItem[][] = [];
    let pendingLines = 0;
    const flush = (): void => {
      if (pendingLines === 0) return;
      applyBatch(pending);
      pending = [];
      pendingLines = 0;
    };
    for await (const batch of readSupportFileBatches({
      file,
      ...(env.pgp ? { pgp: env.pgp } : {}),
      ...(env.maxLineBytes ? { maxLineBytes: env.maxLineBytes } : {}),
    })) {
      env.throwIfStopped?.();
      const todo = skip > 0 ? batch.filter((i) => i.line > skip) : batch;
      if (todo.length === 0) continue;
      pending.push(todo);
      pendingLines += todo.length;
      if (pendingLines >= LINES_PER_TRANSACTION) flush();
    }
    env.throwIfStopped?.();
    flush();
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
    return commit(env, { runId, sha256, fileName, encrypted, counts, applied });
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
  }
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
  db.pragma('synchronous = NORMAL');
  return () => {
    if (db.pragma('synchronous', { simple: true }) !== synchronous) db.pragma(`synchronous = ${synchronous}`);
  };
}

interface Stager {
  record(line: number, record: unknown, counts: MergeCounts): void;
  /** Writes the buffered stage rows; called before each transaction commits. */
  flush(): void;
  line(
    line: number,
    outcome: LineOutcome,
    userId: string | null,
    algorithm: string | null,
    via: string | null,
    candidates: number | null,
    problem: string | null,
  ): void;
}

function prepareStaging(db: Database, cipher: FieldCipher, kind: MergeKind, runId: string): Stager {
  const spec = SPECS[kind];
  const index = sqlUserIndex(db);
  const seen = new StagedUsers(db.prepare(`SELECT 1 FROM ${spec.stage} WHERE user_id = ?`));
  const insertLine = db.prepare(
    `INSERT INTO password_merge_lines (run_id, line, outcome, user_id, algorithm, via, candidates, problem)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const line: Stager['line'] = (no, outcome, userId, algorithm, via, candidates, problem) => {
    insertLine.run(runId, no, outcome, userId, algorithm, via, candidates, problem);
  };
  const noteOther = (no: number, m: MatchResult, counts: MergeCounts, algorithm: string | null) => {
    const key = countKey[m.outcome as keyof typeof countKey];
    (counts[key] as number)++;
    line(no, m.outcome, m.userId ?? null, algorithm, m.via ?? null, m.candidates ?? null, m.problem ?? null);
  };
  const ref = (userId: string) => ({ table: spec.live, column: spec.column, id: userId });

  if (kind === 'passwords') {
    // A first merge has nothing to compare with: skip the lookup per line.
    const liveEmpty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM password_hashes)').pluck().get() === 1;
    const live = db.prepare('SELECT hash_enc, blocked, via FROM password_hashes WHERE user_id = ?').raw();
    const stage = batchInsert(
      db,
      `INSERT INTO password_hashes_stage (user_id, hash_enc, algorithm, workos_type, importable, valid, cost, reason, blocked, via, line, change)`,
      12,
    );
    return {
      line,
      flush() {
        stage.flush();
        seen.written();
      },
      record(no, record, counts) {
        const m = matchLine(record, index, seen);
        if (m.outcome !== 'matched' && m.outcome !== 'blocked') return noteOther(no, m, counts, null);
        const hash = (record as { passwordHash: string }).passwordHash;
        const c = classifyHash(hash);
        const userId = m.userId!;
        const blocked = m.outcome === 'blocked' ? 1 : 0;
        const old = liveEmpty ? undefined : (live.get(userId) as [Buffer, number, string] | undefined);
        let change: 'added' | 'changed' | 'unchanged' = 'added';
        let blob: Buffer | null = null;
        if (old) {
          const same = cipher.decrypt(ref(userId), old[0]).equals(Buffer.from(hash, 'utf8'));
          change = same && old[1] === blocked && old[2] === m.via ? 'unchanged' : 'changed';
          if (same) blob = change === 'unchanged' ? null : old[0];
        }
        if (change !== 'unchanged' && !blob) blob = cipher.encrypt(ref(userId), hash);
        seen.buffer(userId);
        stage.add(
          userId,
          blob,
          c.algorithm,
          c.workosType,
          c.importable ? 1 : 0,
          c.valid ? 1 : 0,
          c.cost ?? null,
          c.importable ? null : (c.reason ?? null),
          blocked,
          m.via!,
          no,
          change,
        );
        if (blocked) counts.blocked++;
        else counts.matched++;
        counts.byAlgorithm[c.algorithm] = (counts.byAlgorithm[c.algorithm] ?? 0) + 1;
        if (!c.importable) counts.notImportable++;
      },
    };
  }

  const live = db.prepare('SELECT secret_enc, via FROM mfa_totp_secrets WHERE user_id = ?').raw();
  const stage = batchInsert(
    db,
    'INSERT INTO mfa_totp_secrets_stage (user_id, secret_enc, via, line, change)',
    5,
  );
  return {
    line,
    flush() {
      stage.flush();
      seen.written();
    },
    record(no, record, counts) {
      const parsed = parseMfaSecretLine(record);
      if (!parsed.ok) return noteOther(no, { outcome: 'invalid', problem: parsed.problem }, counts, null);
      const m = matchMfaSecretLine(parsed, index, seen);
      if (m.outcome !== 'matched' && m.outcome !== 'blocked') return noteOther(no, m, counts, null);
      const userId = m.userId!;
      const old = live.get(userId) as [Buffer, string] | undefined;
      let change: 'added' | 'changed' | 'unchanged' = 'added';
      let blob: Buffer | null = null;
      if (old) {
        const same = cipher.decrypt(ref(userId), old[0]).equals(Buffer.from(parsed.secret, 'utf8'));
        change = same && old[1] === m.via ? 'unchanged' : 'changed';
        if (same && change === 'changed') blob = old[0];
      }
      if (change !== 'unchanged' && !blob) blob = cipher.encrypt(ref(userId), parsed.secret);
      seen.buffer(userId);
      stage.add(userId, blob, m.via!, no, change);
      if (m.outcome === 'blocked') counts.blocked++;
      else counts.matched++;
    },
  };
}

function commit(
  env: MergeEnv,
  run: {
    runId: string;
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
        db.prepare(`SELECT change, count(*) AS n FROM ${spec.stage} GROUP BY change`).all() as {
          change: string;
          n: number;
        }[]
      ).map((r) => [r.change, r.n]),
    ) as Record<string, number>;
    const removed = db
      .prepare(
        `DELETE FROM ${spec.live} WHERE NOT EXISTS (SELECT 1 FROM ${spec.stage} s WHERE s.user_id = ${spec.live}.user_id)`,
      )
      .run().changes;
    if (kind === 'passwords') {
      db.prepare(
        `INSERT INTO password_hashes (user_id, hash_enc, algorithm, workos_type, importable, valid, cost, reason, blocked, via, run_id, line, updated_at)
         SELECT user_id, hash_enc, algorithm, workos_type, importable, valid, cost, reason, blocked, via, @run, line, @now
         FROM password_hashes_stage WHERE change <> 'unchanged'
         ON CONFLICT (user_id) DO UPDATE SET hash_enc = excluded.hash_enc, algorithm = excluded.algorithm,
           workos_type = excluded.workos_type, importable = excluded.importable, valid = excluded.valid, cost = excluded.cost,
           reason = excluded.reason, blocked = excluded.blocked, via = excluded.via, run_id = excluded.run_id,
           line = excluded.line, updated_at = excluded.updated_at`,
      ).run({ run: run.runId, now });
    } else {
      db.prepare(
        `INSERT INTO mfa_totp_secrets (user_id, secret_enc, via, run_id, line, updated_at)
         SELECT user_id, secret_enc, via, @run, line, @now FROM mfa_totp_secrets_stage WHERE change <> 'unchanged'
         ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, via = excluded.via, run_id = excluded.run_id,
           line = excluded.line, updated_at = excluded.updated_at`,
      ).run({ run: run.runId, now });
    }
    db.prepare(`DELETE FROM ${spec.stage}`).run();

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
    // Earlier runs' line lists are replaced by this one's.
    const earlier = db
      .prepare("SELECT run_id FROM password_merge_runs WHERE kind = ? AND state = 'committed'")
      .pluck()
      .all(kind) as string[];
    for (const id of earlier) db.prepare('DELETE FROM password_merge_lines WHERE run_id = ?').run(id);
    db.prepare(
      "UPDATE password_merge_runs SET state = 'superseded' WHERE kind = ? AND state = 'committed'",
    ).run(kind);
    db.prepare(
      "UPDATE password_merge_runs SET state = 'committed', finished_at = ?, counts_json = ? WHERE run_id = ?",
    ).run(now, JSON.stringify(summary), run.runId);

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
