// Identifies the algorithm of one password hash from Auth0's support file, checks its structure and maps it to
// a WorkOS password_hash_type. Nothing here ever echoes the hash: problems are described in words and lengths.
//
// What WorkOS accepts, and where we read it:
// - node_modules/@workos/openapi-spec/open-api-spec.yaml, CreateUserlandUserDto.password_hash_type:
//   enum bcrypt | firebase-scrypt | ssha | scrypt | pbkdf2 | argon2 (password_hash is a plain string, no pattern).
// - node_modules/@workos-inc/node (lib/factory-*.d.mts, PasswordHashType): 'bcrypt' | 'firebase-scrypt' | 'ssha' |
//   'scrypt' | 'argon2' — the SDK 11 type omits 'pbkdf2' although the API accepts it (send it as the raw field).
// - WorkOS migration guides: scrypt, argon2 and pbkdf2 hashes are expected as PHC strings
//   (`$scrypt$ln=..,r=..,p=..$salt$hash`, `$argon2id$v=19$m=..,t=..,p=..$salt$hash`, `$pbkdf2-sha256$...`).
// - workos/workos-migrations src/transformers/firebase/scrypt.ts: the firebase-scrypt string WorkOS's own CLI
//   sends, `$firebase-scrypt$hash=<b64>$salt=<b64>$sk=<b64>$ss=<b64>$r=<rounds>$m=<memCost>`.
// Nothing in those sources lists unsalted md5/sha*/{SHA} digests, so they are reported as not importable.

export type HashAlgorithm =
  | 'bcrypt'
  | 'argon2'
  | 'scrypt'
  | 'firebase-scrypt'
  | 'pbkdf2'
  | 'ssha'
  | 'ssha256'
  | 'ssha512'
  | 'md5'
  | 'sha1'
  | 'sha256'
  | 'sha512'
  | 'unknown';

export type WorkosHashType = 'bcrypt' | 'firebase-scrypt' | 'ssha' | 'scrypt' | 'pbkdf2' | 'argon2';

export interface HashClassification {
  algorithm: HashAlgorithm;
  workosType: WorkosHashType | null;
  importable: boolean;
  /** Why the hash cannot be imported (set whenever importable is false). */
  reason?: string;
  /** The work factor where the format carries a single one: bcrypt cost, scrypt log2(N), PBKDF2 iterations, argon2 t. */
  cost?: number;
  /** Structure checks passed. */
  valid: boolean;
  /** What is wrong with the structure, in words (set whenever valid is false). */
  problem?: string;
}

const NEEDS_RESET =
  'The user will need a password reset or just-in-time migration (verify against Auth0 at first login).';

const UNSALTED_REASON = (name: string) =>
  `An unsalted ${name} digest: WorkOS accepts only bcrypt, firebase-scrypt, ssha, scrypt, pbkdf2 and argon2 hashes. ${NEEDS_RESET}`;

function ok(algorithm: HashAlgorithm, workosType: WorkosHashType, cost?: number): HashClassification {
  return cost === undefined
    ? { algorithm, workosType, importable: true, valid: true }
    : { algorithm, workosType, importable: true, valid: true, cost };
}

function notImportable(algorithm: HashAlgorithm, reason: string, cost?: number): HashClassification {
  const base: HashClassification = { algorithm, workosType: null, importable: false, reason, valid: true };
  return cost === undefined ? base : { ...base, cost };
}

function corrupted(algorithm: HashAlgorithm, problem: string): HashClassification {
  return {
    algorithm,
    workosType: null,
    importable: false,
    valid: false,
    problem,
    reason: `The hash is damaged (${problem}); importing it would leave the user unable to sign in. ${NEEDS_RESET}`,
  };
}

const BCRYPT_B64 = /^[./A-Za-z0-9]+$/;
const STD_B64_NOPAD = /^[A-Za-z0-9+/]+$/;
const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Salts and digests in PHC-like strings: standard or passlib "adapted" base64 ('.' for '+'), padding optional.
const B64ISH = /^[A-Za-z0-9+/.]+={0,2}$/;
const HEX = /^[0-9a-fA-F]+$/;
const DIGITS = /^[0-9]+$/;

/** Decoded length of unpadded base64 text, or -1 if the length is impossible. */
function unpaddedB64Bytes(text: string): number {
  if (text.length % 4 === 1) return -1;
  return Math.floor((text.length * 3) / 4);
}

function paddedB64Bytes(text: string): number {
  if (!STD_B64.test(text) || text.length === 0) return -1;
  return Buffer.from(text, 'base64').length;
}

