import { createHash, randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { FieldCipher, LocationGuard, Workspace } from '../workspace';
import { batchInsert } from '../workspace/batch-insert';
import { entityVersions } from '../auth0/export/versions';
import { inlineEncryptor } from '../workspace/cipher-pool';
import {
  CHANGE_CODES,
  emptyCounts,
  ROW_BLOCKED,
  ROW_VIA_EMAIL,
  SPECS,
  UNREADABLE_REPORTED,
  type HashClassValues,
  type MergeCounts,
  type MergeKind,
  type StagedBatch,
} from './merge-model';
import type { PgpKeyInput } from './reader';
import { startStageThread } from './stage-thread-client';
import {
  stagedBatches,
  type BatchSource,
  type SourceTimings,
  type StageRun,
  type WriteCost,
} from './staged-batches';

// Merges Auth0's password-hash file (or MFA-secret file) into the workspace:
//   read (streamed, PGP decrypted in memory) -> match each line to an exported user -> classify -> encrypt
//   (staged-batches.ts, on threads of their own for a large file) -> write the run's rows here, and only once the whole
//   file was read (for PGP: its integrity check passed) commit the run in one transaction, with the counts in the
//   audit log. Readers see the committed run only (migration 006).
// Resumable: the checkpoint is the number of lines staged and the file's SHA-256, saved in the transaction that staged
// them; a different file starts over. Re-running with the same file changes nothing (unchanged values are detected by
// decrypting the live value, never by keeping a plaintext digest). Failures discard the stage: the workspace's data
// tables are left as they were.

export { emptyCounts, type LineOutcome, type MergeCounts, type MergeKind } from './merge-model';

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
  /** The versions of the exported data the run matches against (export/versions.ts), when it started. */
  exportVersions?: string;
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
  /**
   * Read and match on a thread of its own (with the encryption shared with this thread, or on cipher threads where
   * there are cores for them): 'auto' (the default) does so for files of a few MB and more on two cores or more.
   */
  threads?: boolean | 'auto';
  /** With threads: how many encrypt beside the reading one (default: the cores beyond two, at most four). */
  cipherThreads?: number;
  /** The reading thread's built entry, for a run from source that measures the built app (bench/merge.ts). */
  stageThreadEntry?: string;
  /** Filled with the milliseconds this thread spent in each phase (for bench/merge.ts). */
  timings?: MergeTimings;
}

export interface MergeTimings extends SourceTimings {
  /** Waiting for the next batch from the reading thread. */
  waitBatches: number;
  write: number;
  commit: number;
}

// The hash runs on the merge's thread between the batches it writes, about a chunk per batch: 8 MB chunks hash a
// 400 MB file within the first fifty batches.
const SHA_CHUNK_BYTES = 8 * 1024 * 1024;

