import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2d, argon2i, argon2id } from 'hash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyHash, type HashClassification } from '../../../src/main/passwords/classify';

const PW = 'correct horse battery staple';
const b64 = (b: Buffer) => b.toString('base64');
const b64np = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
const ab64 = (b: Buffer) => b64np(b).replace(/\+/g, '.');

function ssha(alg: 'sha1' | 'sha256' | 'sha512', saltLen = 8): string {
  const salt = randomBytes(saltLen);
  const digest = createHash(alg).update(PW).update(salt).digest();
  const scheme = { sha1: '{SSHA}', sha256: '{SSHA256}', sha512: '{SSHA512}' }[alg];
  return scheme + b64(Buffer.concat([digest, salt]));
}

const hashes: Record<string, string> = {};

beforeAll(async () => {
  const salt = randomBytes(16);
  const argonOpts = {
    password: PW,
    salt,
    parallelism: 1,
    iterations: 2,
    memorySize: 64,
    hashLength: 32,
    outputType: 'encoded',
  } as const;
  hashes.bcrypt2b = bcrypt.hashSync(PW, 4);
  hashes.argon2id = await argon2id(argonOpts);
  hashes.argon2i = await argon2i(argonOpts);
  hashes.argon2d = await argon2d(argonOpts);
  const sSalt = randomBytes(16);
  hashes.scrypt = `$scrypt$ln=10,r=8,p=1$${b64np(sSalt)}$${b64np(scryptSync(PW, sSalt, 32, { N: 1024, r: 8, p: 1 }))}`;
  hashes.scryptN = `$scrypt$n=1024,r=8,p=1$${b64np(sSalt)}$${b64np(scryptSync(PW, sSalt, 32, { N: 1024, r: 8, p: 1 }))}`;
  const pSalt = randomBytes(16);
  hashes.pbkdf2Phc = `$pbkdf2-sha256$i=1000,l=32$${b64np(pSalt)}$${b64np(pbkdf2Sync(PW, pSalt, 1000, 32, 'sha256'))}`;
  hashes.pbkdf2Passlib = `$pbkdf2-sha512$25000$${ab64(pSalt)}$${ab64(pbkdf2Sync(PW, pSalt, 25000, 64, 'sha512'))}`;
  hashes.pbkdf2Sha1 = `$pbkdf2$1000$${ab64(pSalt)}$${ab64(pbkdf2Sync(PW, pSalt, 1000, 20, 'sha1'))}`;
  hashes.pbkdf2Django = `pbkdf2_sha256$1000$plainsalt$${b64(pbkdf2Sync(PW, 'plainsalt', 1000, 32, 'sha256'))}`;
  hashes.firebase =
    `$firebase-scrypt$hash=${b64(randomBytes(64))}$salt=${b64(randomBytes(12))}` +
    `$sk=${b64(randomBytes(64))}$ss=${b64(Buffer.from([7]))}$r=8$m=14`;
  hashes.ssha = ssha('sha1');
  hashes.ssha256 = ssha('sha256');
  hashes.ssha512 = ssha('sha512');
  hashes.md5 = createHash('md5').update(PW).digest('hex');
  hashes.sha1 = createHash('sha1').update(PW).digest('hex');
  hashes.sha256 = createHash('sha256').update(PW).digest('hex');
  hashes.sha512 = createHash('sha512').update(PW).digest('hex').toUpperCase();
  hashes.ldapSha = '{SHA}' + b64(createHash('sha1').update(PW).digest());
});

function expectNoEcho(c: HashClassification, hash: string): void {
  for (const text of [c.problem, c.reason]) {
    if (text && hash.length >= 8) expect(text).not.toContain(hash.slice(-12));
  }
}

describe('classifyHash: well-formed hashes', () => {
  const cases: [string, Partial<HashClassification>][] = [
    ['bcrypt2b', { algorithm: 'bcrypt', workosType: 'bcrypt', importable: true, valid: true, cost: 4 }],
    ['argon2id', { algorithm: 'argon2', workosType: 'argon2', importable: true, valid: true, cost: 2 }],
    ['argon2i', { algorithm: 'argon2', workosType: 'argon2', importable: true, valid: true }],
    ['scrypt', { algorithm: 'scrypt', workosType: 'scrypt', importable: true, valid: true, cost: 10 }],
    ['scryptN', { algorithm: 'scrypt', workosType: 'scrypt', importable: true, valid: true, cost: 10 }],
    [
      'firebase',
      { algorithm: 'firebase-scrypt', workosType: 'firebase-scrypt', importable: true, valid: true },
    ],
    ['pbkdf2Phc', { algorithm: 'pbkdf2', workosType: 'pbkdf2', importable: true, valid: true, cost: 1000 }],
    [
      'pbkdf2Passlib',
      { algorithm: 'pbkdf2', workosType: 'pbkdf2', importable: true, valid: true, cost: 25000 },
    ],
    ['pbkdf2Sha1', { algorithm: 'pbkdf2', workosType: 'pbkdf2', importable: true, valid: true }],
    ['ssha', { algorithm: 'ssha', workosType: 'ssha', importable: true, valid: true }],
    ['ssha256', { algorithm: 'ssha256', workosType: 'ssha', importable: true, valid: true }],
    ['ssha512', { algorithm: 'ssha512', workosType: 'ssha', importable: true, valid: true }],
  ];
  it.each(cases)('%s', (name, expected) => {
    const c = classifyHash(hashes[name]!);
    expect(c).toMatchObject(expected);
    expect(c.problem).toBeUndefined();
    expect(c.reason).toBeUndefined();
  });

  it('accepts every bcrypt variant prefix Auth0 emits', () => {
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const c = classifyHash(prefix + hashes.bcrypt2b!.slice(4));
      expect(c).toMatchObject({ algorithm: 'bcrypt', importable: true, valid: true, cost: 4 });
    }
  });
});