function parseIntStrict(text: string | undefined): number | undefined {
  if (text === undefined || !DIGITS.test(text) || text.length > 10) return undefined;
  return Number(text);
}

/** `k=v,k=v` parameter list of a PHC string; undefined when malformed or a key repeats. */
function phcParams(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) return undefined;
    const key = part.slice(0, eq);
    if (out.has(key)) return undefined;
    out.set(key, part.slice(eq + 1));
  }
  return out;
}

function classifyBcrypt(hash: string): HashClassification {
  const variant = hash.slice(1, 3);
  if (hash.length !== 60)
    return corrupted('bcrypt', `a bcrypt hash is 60 characters long; this one has ${hash.length}`);
  if (hash[3] !== '$' || hash[6] !== '$')
    return corrupted('bcrypt', 'the cost field is not two digits between "$" signs');
  const cost = parseIntStrict(hash.slice(4, 6));
  if (cost === undefined) return corrupted('bcrypt', 'the cost field is not a two-digit number');
  if (cost < 4 || cost > 31) return corrupted('bcrypt', `the cost ${cost} is outside bcrypt's range 4-31`);
  if (!BCRYPT_B64.test(hash.slice(7))) {
    return corrupted('bcrypt', 'the salt and digest contain characters outside the bcrypt base64 alphabet');
  }
  if (variant === '2x') {
    return notImportable(
      'bcrypt',
      `A "$2x$" bcrypt hash from the pre-2011 crypt_blowfish bug: modern bcrypt implementations, WorkOS's included, ` +
        `do not verify it reliably. ${NEEDS_RESET}`,
      cost,
    );
  }
  return ok('bcrypt', 'bcrypt', cost);
}

function classifyArgon2(hash: string): HashClassification {
  // $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>   (v= is absent in pre-1.3 hashes)
  const parts = hash.split('$');
  const variant = parts[1] ?? '';
  let i = 2;
  if (parts[i]?.startsWith('v=')) {
    const v = parseIntStrict(parts[i]!.slice(2));
    if (v !== 16 && v !== 19) return corrupted('argon2', 'the version field is neither v=16 nor v=19');
    i++;
  }
  if (parts.length !== i + 3)
    return corrupted('argon2', 'an argon2 PHC string has parameters, salt and digest fields');
  const params = phcParams(parts[i]!);
  const m = parseIntStrict(params?.get('m'));
  const t = parseIntStrict(params?.get('t'));
  const p = parseIntStrict(params?.get('p'));
  if (!params || m === undefined || t === undefined || p === undefined) {
    return corrupted('argon2', 'the parameter field lacks numeric m, t and p');
  }
  if (t < 1 || p < 1 || p > 0xffffff || m < 8 * p)
    return corrupted('argon2', 'the m, t or p parameter is out of range');
  const salt = parts[i + 1]!;
  const digest = parts[i + 2]!;
  if (!STD_B64_NOPAD.test(salt) || unpaddedB64Bytes(salt) < 8) {
    return corrupted('argon2', 'the salt is not unpadded base64 of at least 8 bytes');
  }
  if (!STD_B64_NOPAD.test(digest) || unpaddedB64Bytes(digest) < 4) {
    return corrupted('argon2', 'the digest is not unpadded base64 of at least 4 bytes');
  }
  if (variant === 'argon2d') {
    return notImportable(
      'argon2',
      'argon2d uses data-dependent memory access, which leaks through side channels; it is not a password-hashing ' +
        `variant and WorkOS's argon2 type covers argon2i and argon2id. ${NEEDS_RESET}`,
      t,
    );
  }
  return ok('argon2', 'argon2', t);
}

function classifyScrypt(hash: string): HashClassification {
  // $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>   (some writers use n=<N> instead of ln=)
  const parts = hash.split('$');
  if (parts.length !== 5)
    return corrupted('scrypt', 'a scrypt PHC string has parameters, salt and digest fields');
  const params = phcParams(parts[2]!);
  let ln = parseIntStrict(params?.get('ln'));
  const n = parseIntStrict(params?.get('n'));
  if (ln === undefined && n !== undefined) {
    if (n < 2 || (n & (n - 1)) !== 0) return corrupted('scrypt', 'N is not a power of two');
    ln = Math.log2(n);
  }
  const r = parseIntStrict(params?.get('r'));
  const p = parseIntStrict(params?.get('p'));
  if (!params || ln === undefined || r === undefined || p === undefined) {
    return corrupted('scrypt', 'the parameter field lacks numeric ln (or n), r and p');
  }
  if (ln < 1 || ln > 31 || r < 1 || p < 1)
    return corrupted('scrypt', 'the ln, r or p parameter is out of range');
  const salt = parts[3]!;
  const digest = parts[4]!;
  if (!B64ISH.test(salt)) return corrupted('scrypt', 'the salt is not base64');
  if (!B64ISH.test(digest) || unpaddedB64Bytes(digest.replace(/=+$/, '')) < 16) {
    return corrupted('scrypt', 'the digest is not base64 of at least 16 bytes');
  }
  return ok('scrypt', 'scrypt', ln);
}