/** SHA-256 of the file as it is on disk (for a PGP file: of the encrypted bytes). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  // One buffer refilled: a stream's fresh buffer per chunk is native memory that lingers until a garbage collection,
  // so hashing a large file that way raised the merge's peak memory with the file's size.
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(SHA_CHUNK_BYTES);
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

  // A checkpoint of this kind's unfinished run is resumed only with the same file, which takes its hash first. A
  // fresh run hashes the file while it reads and writes the first batches.
  let cp = env.checkpoint;
  // A run whose users were refreshed by an export since it started is not resumed: its lines were matched against
  // the users as they were. It starts over.
  const exportVersions = entityVersions(db, spec.matchedAgainst);
  const candidate =
    cp?.runId &&
    !cp.committed &&
    cp.counts &&
    cp.exportVersions === exportVersions &&
    db.prepare("SELECT 1 FROM password_merge_runs WHERE run_id = ? AND state = 'staging'").get(cp.runId);
  const knownSha = candidate ? await fileSha256(file) : null;
  let runId: string;
  let counts: MergeCounts;
  let skip: number;
  let pendingSha: Promise<string> | null = null;
  if (candidate && cp?.runId && cp.counts && cp.fileSha256 === knownSha) {
    runId = cp.runId;
    counts = cp.counts;
    skip = cp.linesApplied;
  } else {
    runId = randomUUID();
    counts = emptyCounts();
    skip = 0;
    cp = { runId, fileSha256: knownSha, linesApplied: 0, counts, exportVersions };
    const fresh = cp;
    if (!knownSha) {
      pendingSha = fileSha256(file);
      pendingSha.catch(() => undefined); // awaited below
    }
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
        knownSha ?? '',
        before.size,
        encrypted ? 1 : 0,
        new Date().toISOString(),
      );
      env.saveCheckpoint(fresh, { done: 0, total: null, message: `Reading ${fileName}` });
    })();
  }

  const durable = tuneForStaging(db);
  const seq = db.prepare('SELECT seq FROM password_merge_runs WHERE run_id = ?').pluck().get(runId) as number;
  const sourceTimings = { read: 0, match: 0, waitEncrypt: 0 };
  const read = {
    file,
    ...(env.pgp ? { pgp: env.pgp } : {}),
    ...(env.maxLineBytes ? { maxLineBytes: env.maxLineBytes } : {}),
  };
  // A large file on a multi-core machine is read, matched and encrypted on threads of their own while this one writes.
  const run: StageRun = { kind, runId, seq, skip, counts, read };
  const source: BatchSource = useThreads(env, before.size)
    ? startStageThread({
        ...run,
        workspaceFile: ws.file,
        dataKey: ws.dataKeyForWorker()!,
        cipherThreads: env.cipherThreads ?? cipherThreadsBeside(),
        ...(env.stageThreadEntry ? { entryFile: env.stageThreadEntry } : {}),
        timings: sourceTimings,
      })
    : stagedBatches({
        ...run,
        db,
        cipher,
        encryptor: inlineEncryptor(cipher),
        timings: sourceTimings,
        ...(env.throwIfStopped ? { throwIfStopped: env.throwIfStopped } : {}),
      });
  let sha256 = knownSha ?? '';
  let applied = skip;
  let settled = false;
  // Batches are written while the file is hashed (0.4 s for a 400 MB file, which the reading thread spent idle when
  // the writing waited for it). Until the hash is saved the checkpoints name no file, so a run interrupted before
  // then starts over.
  let hashing = pendingSha !== null;
  const shaSaved = pendingSha?.then((sha) => {
    hashing = false;
    if (settled) return;
    sha256 = sha;
    db.transaction(() => {
      db.prepare('UPDATE password_merge_runs SET file_sha256 = ? WHERE run_id = ?').run(sha, runId);
      env.saveCheckpoint(
        { runId, fileSha256: sha, linesApplied: applied, counts, exportVersions },
        { done: counts.lines, total: null, message: `${counts.lines} lines read from ${fileName}` },
      );
    })();
  });
  shaSaved?.catch(() => undefined); // awaited before the commit
  try {
    const writer = batchWriter(db, kind, seq, cipher);
    // Rows per change code written by this attempt; a resumed run also has rows from earlier attempts, counted at
    // the commit instead.
    const tallies = skip === 0 ? CHANGE_CODES.map(() => 0) : null;
    const unreadable: number[] = [];
    const applyBatch = db.transaction((batch: StagedBatch): WriteCost => {
      const cost = writer.write(batch);
      if (tallies) for (const flags of batch.flags) tallies[flags >> 2]!++;
      applied = batch.lastLine;
      const next: MergeCheckpoint = {
        runId,
        fileSha256: sha256,
        linesApplied: batch.lastLine,
        counts: batch.counts,
        exportVersions,
      };
      env.saveCheckpoint(next, {
        done: batch.counts.lines,
        total: null,
        message: `${batch.counts.lines} lines read from ${fileName}`,
      });
      return cost;
    });

    const clock = phaseClock(env.timings);
    clock.start();
    for await (const batch of source) {
      clock.stop('waitBatches');
      env.throwIfStopped?.();
      // Batches already received are yielded without a turn of the event loop, where the hash's reads complete.
      if (hashing) await new Promise<void>((resolve) => setImmediate(resolve));
      const cost = applyBatch(batch);
      source.written(cost);
      counts = batch.counts;
      for (const line of batch.unreadable) if (unreadable.length < UNREADABLE_REPORTED) unreadable.push(line);
      clock.stop('write');
    }
    env.throwIfStopped?.();
    if (env.timings) Object.assign(env.timings, sourceTimings);
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
    await shaSaved;
    env.throwIfStopped?.();
    // The commit that applies the merge is durable again (synchronous as it was before the staging).
    durable();
    clock.start();
    const summary = commit(env, {
      runId,
      seq,
      sha256,
      fileName,
      encrypted,
      counts,
      applied,
      tallies,
      exportVersions,
    });
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
    settled = true;
    durable();
    await source.close();
  }
}

// Threads pay off for a large file. On two cores, measured at a million lines, the reading thread and this one
// sharing the encryption merged a plain file at 93-103k lines/s (one thread: 62-80k) and a PGP file at 68k (53k),
// peaking at 245-270 MB (one thread: about 165-245 MB), within the merge's 300 MB budget.
const THREADS_FROM_BYTES = 4 * 1024 * 1024;
const THREADS_FROM_CORES = 2;

/** Cipher threads beside the reading and the writing ones: none on two cores, where those two share the encryption. */
function cipherThreadsBeside(): number {
  return Math.min(4, Math.max(0, availableParallelism() - 2));
}

