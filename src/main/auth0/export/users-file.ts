import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { AppError } from '../../../shared/errors';

// Reads a users-exports file (gzip, one JSON user per line) into batches of stage rows, without touching the
// workspace: ingest.ts writes them, on its own thread or with this running on a thread of its own
// (users-file-thread.ts). Only one chunk and one batch are held at a time. Errors name the line number, never its
// content (it holds personal data).

/** Column lists of the two stage tables, in the order a batch's flat values follow (after the rowid). */
export const USER_COLUMNS = `user_id, connection, strategy, is_database, email, email_lower, email_verified, given_name,
  family_name, name, blocked, has_mfa, mfa_factors, created_at, updated_at, last_login, logins_count, raw_json`;
export const IDENTITY_COLUMNS =
  'user_id, provider, identity_user_id, connection, is_social, is_primary, raw_json';
/** Values per row in a batch: the rowid and the columns above. */
export const USER_ROW_VALUES = 19;
export const IDENTITY_ROW_VALUES = 8;

export interface UsersFileOptions {
  /** Lines already committed by an earlier attempt: read past them without decoding. */
  skipLines: number;
  batchSize?: number;
  /** The file's name for messages, e.g. "the users export file". */
  what?: string;
}

/** The rows of up to batchSize lines, flat (USER_ROW_VALUES per user, IDENTITY_ROW_VALUES per identity). */
export interface UsersBatch {
  users: unknown[];
  identities: unknown[];
  /** Lines of the file read so far, this batch's included. */
  through: number;
  /** Set on the last batch (which may hold no rows): false when no user id can have repeated in this attempt. */
  end?: { maybeRepeats: boolean };
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

/** One parsed line as stage rows: the user's values and its identities' (rowid first, then the columns above). */
export interface StagedRows {
  userId: string;
  user: unknown[];
  identities: unknown[][];
}

/**
 * A staged identity's rowid is its line * IDENTITY_ROWID_SPAN + its position in the user's list, so the identities
 * of a line whose user turns out to be a repeat can be removed with it (see removeRepeatedUsers).
 */
export const IDENTITY_ROWID_SPAN = 2 ** 20;

export function toRows(
  u: Record<string, unknown>,
  rawLine: string,
  lineNo: number,
  what: string,
): StagedRows {
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

/**
 * 64-bit fingerprints of the user ids one attempt staged, in an open-addressing table (16 MB at a million users). A
 * repeated id always repeats its fingerprint, so a file in which no fingerprint repeats has no repeated id and the
 * sorted pass of removeRepeatedUsers can be skipped; any repeat (or, about once in 10^13 files, two ids sharing a
 * fingerprint) sends the stage through that exact pass.
 */
export class IdFingerprints {
  private slots = new Uint32Array(1 << 17); // pairs (hi, lo); (0, 0) marks an empty slot
  private used = 0;

  /** Records `id`; true when its fingerprint was already recorded. */
  add(id: string): boolean {
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    const hi = (a | 1) >>> 0; // never 0, so a stored pair is never taken for an empty slot
    const lo = b >>> 0;
    if (this.insert(this.slots, hi, lo)) return true;
    if (++this.used * 2 > this.slots.length / 2) this.grow();
    return false;
  }

  private insert(slots: Uint32Array, hi: number, lo: number): boolean {
    const mask = slots.length / 2 - 1;
    for (let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      if (slots[2 * i] === 0) {
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        return false;
      }
      if (slots[2 * i] === hi && slots[2 * i + 1] === lo) return true;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.insert(this.slots, old[i]!, old[i + 1]!);
  }
}

/** Stops a download that is no longer read (a stream left open would hold its connection). */
export function closeSource(source: AsyncIterable<unknown>): void {
  const stream = source as { destroy?: () => void; destroyed?: boolean };
  if (typeof stream.destroy === 'function' && !stream.destroyed) stream.destroy();
}

/** Gunzips `source` and yields its lines as batches of stage rows; the last batch has `end`. */
export async function* readUsersFile(
  source: AsyncIterable<Buffer | Uint8Array>,
  opts: UsersFileOptions,
): AsyncGenerator<UsersBatch> {
  const what = opts.what ?? 'the users export file';
  const batchSize = opts.batchSize ?? 5000;
  const seen = new IdFingerprints();
  // Lines an earlier attempt staged are not fingerprinted: a resumed file always takes the exact pass.
  let maybeRepeats = opts.skipLines > 0;
  let lineNo = 0;
  let batch: UsersBatch = { users: [], identities: [], through: 0 };
  let lines = 0;
  const full: UsersBatch[] = [];

  const parse = (buf: Buffer, start: number, end: number): void => {
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
    // Decoded line by line: an ASCII line becomes a one-byte string, cheaper to parse and to hand to SQLite.
    const line = buf.toString('utf8', start, end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new AppError(
        'remote_error',
        `Line ${lineNo} of ${what} is not valid JSON; nothing from this file was merged.`,
        'The download may be damaged. Resume the export to fetch the file again; if it fails at the same line, contact Auth0 support.',
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AppError(
        'remote_error',
        `Line ${lineNo} of ${what} is not a JSON object; nothing from this file was merged.`,
      );
    }
    const rows = toRows(parsed as Record<string, unknown>, line, lineNo, what);
    if (seen.add(rows.userId)) maybeRepeats = true;
    for (const v of rows.user) batch.users.push(v);
    for (const id of rows.identities) for (const v of id) batch.identities.push(v);
    if (++lines === batchSize) {
      batch.through = lineNo;
      full.push(batch);
      batch = { users: [], identities: [], through: 0 };
      lines = 0;
    }
  };

  // Large output chunks: each chunk is a hop to zlib's thread and back, and a million users are ~600 MB of text.
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const feed = (async () => {
    for await (const chunk of source) {
      if (gunzip.destroyed) return; // the reading below stopped: leaving the loop closes the source
      if (!gunzip.write(chunk))
        await new Promise<void>((resolve) => {
          gunzip.once('drain', resolve);
          gunzip.once('close', resolve);
        });
    }
    gunzip.end();
  })();
  feed.catch((err: unknown) => gunzip.destroy(err as Error));
  // Lines are cut from the bytes: a character split between two chunks stays whole.
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      let nl = buf.indexOf(0x0a, start);
      let failure: unknown;
      try {
        while (nl !== -1) {
          parse(buf, start, nl);
          start = nl + 1;
          nl = buf.indexOf(0x0a, start);
        }
      } catch (err) {
        failure = err;
      }
      carry = buf.subarray(start);
      // The batches completed before a bad line are still handed out, as they would be from a file read line by line.
      while (full.length > 0) yield full.shift()!;
      if (failure) throw failure;
    }
    await feed;
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
  } finally {
    gunzip.destroy();
    closeSource(source);
  }
  let failure: unknown;
  try {
    if (carry.length > 0) parse(carry, 0, carry.length);
  } catch (err) {
    failure = err;
  }
  while (full.length > 0) yield full.shift()!;
  if (failure) throw failure;
  batch.through = lineNo;
  batch.end = { maybeRepeats };
  yield batch;
}