function classifyFirebaseScrypt(hash: string): HashClassification {
  // $firebase-scrypt$hash=<b64>$salt=<b64>$sk=<b64>$ss=<b64>$r=<rounds>$m=<memCost>  (fields in any order)
  const fields = new Map<string, string>();
  for (const part of hash.split('$').slice(2)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return corrupted('firebase-scrypt', 'a field is not of the form name=value');
    const key = part.slice(0, eq);
    if (fields.has(key)) return corrupted('firebase-scrypt', 'a field name appears twice');
    fields.set(key, part.slice(eq + 1));
  }
  for (const key of ['hash', 'salt', 'sk', 'ss', 'r', 'm']) {
    if (!fields.has(key)) return corrupted('firebase-scrypt', `the field "${key}" is missing`);
  }
  const rounds = parseIntStrict(fields.get('r'));
  const memCost = parseIntStrict(fields.get('m'));
  if (rounds === undefined || rounds < 1 || rounds > 8)
    return corrupted('firebase-scrypt', 'rounds (r) is not 1-8');
  if (memCost === undefined || memCost < 1 || memCost > 14)
    return corrupted('firebase-scrypt', 'mem_cost (m) is not 1-14');
  for (const [key, min] of [
    ['hash', 16],
    ['salt', 1],
    ['sk', 16],
    ['ss', 1],
  ] as const) {
    if (paddedB64Bytes(fields.get(key)!) < min)
      return corrupted('firebase-scrypt', `the field "${key}" is not valid base64`);
  }
  return ok('firebase-scrypt', 'firebase-scrypt', memCost);
}

const PBKDF2_DIGESTS: Record<string, number> = { sha1: 20, sha256: 32, sha512: 64 };

function classifyPbkdf2Phc(hash: string): HashClassification {
  // PHC: $pbkdf2-sha256$i=<iterations>,l=<length>$<salt b64>$<hash b64>
  // passlib: $pbkdf2-sha256$<iterations>$<salt ab64>$<hash ab64>   ("$pbkdf2$" = HMAC-SHA1)
  const parts = hash.split('$');
  const id = parts[1] ?? '';
  const digestName = id === 'pbkdf2' ? 'sha1' : id.slice('pbkdf2-'.length);
  const digestBytes = PBKDF2_DIGESTS[digestName];
  if (digestBytes === undefined) return corrupted('pbkdf2', 'the PRF is not sha1, sha256 or sha512');
  if (parts.length !== 5)
    return corrupted('pbkdf2', 'a PBKDF2 string has iterations, salt and digest fields');
  let iterations = parseIntStrict(parts[2]);
  if (iterations === undefined) {
    const params = phcParams(parts[2]!);
    iterations = parseIntStrict(params?.get('i'));
    if (!params || iterations === undefined)
      return corrupted('pbkdf2', 'the iteration count is missing or not a number');
  }
  if (iterations < 1) return corrupted('pbkdf2', 'the iteration count is zero');
  const salt = parts[3]!;
  const digest = parts[4]!;
  if (!B64ISH.test(salt)) return corrupted('pbkdf2', 'the salt is not base64');
  if (!B64ISH.test(digest) || unpaddedB64Bytes(digest.replace(/=+$/, '')) < 16) {
    return corrupted('pbkdf2', 'the digest is not base64 of at least 16 bytes');
  }
  return ok('pbkdf2', 'pbkdf2', iterations);
}

function classifyPbkdf2Django(hash: string): HashClassification {
  // Django: pbkdf2_sha256$<iterations>$<salt text>$<hash b64>
  const parts = hash.split('$');
  if (parts.length !== 4)
    return corrupted('pbkdf2', 'a Django PBKDF2 string has iterations, salt and digest fields');
  const iterations = parseIntStrict(parts[1]);
  if (iterations === undefined || iterations < 1)
    return corrupted('pbkdf2', 'the iteration count is not a positive number');
  if (parts[2]!.length === 0) return corrupted('pbkdf2', 'the salt is empty');
  const expected = PBKDF2_DIGESTS[parts[0]!.slice('pbkdf2_'.length)] ?? 32;
  if (paddedB64Bytes(parts[3]!) !== expected)
    return corrupted('pbkdf2', `the digest is not base64 of ${expected} bytes`);
  return notImportable(
    'pbkdf2',
    'A Django-style PBKDF2 string; WorkOS expects PBKDF2 as a PHC string ($pbkdf2-<prf>$...), so it must be ' +
      'converted before import.',
    iterations,
  );
}

