// Matches one line of Auth0's support file to an exported user, on Auth0's real key (REFERENCE.md):
// `auth0|<alt_id>` when alt_id is present, else `auth0|<_id.$oid>`, together with the line's `connection`.
// The lowercased email is a fallback only where exactly one database user of that connection has it.
// Problems are described in words; no hash, secret or email address ever appears in them.

export interface IndexedUser {
  userId: string;
  connection: string;
  isDatabase: boolean;
  blocked: boolean;
}

/** Provided by the export tables. */
export interface UserIndex {
  byId(userId: string): IndexedUser | undefined;
  /** Ids of the database users of `connection` whose lowercased email is `emailLower`. */
  byEmail(emailLower: string, connection: string): string[];
}

export type MatchOutcome =
  'matched' | 'no_such_user' | 'ambiguous' | 'duplicate' | 'not_database_user' | 'blocked' | 'invalid';

export interface MatchResult {
  outcome: MatchOutcome;
  userId?: string;
  via?: 'id' | 'email';
  /** Number of users sharing the email (ambiguous). */
  candidates?: number;
  problem?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** `auth0|<alt_id>` or `auth0|<_id.$oid>`; undefined when the line carries neither. */
export function lineUserId(record: Record<string, unknown>): string | undefined {
  if (nonEmptyString(record.alt_id))
    return record.alt_id.startsWith('auth0|') ? record.alt_id : `auth0|${record.alt_id}`;
  const id = record._id;
  const oid = isObject(id) ? id.$oid : id;
  if (!nonEmptyString(oid)) return undefined;
  return oid.startsWith('auth0|') ? oid : `auth0|${oid}`;
}

/** Root `email`, else the first `identifiers[type=email]` value; lowercased. */
export function lineEmail(record: Record<string, unknown>): string | undefined {
  if (nonEmptyString(record.email)) return record.email.toLowerCase();
  if (Array.isArray(record.identifiers)) {
    for (const ident of record.identifiers) {
      if (isObject(ident) && ident.type === 'email' && nonEmptyString(ident.value))
        return ident.value.toLowerCase();
    }
  }
  return undefined;
}

/** Resolves a (user id or email, connection) key to one user. Shared by the hash and MFA-secret files. */
export function resolveUser(
  key: { userId?: string; email?: string; connection?: string },
  index: UserIndex,
  seen: Set<string>,
  opts: { requireDatabase: boolean },
): MatchResult {
  let found: IndexedUser | undefined;
  let via: 'id' | 'email' | undefined;
  let nonDatabase = false;

  if (key.userId) {
    const user = index.byId(key.userId);
    if (user && (key.connection === undefined || user.connection === key.connection)) {
      if (!user.isDatabase && opts.requireDatabase) nonDatabase = true;
      else {
        found = user;
        via = 'id';
      }
    }
  }
  if (!found && !nonDatabase && key.email && key.connection !== undefined) {
    const ids = index.byEmail(key.email, key.connection);
    if (ids.length > 1)
      return {
        outcome: 'ambiguous',
        candidates: ids.length,
        problem: 'several database users of this connection have this email',
      };
    const user = ids.length === 1 ? index.byId(ids[0]!) : undefined;
    if (user) {
      found = user;
      via = 'email';
    }
  }
  if (nonDatabase) {
    return {
      outcome: 'not_database_user',
      userId: key.userId!,
      via: 'id',
      problem: 'the user is not in a database connection',
    };
  }
  if (!found || !via)
    return {
      outcome: 'no_such_user',
      problem: 'no exported database user has this id or email in this connection',
    };
  if (seen.has(found.userId)) {
    return {
      outcome: 'duplicate',
      userId: found.userId,
      via,
      problem: 'an earlier line already matched this user',
    };
  }
  seen.add(found.userId);
  if (found.blocked)
    return { outcome: 'blocked', userId: found.userId, via, problem: 'the user is blocked in Auth0' };
  return { outcome: 'matched', userId: found.userId, via };
}

/**
 * One line of the password-hash file. `seen` collects the users already matched (pass the same set for the
 * whole file) so that a second line for a user is a duplicate. A blocked user's line is 'blocked': the hash is
 * kept but flagged.
 */
export function matchLine(record: unknown, index: UserIndex, seen: Set<string>): MatchResult {
  if (!isObject(record)) return { outcome: 'invalid', problem: 'the line is not a JSON object' };
  if (!nonEmptyString(record.connection))
    return { outcome: 'invalid', problem: 'the line has no connection name' };
  if (!nonEmptyString(record.passwordHash))
    return { outcome: 'invalid', problem: 'the line has no passwordHash' };
  const userId = lineUserId(record);
  const email = lineEmail(record);
  if (!userId && !email)
    return { outcome: 'invalid', problem: 'the line has neither an _id, an alt_id nor an email' };
  const key: { userId?: string; email?: string; connection: string } = { connection: record.connection };
  if (userId) key.userId = userId;
  if (email) key.email = email;
  return resolveUser(key, index, seen, { requireDatabase: true });
}

// ---------------------------------------------------------------------------------------------------------------
// MFA-secret file. Its exact shape is unconfirmed (REFERENCE.md): accept NDJSON keyed by user id or email, with a
// Base32 TOTP secret, under the field names seen in practice; report anything else.

export type MfaSecretLine =
  | {
      ok: true;
      userId?: string;
      email?: string;
      connection?: string;
      /** Normalised: upper case, no padding. */
      secret: string;
    }
  | { ok: false; problem: string };

const USER_ID_FIELDS = ['user_id', 'userId'] as const;
const SECRET_FIELDS = ['totp_secret', 'secret', 'totpSecret', 'otp_secret'] as const;

/** Minimum 80 bits (RFC 4226 §4 requires 128, many deployed secrets are 80); maximum 512 bits. */
const MIN_SECRET_BYTES = 10;
const MAX_SECRET_BYTES = 64;

/**
 * Strict RFC 4648 Base32: alphabet A-Z 2-7 (lower case accepted and upper-cased, as authenticator apps do),
 * padding optional but, when present, complete; a length that no byte count produces is refused.
 */
export function validateBase32Secret(
  input: string,
): { ok: true; secret: string; bytes: number } | { ok: false; problem: string } {
  if (input.length === 0) return { ok: false, problem: 'the secret is empty' };
  const upper = input.toUpperCase();
  const m = /^([A-Z2-7]+)(=*)$/.exec(upper);
  if (!m)
    return {
      ok: false,
      problem: 'the secret has characters outside the Base32 alphabet (A-Z, 2-7, = padding)',
    };
  const body = m[1]!;
  const pad = m[2]!.length;
  // Valid unpadded lengths mod 8 for whole bytes: 0, 2, 4, 5, 7 (RFC 4648 §6).
  const rem = body.length % 8;
  if (![0, 2, 4, 5, 7].includes(rem))
    return { ok: false, problem: 'the secret length is not a whole number of bytes in Base32' };
  if (pad > 0 && (body.length + pad) % 8 !== 0)
    return { ok: false, problem: 'the Base32 padding is incomplete or excessive' };
  const bytes = Math.floor((body.length * 5) / 8);
  if (bytes < MIN_SECRET_BYTES)
    return { ok: false, problem: `the secret is ${bytes} bytes; at least ${MIN_SECRET_BYTES} are needed` };
  if (bytes > MAX_SECRET_BYTES)
    return { ok: false, problem: `the secret is ${bytes} bytes; at most ${MAX_SECRET_BYTES} are expected` };
  return { ok: true, secret: body, bytes };
}

export function parseMfaSecretLine(record: unknown): MfaSecretLine {
  if (!isObject(record)) return { ok: false, problem: 'the line is not a JSON object' };
  let userId: string | undefined;
  for (const f of USER_ID_FIELDS) if (nonEmptyString(record[f])) userId = record[f] as string;
  userId ??= lineUserId(record);
  const email = lineEmail(record);
  if (!userId && !email) return { ok: false, problem: 'the line has neither a user id nor an email' };
  if (record.type !== undefined && record.type !== 'totp' && record.type !== 'authenticator') {
    return { ok: false, problem: 'the line is not a TOTP enrolment' };
  }
  let raw: unknown;
  for (const f of SECRET_FIELDS) if (record[f] !== undefined) raw = record[f];
  if (raw === undefined) return { ok: false, problem: 'the line has no TOTP secret' };
  if (typeof raw !== 'string') return { ok: false, problem: 'the TOTP secret is not a string' };
  const checked = validateBase32Secret(raw);
  if (!checked.ok) return checked;
  const out: MfaSecretLine = { ok: true, secret: checked.secret };
  if (userId) out.userId = userId.includes('|') ? userId : `auth0|${userId}`;
  if (email) out.email = email;
  if (nonEmptyString(record.connection)) out.connection = record.connection;
  return out;
}

/**
 * Matches a parsed MFA-secret line to a user: by id (any connection, social and enterprise users included: a TOTP
 * factor is not tied to a password), else by email among the database users of the line's connection.
 */
export function matchMfaSecretLine(
  line: Extract<MfaSecretLine, { ok: true }>,
  index: UserIndex,
  seen: Set<string>,
): MatchResult {
  const key: { userId?: string; email?: string; connection?: string } = {};
  if (line.userId) key.userId = line.userId;
  if (line.email) key.email = line.email;
  if (line.connection) key.connection = line.connection;
  return resolveUser(key, index, seen, { requireDatabase: false });
}
