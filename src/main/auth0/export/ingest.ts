import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { IdFingerprints } from '../../id-fingerprints';
import { walCommitted } from '../../workspace/wal-checkpointer';
import { batchInsert, type BatchInsert } from '../../workspace/batch-insert';
import { gunzipChunks } from './gunzip-on-thread';

// Streams the users-exports file (gzip, one JSON user per line) straight into the stage tables in batched
// transactions: the file is never held in memory, only one chunk and one batch at a time. Errors name the line
// number, never its content (it holds personal data).

export interface IngestOptions {
  /** Lines already committed by an earlier attempt: read past them without writing. */
  skipLines: number;
  batchSize?: number;
  /** Called inside each batch's transaction with the number of lines committed so far (for the checkpoint). */
  onBatch(linesDone: number): void;
  /** Called between batches, outside any transaction: throw to stop. */
  beforeBatch?(): void;
  /** The file's name for messages, e.g. "the users export file". */
  what?: string;
  /** The gunzip thread's built entry, for benchmarks run from source (gunzip-on-thread.ts). */
  gunzipThread?: string;
}

export interface IngestResult {
  /** All lines of the file, including skipped ones. */
  lines: number;
  /** Lines removed because their user_id appeared on an earlier line. */
  duplicates: number;
}

interface Identity {
  provider?: unknown;
  connection?: unknown;
  user_id?: unknown;
  isSocial?: unknown;
  [key: string]: unknown;
}

const TOKEN_KEYS = ['access_token', 'refresh_token', 'access_token_secret'];

/** Identity-provider tokens are credentials: they are dropped before anything is stored. */
function dropTokens(user: Record<string, unknown>): boolean {
  let dropped = false;
  const ids = Array.isArray(user.identities) ? (user.identities as Identity[]) : [];
  for (const id of ids) {
    for (const k of TOKEN_KEYS) {
      if (id && typeof id === 'object' && k in id) {
        delete id[k];
        dropped = true;
      }
    }
  }
  return dropped;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): number | null => (typeof v === 'boolean' ? (v ? 1 : 0) : null);

/**
 * Settings for the export's own connection: in WAL mode synchronous=NORMAL still never corrupts the file or splits a
 * transaction (a power cut can only lose the last commits, which the checkpoint then redoes), and a larger page
 * cache serves a refresh's comparisons of a million keys (index builds lower it for themselves: stage.ts).
 * Checkpointing every 64 MB of WAL instead of every 4 MB means one fsync pair per dozen batches instead of one per
 * batch (measured: a third of the staging time at 200k users).
 */
