import type { Database, Statement } from 'better-sqlite3';
import type { FieldCipher } from '../workspace/cipher';
import type { BulkEncryptor } from '../workspace/cipher-pool';
import { IdFingerprints } from '../id-fingerprints';
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
import {
  CHANGE_CODES,
  countKey,
  ROW_BLOCKED,
  ROW_VIA_EMAIL,
  SPECS,
  UNREADABLE_REPORTED,
  type Change,
  type HashClassValues,
  type LineOutcome,
  type MergeCounts,
  type MergeKind,
  type StagedBatch,
} from './merge-model';
import { readSupportFileBatches, type ReadSupportFileOptions, type SupportFileItem } from './reader';

// The reading half of a merge: support file -> lines -> matched to exported users -> classified -> compared with the
// committed values -> encrypted, yielded as batches ready to be written, in file order. It only reads the workspace,
// so it can run on a thread of its own (stage-thread.ts) while the merge's thread writes the previous batches.

/** Which run a reading half works for and where it resumes: the same whether it runs inline or on its own thread. */
export interface StageRun {
  kind: MergeKind;
  runId: string;
  /** The run's number in the rows table. */
  seq: number;
  /** Lines already written by an earlier attempt of this run. */
  skip: number;
  /** The counts so far (of the lines skipped); not modified. */
  counts: MergeCounts;
  read: ReadSupportFileOptions;
}

export interface StagedBatchesOptions extends StageRun {
  db: Database;
  /** Decrypts committed values to tell changed from unchanged ones. */
  cipher: FieldCipher;
  encryptor: BulkEncryptor;
  /**
   * The share (0 to 1) of a batch's fresh values this side encrypts; the rest go to the writing thread as `deferred`.
   * Always 1 unless this side runs on a thread of its own and has no cipher threads to hand values to.
   */
  encryptShare?(batch: { lines: number; values: number }): number;
  throwIfStopped?(): void;
  timings?: SourceTimings;
}

/** Milliseconds this half spent reading and parsing, matching, and waiting for the cipher threads. */
export interface SourceTimings {
  read: number;
  match: number;
  waitEncrypt: number;
}

/** What writing a batch cost the writing thread: the time it took to encrypt its deferred values. */
export interface WriteCost {
  encryptMs: number;
  encrypted: number;
}

export interface BatchSource extends AsyncIterable<StagedBatch> {
  /** The oldest batch not yet acknowledged was written: its users now count as staged through the rows table. */
  written(cost?: WriteCost): void;
  close(): Promise<void>;
}

// Small enough that a batch's parsed lines die young (held longer, they are promoted to V8's old space and grow the
// heap), large enough to spread a transaction's fixed cost.
export const LINES_PER_BATCH = 1000;
// Batches matched ahead while earlier ones are encrypted on other threads. With the caller's own cipher there is
// nothing to overlap: a batch is yielded at once, so that its parsed lines die young instead of being promoted to
// V8's old space (which grew the heap by a hundred MB at a million lines).
const MAX_IN_FLIGHT = 2;
const NO_BLOB = Buffer.alloc(0);

/**
 * The exported users a batch of lines names, fetched with one query per batch (a query per line cost more than the
 * matching itself at a million lines). Ids the batch did not name (found through an email) are looked up one by one.
 */
/**
 * `+connection`: the email index finds the one to three rows of an address, where the connection index would read
 * every user of the connection (migration 011 dropped the index on both columns).
 */
export const USERS_BY_EMAIL_SQL =
  'SELECT user_id FROM auth0_users WHERE email_lower = ? AND +connection = ? AND is_database = 1';

class BatchUserIndex implements UserIndex {
  private users = new Map<string, IndexedUser>();
  private fetched = new Set<string>();
  private readonly many: Statement;
  private readonly one: Statement;
  private readonly byEmailStmt: Statement;