describe('classifyHash: recognised but not importable', () => {
  it.each([
    ['md5', 'md5'],
    ['sha1', 'sha1'],
    ['sha256', 'sha256'],
    ['sha512', 'sha512'],
    ['ldapSha', 'sha1'],
  ])('%s is an unsalted digest WorkOS cannot take', (name, algorithm) => {
    const c = classifyHash(hashes[name]!);
    expect(c).toMatchObject({ algorithm, workosType: null, importable: false, valid: true });
    expect(c.reason).toMatch(/unsalted/i);
    expect(c.reason).toMatch(/reset|just-in-time/);
    expectNoEcho(c, hashes[name]!);
  });

  it('argon2d is recognised and refused with a reason', () => {
    const c = classifyHash(hashes.argon2d!);
    expect(c).toMatchObject({ algorithm: 'argon2', workosType: null, importable: false, valid: true });
    expect(c.reason).toMatch(/argon2d/);
    expect(c.reason).toMatch(/side channel/);
  });

  it('a Django PBKDF2 string needs conversion', () => {
    const c = classifyHash(hashes.pbkdf2Django!);
    expect(c).toMatchObject({ algorithm: 'pbkdf2', importable: false, valid: true, cost: 1000 });
    expect(c.reason).toMatch(/PHC/);
  });

  it('$2x$ bcrypt is flagged', () => {
    const c = classifyHash('$2x$' + hashes.bcrypt2b!.slice(4));
    expect(c).toMatchObject({ algorithm: 'bcrypt', importable: false, valid: true });
  });
});

describe('classifyHash: corrupted hashes are caught here', () => {
  const corrupt: [string, () => string, string, RegExp][] = [
    ['bcrypt truncated', () => hashes.bcrypt2b!.slice(0, 50), 'bcrypt', /60 characters/],
    [
      'bcrypt with a character outside its alphabet',
      () => hashes.bcrypt2b!.slice(0, 40) + '+' + hashes.bcrypt2b!.slice(41),
      'bcrypt',
      /alphabet/,
    ],
    ['bcrypt cost 03', () => '$2b$03$' + hashes.bcrypt2b!.slice(7), 'bcrypt', /4-31/],
    ['bcrypt cost 32', () => '$2b$32$' + hashes.bcrypt2b!.slice(7), 'bcrypt', /4-31/],
    ['bcrypt cost not digits', () => '$2b$1x$' + hashes.bcrypt2b!.slice(7), 'bcrypt', /two-digit/],
    ['argon2 without m', () => hashes.argon2id!.replace(/m=\d+,/, ''), 'argon2', /m, t and p/],
    [
      'argon2 with a broken salt',
      () => hashes.argon2id!.replace(/\$([^$]+)\$([^$]+)$/, '$!!$$$2'),
      'argon2',
      /salt/,
    ],
    ['argon2 missing the digest', () => hashes.argon2id!.replace(/\$[^$]+$/, ''), 'argon2', /fields/],
    [
      'scrypt with N not a power of two',
      () => hashes.scryptN!.replace('n=1024', 'n=1000'),
      'scrypt',
      /power of two/,
    ],
    ['scrypt with a short digest', () => hashes.scrypt!.replace(/\$[^$]+$/, '$AAAA'), 'scrypt', /digest/],
    [
      'firebase-scrypt without signer key',
      () => hashes.firebase!.replace(/\$sk=[^$]+/, ''),
      'firebase-scrypt',
      /"sk" is missing/,
    ],
    [
      'firebase-scrypt with rounds 0',
      () => hashes.firebase!.replace('$r=8', '$r=0'),
      'firebase-scrypt',
      /rounds/,
    ],
    [
      'pbkdf2 with an unknown PRF',
      () => hashes.pbkdf2Phc!.replace('pbkdf2-sha256', 'pbkdf2-md4'),
      'pbkdf2',
      /PRF/,
    ],
    ['pbkdf2 without iterations', () => hashes.pbkdf2Phc!.replace('i=1000,', ''), 'pbkdf2', /iteration/],
    ['SSHA too short for digest and salt', () => '{SSHA}' + b64(randomBytes(20)), 'ssha', /no room/],
    ['SSHA512 not base64', () => hashes.ssha512!.slice(0, -3) + '*==', 'ssha512', /base64/],
  ];
  it.each(corrupt)('%s', (_label, make, algorithm, problem) => {
    const hash = make();
    const c = classifyHash(hash);
    expect(c.algorithm).toBe(algorithm);
    expect(c.valid).toBe(false);
    expect(c.importable).toBe(false);
    expect(c.workosType).toBeNull();
    expect(c.problem).toMatch(problem);
    expectNoEcho(c, hash);
  });
});

describe('classifyHash: unknown formats are never guessed as bcrypt', () => {
  it.each([
    ['empty', ''],
    ['plain text', 'hunter2-not-a-hash'],
    ['unknown $-scheme', '$6$rounds=5000$saltsalt$' + 'a'.repeat(86)],
    ['hex of no digest length', 'ab'.repeat(20) + 'c'],
    ['unknown LDAP scheme', '{CRYPT}$1$abc$def'],
    ['surrounding whitespace', ' $2b$10$' + 'a'.repeat(53)],
    ['absurdly long', 'x'.repeat(10_000)],
  ])('%s', (_label, hash) => {
    const c = classifyHash(hash);
    expect(c).toMatchObject({ algorithm: 'unknown', workosType: null, importable: false, valid: false });
    expect(c.reason).toMatch(/never guessed as bcrypt/);
    if (hash.length > 12) expectNoEcho(c, hash);
  });
});
