import { createCipheriv, pbkdf2, randomBytes, scrypt, createHash, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { argon2Verify } from 'hash-wasm';

// Imported password hashes, in the formats WorkOS accepts for each `password_hash_type`:
//   bcrypt           $2a$ / $2b$ / $2y$ modular crypt
//   argon2           PHC: $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>   (also argon2i, argon2d)
//   scrypt           PHC: $scrypt$ln=14,r=8,p=1$<salt>$<hash>           (`n=16384` accepted for ln)
//   pbkdf2           PHC: $pbkdf2-sha256$i=100000,l=32$<salt>$<hash>    (sha1, sha256, sha512; passlib's
//                    `$pbkdf2-sha256$29000$...` with `.`-for-`+` base64 too)
//   ssha             LDAP: {SSHA}base64(sha1(password || salt) || salt)  ({SSHA256}, {SSHA512} too)
//   firebase-scrypt  PHC as WorkOS's Firebase guide builds it with @phc/format:
//                    $firebase-scrypt$v=1$r=8,m=14,ss=<b64>,sk=<b64>$<salt>$<hash>
// A hash that does not parse is refused at import (400 invalid_password_hash), as WorkOS does, so a
// wrong guess of the algorithm fails loudly instead of locking the user out later.

export const PASSWORD_HASH_TYPES = [
  'bcrypt',
  'firebase-scrypt',
  'ssha',
  'scrypt',
  'pbkdf2',
  'argon2',
] as const;
export type PasswordHashType = (typeof PASSWORD_HASH_TYPES)[number];

export interface StoredPassword {
  type: PasswordHashType;
  hash: string;
}

const scryptAsync = promisify(scrypt) as (
  password: string | Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

/** Standard, URL-safe and passlib (`.` for `+`) base64, padded or not. */
function b64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/._-]*={0,2}$/.test(text)) return null;
  return Buffer.from(text.replace(/[.-]/g, '+').replace(/_/g, '/'), 'base64');
}

interface Phc {
  id: string;
  params: Record<string, string>;
  salt: string;
  hash: string;
}