  constructor(db: Database) {
    // Each user as its position in the ids given, and its connection only where it is not the one expected: a
    // million ids and connection names read back as fresh strings were a fifth of this query's cost.
    this.many = db
      .prepare(
        `SELECT j.key, CASE WHEN u.connection IS @connection THEN NULL ELSE coalesce(u.connection, '') END,
           u.is_database, u.blocked
         FROM json_each(@ids) j JOIN auth0_users u ON u.user_id = j.value`,
      )
      .raw();
    this.one = db
      .prepare('SELECT user_id, connection, is_database, blocked FROM auth0_users WHERE user_id = ?')
      .raw();
    this.byEmailStmt = db.prepare(USERS_BY_EMAIL_SQL).pluck();
  }

  /** Replaces what is held with the users of `ids`; `connection` is the one most of them are expected in. */
  load(ids: string[], connection: string): void {
    this.users.clear();
    this.fetched = new Set(ids);
    if (ids.length === 0) return;
    const rows = this.many.all({ ids: JSON.stringify(ids), connection }) as [
      number,
      string | null,
      number,
      number,
    ][];
    for (const row of rows) {
      const userId = ids[row[0]]!;
      this.users.set(userId, toUser([userId, row[1] ?? connection, row[2], row[3]]));
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
}

function toUser(row: [string, string | null, number, number]): IndexedUser {
  return { userId: row[0], connection: row[1] ?? '', isDatabase: row[2] === 1, blocked: row[3] === 1 };
}

/**
 * "Already matched in this file": the users this run wrote (in its rows table, so it survives a resume) and those of
 * the batches matched but not yet written (their encryption or their write may still be running). Every user matched
 * leaves a fingerprint, so a user never matched (nearly every line) is told without a query; a fingerprint found is
 * checked exactly, against the batches not yet written and then the rows table. The users of a batch are the ones
 * added while it was matched (endBatch), in the order the batches are written.
 */
class SeenUsers extends Set<string> {
  // Arrays, not a Set: a Set's add and delete for every user cost more than the rare exact check's scan.
  private current: string[] = [];
  private readonly unwritten: string[][] = [];
  private readonly fingerprints = new IdFingerprints();
  private readonly isStaged: Statement;

  constructor(
    db: Database,
    rowsTable: string,
    private readonly run: number,
    resumed: boolean,
  ) {
    super();
    this.isStaged = db.prepare(`SELECT 1 FROM ${rowsTable} WHERE run = ? AND user_id = ?`);
    if (resumed) {
      const earlier = db.prepare(`SELECT user_id FROM ${rowsTable} WHERE run = ?`).pluck();
      for (const userId of earlier.iterate(run) as Iterable<string>) this.fingerprints.add(userId);
    }
  }
  override has(userId: string): boolean {
    if (!this.fingerprints.has(userId)) return false;
    if (this.current.includes(userId) || this.unwritten.some((users) => users.includes(userId))) return true;
    return this.isStaged.get(this.run, userId) !== undefined;
  }
  override add(userId: string): this {
    this.fingerprints.add(userId);
    this.current.push(userId);
    return this;
  }
  /** The users added since the last call make up a batch that is written later. */
  endBatch(): void {
    this.unwritten.push(this.current);
    this.current = [];
  }
  /** The oldest batch not yet written was written. */
  written(): void {
    this.unwritten.shift();
  }
}

/** A batch before its blobs: kept[i] is null where the next fresh ciphertext goes. */
interface MatchedBatch {
  lastLine: number;
  counts: MergeCounts;
  users: string[];
  rowLines: number[];
  flags: number[];
  kept: (Buffer | null)[];
  classOf: number[];
  classes: HashClassValues[];
  encryptIds: string[];
  encryptValues: string[];
  lines: unknown[][];
  unreadable: number[];
}

export function stagedBatches(opts: StagedBatchesOptions): BatchSource {
  const { db, cipher, kind, runId, seq } = opts;
  const spec = SPECS[kind];
  const index = new BatchUserIndex(db);
  const seen = new SeenUsers(db, spec.rows, seq, opts.skip > 0);
  const counts: MergeCounts = structuredClone(opts.counts);
  const ref = (userId: string) => ({ table: spec.live, column: spec.column, id: userId });
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
  const timings = opts.timings;
  let since = 0;
  const tick = (phase?: keyof SourceTimings): void => {
    if (!timings) return;
    const now = performance.now();
    if (phase) timings[phase] += now - since;
    since = now;
  };

  function match(items: SupportFileItem[]): MatchedBatch {
    const batch: MatchedBatch = {
      lastLine: items[items.length - 1]!.line,
      counts,
      users: [],
      rowLines: [],
      flags: [],
      kept: [],
      classOf: [],
      classes: [],
      encryptIds: [],
      encryptValues: [],
      lines: [],
      unreadable: [],
    };
    const classIndex = new Map<string, number>();
    const noteLine = (no: number, outcome: LineOutcome, m: Partial<MatchResult>, problem: string | null) => {
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
    const parsed: (MfaSecretLine | null)[] = [];
    const ids: string[] = [];
    // The connection of the batch's first line that names one: a file's lines are mostly of one connection.
    let expectedConnection: string | undefined;
    for (const item of items) {
      if ('error' in item) {
        parsed.push(null);
        continue;
      }
      let id: string | undefined;
      let connection: unknown;
      if (kind === 'passwords') {
        parsed.push(null);
        id = lineUserId(item.record as Record<string, unknown>);
        connection = (item.record as Record<string, unknown>).connection;
      } else {
        const p = parseMfaSecretLine(item.record);
        parsed.push(p);
        if (p.ok) {
          id = p.userId;
          connection = p.connection;
        }
      }
      if (id) ids.push(id);
      if (expectedConnection === undefined && typeof connection === 'string') expectedConnection = connection;
    }
    index.load(ids, expectedConnection ?? '');

    // Pass 2: match in file order.
    const matched: { no: number; m: MatchResult; value: string; cls: HashClassValues | null }[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      counts.lines++;
      if ('error' in item) {
        counts.unreadable++;
        if (batch.unreadable.length < UNREADABLE_REPORTED) batch.unreadable.push(item.line);
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
        const c = classifyHash(hash);
        counts.byAlgorithm[c.algorithm] = (counts.byAlgorithm[c.algorithm] ?? 0) + 1;
        if (!c.importable) counts.notImportable++;
        const cls: HashClassValues = [
          c.algorithm,
          c.workosType,
          c.importable ? 1 : 0,
          c.valid ? 1 : 0,
          c.cost ?? null,
          c.importable ? null : (c.reason ?? null),
        ];
        matched.push({ no: item.line, m, value: hash, cls });
      } else {
        const p = parsed[i]!;
        if (!p.ok) {
          other(item.line, { outcome: 'invalid', problem: p.problem });
          continue;
        }
        const m = matchMfaSecretLine(p, index, seen);
        if (m.outcome !== 'matched' && m.outcome !== 'blocked') {
          other(item.line, m);
          continue;
        }
        matched.push({ no: item.line, m, value: p.secret, cls: null });
      }
    }

    // Pass 3: compare with the committed values and lay out the rows.
    const live = loadLive(matched.map((x) => x.m.userId!));
    for (const { no, m, value, cls } of matched) {
      const userId = m.userId!;
      const blocked = m.outcome === 'blocked' ? 1 : 0;
      const old = live.get(userId);
      let change: Change = 'added';
      let blob: Buffer | null = null;
      if (old) {
        const same = cipher.decrypt(ref(userId), old[1] as Buffer).equals(Buffer.from(value, 'utf8'));
        const sameFlags = old[2] === m.via && (kind === 'mfa' || old[3] === blocked);
        change = same && sameFlags ? 'unchanged' : 'changed';
        if (same) blob = old[1] as Buffer;
      }
      if (!blob) {
        batch.encryptIds.push(userId);
        batch.encryptValues.push(value);
      }
      batch.kept.push(blob);
      batch.users.push(userId);
      batch.rowLines.push(no);
      batch.flags.push(
        (blocked ? ROW_BLOCKED : 0) |
          (m.via === 'email' ? ROW_VIA_EMAIL : 0) |
          (CHANGE_CODES.indexOf(change) << 2),
      );
      if (cls) {
        const key = cls.join('\u0000');
        let at = classIndex.get(key);
        if (at === undefined) {
          at = batch.classes.push(cls) - 1;
          classIndex.set(key, at);
        }
        batch.classOf.push(at);
      }
      if (blocked) counts.blocked++;
      else counts.matched++;
    }
    seen.endBatch();
    batch.counts = structuredClone(counts);
    return batch;
  }

  async function* batches(): AsyncGenerator<StagedBatch> {
    const inFlight: { batch: MatchedBatch; blobs: Promise<Buffer[]>; deferred: string[] }[] = [];
    let pending: SupportFileItem[] = [];
    const dispatch = (): void => {
      if (pending.length === 0) return;
      tick();
      const batch = match(pending);
      tick('match');
      const share = opts.encryptShare?.({ lines: pending.length, values: batch.encryptValues.length }) ?? 1;
      pending = [];
      const here = share >= 1 ? batch.encryptValues.length : Math.round(batch.encryptValues.length * share);
      const deferred = batch.encryptValues.splice(here);
      batch.encryptIds.length = here;
      const blobs = opts.encryptor.encryptMany(spec.live, spec.column, batch.encryptIds, batch.encryptValues);
      blobs.catch(() => undefined); // awaited in order below; a failure must not surface before then
      inFlight.push({ batch, blobs, deferred });
    };
    const finished = async (): Promise<StagedBatch> => {
      const { batch, blobs, deferred } = inFlight.shift()!;
      tick();
      const fresh = await blobs;
      tick('waitEncrypt');
      // Kept and fresh ciphertexts back to back, in row order; the rows of the deferred values (the batch's last
      // fresh ones) get an empty blob.
      const blobEnds = new Int32Array(batch.users.length);
      let next = 0;
      const ordered = batch.kept.map((kept) => kept ?? fresh[next++] ?? NO_BLOB);
      const all = new Uint8Array(ordered.reduce((n, b) => n + b.length, 0));
      let at = 0;
      ordered.forEach((blob, i) => {
        all.set(blob, at);
        at += blob.length;
        blobEnds[i] = at;
      });
      return {
        lastLine: batch.lastLine,
        counts: batch.counts,
        users: batch.users,
        rowLines: Int32Array.from(batch.rowLines),
        flags: Uint8Array.from(batch.flags),
        blobs: all,
        blobEnds,
        deferred,
        classOf: Uint8Array.from(batch.classOf),
        classes: batch.classes,
        lines: batch.lines,
        unreadable: batch.unreadable,
      };
    };
    tick();
    for await (const items of readSupportFileBatches(opts.read)) {
      tick('read');
      opts.throwIfStopped?.();
      for (const item of items) if (item.line > opts.skip) pending.push(item);
      // The reader's batches follow its chunks (a few hundred lines for a PGP file): they are gathered into
      // batches of about LINES_PER_BATCH lines.
      if (pending.length >= LINES_PER_BATCH) dispatch();
      while (inFlight.length > (opts.encryptor.parallel ? MAX_IN_FLIGHT : 0)) yield await finished();
      tick();
    }
    opts.throwIfStopped?.();
    dispatch();
    while (inFlight.length > 0) yield await finished();
  }

  const iterator = batches();
  return {
    [Symbol.asyncIterator]: () => iterator,
    written() {
      seen.written();
    },
    async close() {
      await iterator.return(undefined);
      await opts.encryptor.close();
    },
  };
}
