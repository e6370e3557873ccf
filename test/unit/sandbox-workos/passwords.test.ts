import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import {
  hashPlainPassword,
  isValidPasswordHash,
  verifyPassword,
  type PasswordHashType,
} from '../../../src/main/sandbox/workos/passwords';

const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

// Firebase's published interoperability vector (github.com/firebase/scrypt), serialized the way WorkOS's
// Firebase migration guide does with @phc/format.
const FIREBASE_VECTOR = {
  password: 'user1password',
  signerKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
  saltSeparator: 'Bw==',
  salt: '42xEC+ixf3L2lw==',
  hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
};
const firebasePhc = (v = FIREBASE_VECTOR): string =>
  `$firebase-scrypt$v=1$r=8,m=14,ss=${v.saltSeparator.replace(/=+$/, '')},sk=${v.signerKey.replace(/=+$/, '')}$${v.salt.replace(/=+$/, '')}$${v.hash.replace(/=+$/, '')}`;

async function hashes(password: string): Promise<Record<PasswordHashType, string>> {
  const salt = randomBytes(16);
  return {
    bcrypt: bcrypt.hashSync(password, 4),
    argon2: await argon2id({
      password,
      salt,
      iterations: 2,
      memorySize: 1024,
      parallelism: 1,
      hashLength: 32,
      outputType: 'encoded',
    }),
    scrypt: `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 }))}`,
    pbkdf2: `$pbkdf2-sha256$i=1000,l=32$${b64(salt)}$${b64(pbkdf2Sync(password, salt, 1000, 32, 'sha256'))}`,
    ssha: `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`,
    'firebase-scrypt': firebasePhc(),
  };
}

describe('imported password hashes', () => {
  it('verifies each supported type: the right password matches, a wrong one does not', async () => {
    const all = await hashes('correct horse');
    for (const [type, hash] of Object.entries(all) as [PasswordHashType, string][]) {
      const right = type === 'firebase-scrypt' ? FIREBASE_VECTOR.password : 'correct horse';
      expect(isValidPasswordHash(type, hash), type).toBe(true);
      expect(await verifyPassword(right, { type, hash }), `${type} right`).toBe(true);
      expect(await verifyPassword(`${right}!`, { type, hash }), `${type} wrong`).toBe(false);
    }
  });

  it('matches published PBKDF2 vectors in PHC form (sha256 and sha1)', async () => {
    const sha256 =
      '$pbkdf2-sha256$i=10000,l=32$wJuJqLoUFsdXa8k3sFhRlA$2waKCbPhZzL+RjWMQqvA1jpb+j56jTAXcNmRD9UTekU';
    const sha1 = '$pbkdf2-sha1$i=10000,l=20$wJuJqLoUFsdXa8k3sFhRlA$XMGVWTbeKf4Xd+CGiuEZde8x7QA';
    expect(await verifyPassword('Test@123', { type: 'pbkdf2', hash: sha256 })).toBe(true);
    expect(await verifyPassword('Test@124', { type: 'pbkdf2', hash: sha256 })).toBe(false);
    expect(await verifyPassword('Test@123', { type: 'pbkdf2', hash: sha1 })).toBe(true);
  });

  it('accepts passlib pbkdf2 (bare rounds, "." for "+") and SSHA512', async () => {
    const salt = randomBytes(12);
    const dk = pbkdf2Sync('pw', salt, 2000, 64, 'sha512');
    const ab64 = (b: Buffer): string => b64(b).replace(/\+/g, '.');
    const passlib = `$pbkdf2-sha512$2000$${ab64(salt)}$${ab64(dk)}`;
    expect(await verifyPassword('pw', { type: 'pbkdf2', hash: passlib })).toBe(true);
    const ssha512 = `{SSHA512}${Buffer.concat([createHash('sha512').update('pw').update(salt).digest(), salt]).toString('base64')}`;
    expect(await verifyPassword('pw', { type: 'ssha', hash: ssha512 })).toBe(true);
    expect(await verifyPassword('px', { type: 'ssha', hash: ssha512 })).toBe(false);
  });

  it('refuses malformed hashes and hashes of another type', async () => {
    const all = await hashes('x');
    expect(isValidPasswordHash('bcrypt', all.argon2)).toBe(false);
    expect(isValidPasswordHash('argon2', all.bcrypt)).toBe(false);
    expect(isValidPasswordHash('scrypt', all.pbkdf2)).toBe(false);
    expect(isValidPasswordHash('pbkdf2', '$pbkdf2-md5$i=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA')).toBe(false);
    expect(isValidPasswordHash('ssha', '{SHA}abc')).toBe(false);
    expect(isValidPasswordHash('scrypt', '$scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA')).toBe(false);
    // A Firebase hash whose length differs from the signer key's cannot be an encryption of it.
    expect(isValidPasswordHash('firebase-scrypt', firebasePhc({ ...FIREBASE_VECTOR, hash: 'AAAA' }))).toBe(
      false,
    );
    expect(await verifyPassword('x', { type: 'bcrypt', hash: 'not-a-hash' })).toBe(false);
  });

  it('keeps a plain password as a verifiable scrypt hash', async () => {
    const stored = await hashPlainPassword('plain pw');
    expect(stored.type).toBe('scrypt');
    expect(stored.hash).not.toContain('plain pw');
    expect(await verifyPassword('plain pw', stored)).toBe(true);
    expect(await verifyPassword('plain px', stored)).toBe(false);
  });
});