/** `$id[$v=N][$k=v,...]$salt$hash`; the version segment is folded into params as `v`. */
function parsePhc(text: string): Phc | null {
  const parts = text.split('$');
  if (parts[0] !== '' || parts.length < 4) return null;
  const [, id, ...rest] = parts;
  const hash = rest.pop()!;
  const salt = rest.pop()!;
  const params: Record<string, string> = {};
  for (const segment of rest) {
    for (const pair of segment.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        // passlib pbkdf2 writes the rounds bare: `$pbkdf2-sha256$29000$salt$hash`.
        if (/^\d+$/.test(pair)) params.i = pair;
        else return null;
      } else params[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  if (!id || !salt || !hash) return null;
  return { id, params, salt, hash };
}

function int(value: string | undefined, min: number, max: number): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

interface ScryptParams {
  salt: Buffer;
  expected: Buffer;
  N: number;
  r: number;
  p: number;
}

function parseScrypt(text: string): ScryptParams | null {
  const phc = parsePhc(text);
  if (!phc || phc.id !== 'scrypt') return null;
  const ln = phc.params.ln !== undefined ? int(phc.params.ln, 1, 20) : null;
  const n = phc.params.n !== undefined ? int(phc.params.n, 2, 2 ** 20) : null;
  const N = ln !== null ? 2 ** ln : n;
  const r = int(phc.params.r ?? '8', 1, 32);
  const p = int(phc.params.p ?? '1', 1, 16);
  const salt = b64(phc.salt);
  const expected = b64(phc.hash);
  if (!N || (N & (N - 1)) !== 0 || !r || !p || !salt || !expected || expected.length < 16) return null;
  return { salt, expected, N, r, p };
}

const PBKDF2_DIGESTS: Record<string, string> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha1': 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
};

interface Pbkdf2Params {
  digest: string;
  iterations: number;
  salt: Buffer;
  expected: Buffer;
}

function parsePbkdf2(text: string): Pbkdf2Params | null {
  const phc = parsePhc(text);
  const digest = phc ? PBKDF2_DIGESTS[phc.id] : undefined;
  if (!phc || !digest) return null;
  const iterations = int(phc.params.i ?? phc.params.rounds, 1, 10_000_000);
  const salt = b64(phc.salt);
  const expected = b64(phc.hash);
  if (!iterations || !salt || !expected || expected.length < 16) return null;
  if (phc.params.l !== undefined && int(phc.params.l, 1, 1024) !== expected.length) return null;
  return { digest, iterations, salt, expected };
}

const SSHA_DIGESTS: Record<string, { digest: string; size: number }> = {
  SSHA: { digest: 'sha1', size: 20 },
  SSHA256: { digest: 'sha256', size: 32 },
  SSHA512: { digest: 'sha512', size: 64 },
};

function parseSsha(text: string): { digest: string; expected: Buffer; salt: Buffer } | null {
  const m = /^\{(SSHA|SSHA256|SSHA512)\}([A-Za-z0-9+/]+={0,2})$/i.exec(text);
  if (!m) return null;
  const { digest, size } = SSHA_DIGESTS[m[1]!.toUpperCase()]!;
  const raw = Buffer.from(m[2]!, 'base64');
  if (raw.length <= size) return null;
  return { digest, expected: raw.subarray(0, size), salt: raw.subarray(size) };
}

interface FirebaseParams {
  salt: Buffer;
  expected: Buffer;
  signerKey: Buffer;
  saltSeparator: Buffer;
  rounds: number;
  memCost: number;
}

function parseFirebase(text: string): FirebaseParams | null {
  const phc = parsePhc(text);
  if (!phc || phc.id !== 'firebase-scrypt') return null;
  const rounds = int(phc.params.r, 1, 32);
  const memCost = int(phc.params.m, 1, 20);
  const signerKey = phc.params.sk !== undefined ? b64(phc.params.sk) : null;
  const saltSeparator = phc.params.ss !== undefined ? b64(phc.params.ss) : null;
  const salt = b64(phc.salt);
  const expected = b64(phc.hash);
  if (!rounds || !memCost || !signerKey || signerKey.length === 0 || !saltSeparator || !salt || !expected)
    return null;
  if (expected.length !== signerKey.length) return null;
  return { salt, expected, signerKey, saltSeparator, rounds, memCost };
}

const ARGON2_RE = /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;
const BCRYPT_RE = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** True when `hash` is a well-formed hash of `type` that the sandbox can later verify. */
export function isValidPasswordHash(type: PasswordHashType, hash: string): boolean {
  switch (type) {
    case 'bcrypt':
      return BCRYPT_RE.test(hash);
    case 'argon2':
      return ARGON2_RE.test(hash);
    case 'scrypt':
      return parseScrypt(hash) !== null;
    case 'pbkdf2':
      return parsePbkdf2(hash) !== null;
    case 'ssha':
      return parseSsha(hash) !== null;
    case 'firebase-scrypt':
      return parseFirebase(hash) !== null;
  }
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function scryptMaxmem(N: number, r: number, p: number): number {
  return 128 * N * r + 128 * r * p + 64 * 1024 * 1024;
}

/** Whether `password` matches the stored hash. A malformed hash never matches. */
export async function verifyPassword(password: string, stored: StoredPassword): Promise<boolean> {
  const { type, hash } = stored;
  switch (type) {
    case 'bcrypt':
      return BCRYPT_RE.test(hash) && bcrypt.compare(password, hash);
    case 'argon2':
      if (!ARGON2_RE.test(hash)) return false;
      try {
        return await argon2Verify({ password, hash });
      } catch {
        return false;
      }
    case 'scrypt': {
      const p = parseScrypt(hash);
      if (!p) return false;
      const derived = await scryptAsync(password, p.salt, p.expected.length, {
        N: p.N,
        r: p.r,
        p: p.p,
        maxmem: scryptMaxmem(p.N, p.r, p.p),
      });
      return same(derived, p.expected);
    }
    case 'pbkdf2': {
      const p = parsePbkdf2(hash);
      if (!p) return false;
      return same(await pbkdf2Async(password, p.salt, p.iterations, p.expected.length, p.digest), p.expected);
    }
    case 'ssha': {
      const p = parseSsha(hash);
      if (!p) return false;
      return same(createHash(p.digest).update(password, 'utf8').update(p.salt).digest(), p.expected);
    }
    case 'firebase-scrypt': {
      // github.com/firebase/scrypt: key = scrypt(password, salt || separator, 2^mem, rounds, p=1, 32 bytes);
      // the stored hash is the signer key encrypted with AES-256-CTR under that key and a zero IV.
      const p = parseFirebase(hash);
      if (!p) return false;
      const N = 2 ** p.memCost;
      const key = await scryptAsync(password, Buffer.concat([p.salt, p.saltSeparator]), 32, {
        N,
        r: p.rounds,
        p: 1,
        maxmem: scryptMaxmem(N, p.rounds, 1),
      });
      const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16, 0));
      return same(Buffer.concat([cipher.update(p.signerKey), cipher.final()]), p.expected);
    }
  }
}

/** How the sandbox keeps a plain `password` given on create or update: scrypt, in the same PHC form it verifies. */
export async function hashPlainPassword(password: string): Promise<StoredPassword> {
  const salt = randomBytes(16);
  const derived = await scryptAsync(password, salt, 32, {
    N: 2 ** 12,
    r: 8,
    p: 1,
    maxmem: scryptMaxmem(2 ** 12, 8, 1),
  });
  const enc = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  return { type: 'scrypt', hash: `$scrypt$ln=12,r=8,p=1$${enc(salt)}$${enc(derived)}` };
}