const SSHA: Record<string, { algorithm: HashAlgorithm; digestBytes: number }> = {
  '{SSHA}': { algorithm: 'ssha', digestBytes: 20 },
  '{SSHA256}': { algorithm: 'ssha256', digestBytes: 32 },
  '{SSHA512}': { algorithm: 'ssha512', digestBytes: 64 },
};

function classifyLdap(hash: string): HashClassification {
  const close = hash.indexOf('}');
  const scheme = hash.slice(0, close + 1).toUpperCase();
  const body = hash.slice(close + 1);
  const ssha = SSHA[scheme];
  if (ssha) {
    const bytes = paddedB64Bytes(body);
    if (bytes < 0) return corrupted(ssha.algorithm, 'the value after the scheme is not valid base64');
    if (bytes <= ssha.digestBytes) {
      return corrupted(
        ssha.algorithm,
        `it decodes to ${bytes} bytes: no room for a ${ssha.digestBytes}-byte digest plus a salt`,
      );
    }
    // WorkOS has a single 'ssha' type; the {SSHAnnn} prefix names the digest.
    return ok(ssha.algorithm, 'ssha');
  }
  if (scheme === '{SHA}') {
    const bytes = paddedB64Bytes(body);
    if (bytes !== 20) return corrupted('sha1', 'an LDAP {SHA} value is base64 of a 20-byte digest');
    return notImportable('sha1', UNSALTED_REASON('SHA-1 (LDAP {SHA})'));
  }
  if (scheme === '{MD5}') {
    const bytes = paddedB64Bytes(body);
    if (bytes !== 16) return corrupted('md5', 'an LDAP {MD5} value is base64 of a 16-byte digest');
    return notImportable('md5', UNSALTED_REASON('MD5 (LDAP {MD5})'));
  }
  return unknown('an LDAP scheme other than {SSHA}, {SSHA256}, {SSHA512}, {SHA} or {MD5}');
}

const HEX_DIGESTS: Record<number, { algorithm: HashAlgorithm; name: string }> = {
  32: { algorithm: 'md5', name: 'MD5 (or another 128-bit digest)' },
  40: { algorithm: 'sha1', name: 'SHA-1' },
  64: { algorithm: 'sha256', name: 'SHA-256' },
  128: { algorithm: 'sha512', name: 'SHA-512' },
};

function unknown(what: string): HashClassification {
  return {
    algorithm: 'unknown',
    workosType: null,
    importable: false,
    valid: false,
    problem: `unrecognised format: ${what}`,
    reason: `The hash format is not recognised, so it is not sent to WorkOS (never guessed as bcrypt). ${NEEDS_RESET}`,
  };
}

export function classifyHash(hash: string): HashClassification {
  if (typeof hash !== 'string' || hash.length === 0) return unknown('the hash is empty');
  if (hash.length > 4096)
    return unknown(`the value is ${hash.length} characters long, far longer than any known hash`);
  if (hash.trim() !== hash) return unknown('the value has leading or trailing whitespace');

  if (/^\$2[abxy]\$/.test(hash)) return classifyBcrypt(hash);
  if (/^\$argon2(id|i|d)\$/.test(hash)) return classifyArgon2(hash);
  if (hash.startsWith('$scrypt$')) return classifyScrypt(hash);
  if (hash.startsWith('$firebase-scrypt$')) return classifyFirebaseScrypt(hash);
  if (/^\$pbkdf2(-[a-z0-9]+)?\$/.test(hash)) return classifyPbkdf2Phc(hash);
  if (/^pbkdf2_(sha1|sha256|sha512)\$/.test(hash)) return classifyPbkdf2Django(hash);
  if (hash.startsWith('{')) return classifyLdap(hash);
  if (HEX.test(hash)) {
    const digest = HEX_DIGESTS[hash.length];
    if (digest) return notImportable(digest.algorithm, UNSALTED_REASON(digest.name));
    return unknown(`${hash.length} hexadecimal characters match no digest length`);
  }
  if (hash.startsWith('$'))
    return unknown('a "$"-prefixed scheme that is not bcrypt, argon2, scrypt or pbkdf2');
  return unknown('no known prefix or digest length');
}