function useThreads(env: MergeEnv, fileBytes: number): boolean {
  const choice = env.threads ?? 'auto';
  if (choice !== 'auto') return choice;
  return fileBytes >= THREADS_FROM_BYTES && availableParallelism() >= THREADS_FROM_CORES;
}

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

/**
 * Staging writes only the run's rows and the checkpoint, which a crash redoes: in WAL mode synchronous=NORMAL
 * cannot corrupt the file, it can only lose the last commits (the checkpoint then resumes before them), and it
 * spares a flush of the log on every batch. The returned function puts the settings back, before the commit that
 * applies the merge so that this one is durable (idempotent).
 */
function tuneForStaging(db: Database): () => void {
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  // The rows being written (and, for a small file, the user index being read) share SQLite's page cache (2 MB by
  // default).
  db.pragma('cache_size = -2000');
  return () => {
    if (db.pragma('synchronous', { simple: true }) !== synchronous) db.pragma(`synchronous = ${synchronous}`);
    if (db.pragma('cache_size', { simple: true }) !== cacheSize) db.pragma(`cache_size = ${cacheSize}`);
  };
}

/** Writes staged batches into the run's rows and line list; called inside each batch's transaction. */
function batchWriter(
  db: Database,
  kind: MergeKind,
  seq: number,
  cipher: FieldCipher,
): { write(batch: StagedBatch): WriteCost } {
  const spec = SPECS[kind];
  const insertLine = db.prepare(
    `INSERT INTO password_merge_lines (run_id, line, outcome, user_id, algorithm, via, candidates, problem)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rows =
    kind === 'passwords'
      ? batchInsert(
          db,
          'INSERT INTO password_hash_rows (run, user_id, hash_enc, class_id, blocked, via, line, change)',
          8,
        )
      : batchInsert(db, 'INSERT INTO mfa_totp_secret_rows (run, user_id, secret_enc, via, line, change)', 6);
  // A hash's classification is stored once per distinct value (a handful per file) and referenced by its id.
  // UNIQUE treats NULLs as distinct, so the lookup compares with IS before inserting.
  const classIds = new Map<string, number>();
  const findClass = db
    .prepare(
      `SELECT class_id FROM password_hash_classes WHERE algorithm = ? AND workos_type IS ? AND importable = ? AND valid = ?
       AND cost IS ? AND reason IS ?`,
    )
    .pluck();
  const addClass = db.prepare(
    'INSERT INTO password_hash_classes (algorithm, workos_type, importable, valid, cost, reason) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const classId = (values: HashClassValues): number => {
    const key = values.join('\u0000');
    let id = classIds.get(key);
    if (id === undefined) {
      id =
        (findClass.get(...values) as number | undefined) ?? Number(addClass.run(...values).lastInsertRowid);
      classIds.set(key, id);
    }
    return id;
  };
  return {
    write(batch) {
      const ids = batch.classes.map(classId);
      const blobs = Buffer.from(batch.blobs.buffer, batch.blobs.byteOffset, batch.blobs.byteLength);
      // The values the reading thread left to this one (rows with an empty blob), timed: the reading thread sizes its
      // share of the next batches by what encryption and writing cost here.
      const encryptStart = performance.now();
      const fresh: Buffer[] = [];
      let start = 0;
      for (let i = 0; i < batch.users.length; i++) {
        if (batch.blobEnds[i] === start) {
          const ref = { table: spec.live, column: spec.column, id: batch.users[i]! };
          fresh.push(cipher.encrypt(ref, batch.deferred[fresh.length]!));
        }
        start = batch.blobEnds[i]!;
      }
      const cost: WriteCost = { encryptMs: performance.now() - encryptStart, encrypted: fresh.length };
      start = 0;
      let deferred = 0;
      for (let i = 0; i < batch.users.length; i++) {
        let blob = blobs.subarray(start, batch.blobEnds[i]);
        start = batch.blobEnds[i]!;
        if (blob.length === 0) blob = fresh[deferred++]!;
        const flags = batch.flags[i]!;
        // Stored as codes (migration 008): via 1 = 'email', 0 = 'id'; change = its CHANGE_CODES index.
        const via = flags & ROW_VIA_EMAIL ? 1 : 0;
        const change = flags >> 2;
        if (kind === 'passwords')
          rows.add(
            seq,
            batch.users[i],
            blob,
            ids[batch.classOf[i]!],
            flags & ROW_BLOCKED,
            via,
            batch.rowLines[i],
            change,
          );
        else rows.add(seq, batch.users[i], blob, via, batch.rowLines[i], change);
      }
      rows.flush();
      for (const line of batch.lines) insertLine.run(line);
      return cost;
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
    tallies: number[] | null;
    exportVersions: string;
  },
): MergeSummary {
  const { workspace: ws, kind } = env;
  const db = ws.db;
  const spec = SPECS[kind];
  const now = new Date().toISOString();
  return db.transaction(() => {
    // Checked in the commit's own transaction: an export's merge of the users is either before it or after it.
    if (entityVersions(db, spec.matchedAgainst) !== run.exportVersions) {
      throw new AppError(
        'job_conflict',
        `An export refreshed the exported users while the ${spec.label} was being merged, so its lines were matched against users as they no longer are. Nothing was merged.`,
        'Merge the file again: the new run matches it against the users as they are now.',
      );
    }
    const byChange = (
      run.tallies
        ? Object.fromEntries(CHANGE_CODES.map((change, i) => [change, run.tallies![i]]))
        : Object.fromEntries(
            (
              db
                .prepare(`SELECT change, count(*) AS n FROM ${spec.rows} WHERE run = ? GROUP BY change`)
                .all(run.seq) as { change: number; n: number }[]
            ).map((r) => [CHANGE_CODES[r.change], r.n]),
          )
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

    const withoutValue =
      kind === 'passwords'
        ? countWithoutHash(db, run.seq, run.tallies ? run.tallies.reduce((a, b) => a + b, 0) : null)
        : countToReenrol(db);
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
      {
        runId: run.runId,
        fileSha256: run.sha256,
        linesApplied: run.applied,
        counts: c,
        committed: true,
        exportVersions: run.exportVersions,
      },
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

/**
 * Database users without a hash once run `seq` is the committed one. A run has one row per user it matched, and
 * only database users are matched, so this is the database users less the run's rows: one scan of the users instead
 * of a lookup per user into the million rows just written (half a second, alone on one core, at a million).
 * `runRows` is what this attempt wrote when it wrote the whole run; a resumed run counts its rows.
 */
function countWithoutHash(db: Database, seq: number, runRows: number | null): number {
  const databaseUsers = db
    .prepare('SELECT count(*) FROM auth0_users WHERE is_database = 1')
    .pluck()
    .get() as number;
  const rows =
    runRows ??
    (db.prepare('SELECT count(*) FROM password_hash_rows WHERE run = ?').pluck().get(seq) as number);
  return databaseUsers - rows;
}

function countToReenrol(db: Database): number {
  return db.prepare(`SELECT count(*) FROM auth0_users u WHERE ${REENROL_WHERE}`).pluck().get() as number;
}

export const listWhere = { withoutHash: WITHOUT_HASH_WHERE, reenrol: REENROL_WHERE };