export function tuneForBulkWrites(db: Database): void {
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  // Counted in pages, whose size differs between workspaces (workspace.ts: 16 KB, 4 KB before 2026-12-06).
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.round(BULK_CHECKPOINT_BYTES / pageSize)}`);
}

const BULK_CHECKPOINT_BYTES = 64 * 2 ** 20;

const USER_COLUMNS = `user_id, connection, strategy, is_database, email, email_lower, email_verified, given_name,
  family_name, name, blocked, has_mfa, mfa_factors, created_at, updated_at, last_login, logins_count, raw_json`;
const IDENTITY_COLUMNS = 'user_id, provider, identity_user_id, connection, is_social, is_primary, raw_json';
/**
 * Auth0 limits a user's app_metadata and user_metadata to 16 MB together; twice that leaves room for the rest of the
 * profile. A longer line is damage, and is refused before it is held in memory whole.
 */
const MAX_LINE_BYTES = 32 * 2 ** 20;
/** Values per staged row: the rowid, then the columns above. */
const USER_ROW_VALUES = 19;
const IDENTITY_ROW_VALUES = 8;

/** One parsed line as stage rows: the user's column values and its identities' (in the column orders above). */
interface StagedRows {
  userId: string;
  user: unknown[];
  identities: unknown[][];
}

/**
 * A staged identity's rowid is its line * IDENTITY_ROWID_SPAN + its position in the user's list, so the identities
 * of a line whose user turns out to be a repeat can be removed with it (see removeRepeatedUsers).
 */
const IDENTITY_ROWID_SPAN = 2 ** 20;

function toRows(u: Record<string, unknown>, rawLine: string, lineNo: number, what: string): StagedRows {
  const userId = u.user_id;
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new AppError(
      'remote_error',
      `Line ${lineNo} of ${what} has no user_id.`,
      'The file does not look like an Auth0 users export. Start a new export.',
    );
  }
  const raw = dropTokens(u) ? JSON.stringify(u) : rawLine;
  const ids = Array.isArray(u.identities) ? (u.identities as Identity[]) : [];
  if (ids.length >= IDENTITY_ROWID_SPAN) {
    throw new AppError(
      'remote_error',
      `Line ${lineNo} of ${what} lists more identities than any Auth0 user has.`,
    );
  }
  const primary = ids.find((i) => `${String(i?.provider)}|${String(i?.user_id)}` === userId) ?? ids[0];
  const email = str(u.email);
  const mfa = Array.isArray(u.multifactor) && u.multifactor.length > 0 ? u.multifactor : null;
  const provider = str(primary?.provider) ?? userId.slice(0, Math.max(0, userId.indexOf('|'))) ?? null;
  const user = [
    lineNo,
    userId,
    str(primary?.connection),
    provider,
    provider === 'auth0' ? 1 : 0,
    email,
    email === null ? null : email.toLowerCase(),
    bool(u.email_verified),
    str(u.given_name),
    str(u.family_name),
    str(u.name),
    u.blocked === true ? 1 : 0,
    mfa ? 1 : 0,
    mfa ? JSON.stringify(mfa) : null,
    str(u.created_at),
    str(u.updated_at),
    str(u.last_login),
    typeof u.logins_count === 'number' ? u.logins_count : null,
    raw,
  ];
  const identities: unknown[][] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    if (!id || typeof id !== 'object') continue;
    identities.push([
      lineNo * IDENTITY_ROWID_SPAN + k,
      userId,
      str(id.provider) ?? '',
      id.user_id === undefined || id.user_id === null ? '' : String(id.user_id),
      str(id.connection),
      id.isSocial === true ? 1 : 0,
      id === primary ? 1 : 0,
      JSON.stringify(id),
    ]);
  }
  return { userId, user, identities };
}

const USER_INSERT = `INSERT INTO auth0_stage_users (rowid, ${USER_COLUMNS})`;
const IDENTITY_INSERT = `INSERT INTO auth0_stage_identities (rowid, ${IDENTITY_COLUMNS})`;

export function prepareUserWriters(db: Database) {
  const values = (n: number) => `VALUES (${Array(n).fill('?').join(', ')})`;
  return {
    user: db.prepare(`${USER_INSERT} ${values(USER_ROW_VALUES)}`),
    identity: db.prepare(`${IDENTITY_INSERT} ${values(IDENTITY_ROW_VALUES)}`),
  };
}

/** Stages one parsed line (line numbers must be unique within the stage); repeats are removed afterwards. */
export function stageUser(
  w: ReturnType<typeof prepareUserWriters>,
  u: Record<string, unknown>,
  rawLine: string,
  lineNo: number,
  what: string,
): void {
  const rows = toRows(u, rawLine, lineNo, what);
  w.user.run(rows.user);
  for (const id of rows.identities) w.identity.run(id);
}

/**
 * Removes staged users whose id an earlier line already staged, with their identities; the first line wins.
 * One sorted pass over the stage, run after the whole file is staged. Returns how many lines it removed.
 */
export function removeRepeatedUsers(db: Database): number {
  return db
    .transaction(() => {
      // Created and dropped inside the transaction: a failure rolls the temporary table back with everything else.
      db.exec(`CREATE TEMP TABLE repeated_users (user_id TEXT PRIMARY KEY, first INTEGER NOT NULL);
      INSERT INTO temp.repeated_users
        SELECT user_id, min(rowid) FROM auth0_stage_users GROUP BY user_id HAVING count(*) > 1;`);
      let removed = 0;
      if (db.prepare('SELECT EXISTS (SELECT 1 FROM temp.repeated_users)').pluck().get() === 1) {
        const later = db
          .prepare(
            `SELECT s.rowid FROM auth0_stage_users s JOIN temp.repeated_users r ON r.user_id = s.user_id
           WHERE s.rowid > r.first`,
          )
          .pluck()
          .all() as number[];
        const user = db.prepare('DELETE FROM auth0_stage_users WHERE rowid = ?');
        const identities = db.prepare('DELETE FROM auth0_stage_identities WHERE rowid >= ? AND rowid < ?');
        for (const line of later) {
          user.run(line);
          identities.run(line * IDENTITY_ROWID_SPAN, (line + 1) * IDENTITY_ROWID_SPAN);
        }
        removed = later.length;
      }
      db.exec('DROP TABLE temp.repeated_users');
      return removed;
    })
    .immediate(); // it reads the stage before it writes: see the merge in job.ts
}

/**
 * Stages users ROWS_PER_STATEMENT at a time: one multi-row INSERT per group instead of one statement per row. The
 * stage tables have no key, so every row is an append at the end of its table (a key b-tree over ids in file order
 * would take a random insert per row and rewrite most of its pages at every commit).
 */
class UserStager {
  private readonly users: BatchInsert;
  private readonly identities: BatchInsert;

  constructor(db: Database) {
    this.users = batchInsert(db, USER_INSERT, USER_ROW_VALUES);
    this.identities = batchInsert(db, IDENTITY_INSERT, IDENTITY_ROW_VALUES);
  }

  add(rows: StagedRows): void {
    this.users.add(...rows.user);
    for (const id of rows.identities) this.identities.add(...id);
  }

  /** Writes everything buffered; call before the transaction ends. */
  flush(): void {
    this.users.flush();
    this.identities.flush();
  }
}

/** Gunzips and stages `source`; every batch is one transaction that also calls onBatch. */
export async function ingestUsers(
  db: Database,
  source: Readable,
  opts: IngestOptions,
): Promise<IngestResult> {
  const what = opts.what ?? 'the users export file';
  const batchSize = opts.batchSize ?? 5000;
  const stager = new UserStager(db);
  // A repeated id always repeats its fingerprint: when no fingerprint repeats, the file has no repeated id and the
  // sorted pass of removeRepeatedUsers is skipped. Lines an earlier attempt staged are not fingerprinted: a resumed
  // file always takes that exact pass.
  const seen = new IdFingerprints();
  let maybeRepeats = opts.skipLines > 0;
  let lineNo = 0;
  // The batch's lines as byte ranges of the gunzipped chunks, decoded and parsed only inside the batch's transaction,
  // each written before the next is parsed: a user's strings and rows then die young, in the young generation,
  // instead of a whole batch of them outliving collections into the old one. At a million users: 24.5-29.1 s against
  // 27.7-30.6 s in alternating runs, with 10-17% less CPU (README, Benchmarks). The line numbers of a batch are consecutive:
  // only non-blank lines past the skipped ones are gathered, and only they are counted.
  const pendingBufs: Buffer[] = [];
  const pendingStarts: number[] = [];
  const pendingEnds: number[] = [];
  const stageLine = (buf: Buffer, start: number, end: number, no: number): void => {
    const line = buf.toString('utf8', start, end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new AppError(
        'remote_error',
        `Line ${no} of ${what} is not valid JSON; nothing from this file was merged.`,
        'The download may be damaged. Resume the export to fetch the file again; if it fails at the same line, contact Auth0 support.',
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AppError(
        'remote_error',
        `Line ${no} of ${what} is not a JSON object; nothing from this file was merged.`,
      );
    }
    const rows = toRows(parsed as Record<string, unknown>, line, no, what);
    if (seen.add(rows.userId)) maybeRepeats = true;
    stager.add(rows);
  };
  const writeBatch = db.transaction((through: number) => {
    const first = through - pendingStarts.length + 1;
    for (let i = 0; i < pendingStarts.length; i++)
      stageLine(pendingBufs[i]!, pendingStarts[i]!, pendingEnds[i]!, first + i);
    stager.flush();
    opts.onBatch(through);
  });
  const flush = (): void => {
    if (pendingStarts.length === 0) return;
    opts.beforeBatch?.();
    writeBatch(lineNo);
    walCommitted(db);
    pendingBufs.length = 0;
    pendingStarts.length = 0;
    pendingEnds.length = 0;
  };

  /**
   * Lines are cut from the bytes and decoded one by one: a character split between two chunks stays whole, a line in
   * plain ASCII becomes a one-byte string (cheaper to parse and to hand to SQLite than text decoded by the chunk),
   * and a line a resumed attempt reads past is never decoded.
   */
  const take = (buf: Buffer, start: number, end: number): void => {
    if (end > start && buf[end - 1] === 0x0d) end--;
    // Blank lines (the final newline) are not records, also in the part a resumed attempt reads past: the line
    // numbers it stages by must be the first attempt's.
    let blank = true;
    for (let i = start; i < end && blank; i++) blank = buf[i] === 0x20 || buf[i] === 0x09;
    if (blank) return;
    lineNo++;
    if (lineNo <= opts.skipLines) return;
    if (!isUtf8(buf.subarray(start, end))) {
      throw new AppError(
        'remote_error',
        `Line ${lineNo} of ${what} is not valid UTF-8; nothing from this file was merged.`,
        'The download may be damaged. Resume the export to fetch the file again; if it fails at the same line, contact Auth0 support.',
      );
    }
    pendingBufs.push(buf);
    pendingStarts.push(start);
    pendingEnds.push(end);
    if (pendingStarts.length >= batchSize) flush();
  };
  // The end of the last chunk, a line still without its newline: kept as the chunks' own slices and joined once,
  // when its newline arrives (joining at every chunk copied a long line over and over).
  let carry: Buffer[] = [];
  let carryBytes = 0;
  const limitLine = (bytes: number): void => {
    if (bytes <= MAX_LINE_BYTES) return;
    throw new AppError(
      'remote_error',
      `Line ${lineNo + 1} of ${what} is longer than ${MAX_LINE_BYTES / 2 ** 20} MB, more than any Auth0 user can be; nothing from this file was merged.`,
      'The download may be damaged. Resume the export to fetch the file again; if it fails at the same line, contact Auth0 support.',
    );
  };
  try {
    for await (const chunk of gunzipChunks(source, { entryFile: opts.gunzipThread })) {
      let start = 0;
      let nl = chunk.indexOf(0x0a);
      if (carryBytes > 0) {
        if (nl === -1) {
          carry.push(chunk);
          carryBytes += chunk.length;
          limitLine(carryBytes);
          continue;
        }
        limitLine(carryBytes + nl);
        // Only the line split between chunks is copied: copying whole chunks doubled the buffers allocated, and V8
        // answers that memory with full collections.
        const line = Buffer.concat([...carry, chunk.subarray(0, nl)]);
        carry = [];
        carryBytes = 0;
        take(line, 0, line.length);
        start = nl + 1;
        nl = chunk.indexOf(0x0a, start);
      }
      while (nl !== -1) {
        take(chunk, start, nl);
        start = nl + 1;
        nl = chunk.indexOf(0x0a, start);
      }
      if (start < chunk.length) {
        carry = [chunk.subarray(start)];
        carryBytes = chunk.length - start;
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string })?.code ?? '';
    if (code.startsWith('Z_') || code === 'ERR_ZLIB') {
      throw new AppError(
        'remote_error',
        `${what[0]!.toUpperCase()}${what.slice(1)} is damaged or truncated (gzip: ${code}) after line ${lineNo}; nothing from this file was merged.`,
        'Resume the export: it downloads the file again and continues after the last saved line.',
      );
    }
    throw err;
  }
  if (carryBytes > 0) {
    const last = Buffer.concat(carry);
    take(last, 0, last.length);
  }
  flush();
  return { lines: lineNo, duplicates: maybeRepeats ? removeRepeatedUsers(db) : 0 };
}
