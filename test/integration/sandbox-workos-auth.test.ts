import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2id } from 'hash-wasm';
import type { WorkOS } from '@workos-inc/node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkosSandbox, type WorkosSandbox } from '../../src/main/sandbox/workos';
import { createWorkosClient } from '../../src/main/workos/client';

// Imported password hashes are kept and checked: authenticateWithPassword succeeds exactly when the
// password matches the hash the user was created with, for every password_hash_type the sandbox supports.

let sandbox: WorkosSandbox;
let workos: WorkOS;

beforeAll(async () => {
  sandbox = await startWorkosSandbox();
  workos = createWorkosClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl }, { maxRetries: 0 });
});
afterAll(() => sandbox.close());

const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
const salt = randomBytes(16);

type Case = {
  type: 'bcrypt' | 'argon2' | 'scrypt' | 'pbkdf2' | 'ssha' | 'firebase-scrypt';
  password: string;
  hash: () => Promise<string> | string;
};

const cases: Case[] = [
  { type: 'bcrypt', password: 'b-crypt pass', hash: () => bcrypt.hashSync('b-crypt pass', 4) },
  {
    type: 'argon2',
    password: 'argon pass',
    hash: () =>
      argon2id({
        password: 'argon pass',
        salt,
        iterations: 2,
        memorySize: 1024,
        parallelism: 1,
        hashLength: 32,
        outputType: 'encoded',
      }),
  },
  {
    type: 'scrypt',
    password: 'scrypt pass',
    hash: () =>
      `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(scryptSync('scrypt pass', salt, 32, { N: 1024, r: 8, p: 1 }))}`,
  },
  {
    type: 'pbkdf2',
    password: 'pbkdf2 pass',
    hash: () =>
      `$pbkdf2-sha256$i=1000,l=32$${b64(salt)}$${b64(pbkdf2Sync('pbkdf2 pass', salt, 1000, 32, 'sha256'))}`,
  },
  {
    type: 'ssha',
    password: 'ssha pass',
    hash: () =>
      `{SSHA}${Buffer.concat([createHash('sha1').update('ssha pass').update(salt).digest(), salt]).toString('base64')}`,
  },
  {
    // Firebase's published vector (github.com/firebase/scrypt) in the PHC form of WorkOS's Firebase guide.
    type: 'firebase-scrypt',
    password: 'user1password',
    hash: () =>
      '$firebase-scrypt$v=1$r=8,m=14,ss=Bw,sk=jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA' +
      '$42xEC+ixf3L2lw$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ',
  },
];

describe('authenticate with an imported password hash', () => {
  for (const c of cases) {
    it(`${c.type}: the right password signs in, a wrong one is refused`, async () => {
      const email = `${c.type}@example.com`;
      const user = await workos.userManagement.createUser({
        email,
        passwordHash: await c.hash(),
        passwordHashType: c.type as never,
      });
      expect(sandbox.state().users.find((u) => u.id === user.id)?.passwordHashType).toBe(c.type);

      const auth = await workos.userManagement.authenticateWithPassword({
        clientId: sandbox.clientId,
        email,
        password: c.password,
      });
      expect(auth.user.id).toBe(user.id);
      expect(auth.authenticationMethod).toBe('Password');
      expect(decodeJwt(auth.accessToken).sub).toBe(user.id);

      const wrong = await workos.userManagement
        .authenticateWithPassword({ clientId: sandbox.clientId, email, password: `${c.password}x` })
        .then(
          () => null,
          (e: Record<string, unknown>) => e,
        );
      expect(wrong).toMatchObject({ status: 400, code: 'invalid_credentials' });
      expect(wrong?.requestID).toMatch(/^[0-9a-f-]{36}$/);
    });
  }

  it('a plain password given on create, and a hash set later by update, both sign in', async () => {
    const plain = await workos.userManagement.createUser({
      email: 'plain@example.com',
      password: 'plain-password-1',
    });
    const ok = await workos.userManagement.authenticateWithPassword({
      clientId: sandbox.clientId,
      email: 'plain@example.com',
      password: 'plain-password-1',
    });
    expect(ok.user.id).toBe(plain.id);

    const later = await workos.userManagement.createUser({ email: 'later@example.com' });
    const refused = await workos.userManagement
      .authenticateWithPassword({
        clientId: sandbox.clientId,
        email: 'later@example.com',
        password: 'set-later',
      })
      .then(
        () => null,
        (e: Record<string, unknown>) => e,
      );
    expect(refused).toMatchObject({ code: 'invalid_credentials' });
    await workos.userManagement.updateUser({
      userId: later.id,
      passwordHash: bcrypt.hashSync('set-later', 4),
      passwordHashType: 'bcrypt',
    });
    const after = await workos.userManagement.authenticateWithPassword({
      clientId: sandbox.clientId,
      email: 'later@example.com',
      password: 'set-later',
    });
    expect(after.user.id).toBe(later.id);
  });

  it('refuses a wrong client id, and a key other than the sandbox key as client secret', async () => {
    await workos.userManagement.createUser({ email: 'client@example.com', password: 'client-pass-1' });
    const badClient = await workos.userManagement
      .authenticateWithPassword({
        clientId: 'client_wrong',
        email: 'client@example.com',
        password: 'client-pass-1',
      })
      .then(
        () => null,
        (e: Record<string, unknown>) => e,
      );
    expect(badClient).toMatchObject({ status: 400, error: 'invalid_client' });
    const otherKey = createWorkosClient(
      { apiKey: 'sk_test_other', baseUrl: sandbox.baseUrl },
      { maxRetries: 0 },
    );
    const badSecret = await otherKey.userManagement
      .authenticateWithPassword({
        clientId: sandbox.clientId,
        email: 'client@example.com',
        password: 'client-pass-1',
      })
      .then(
        () => null,
        (e: Record<string, unknown>) => e,
      );
    expect(badSecret).toMatchObject({ status: 401 });
    expect(sandbox.stats().specViolations).toEqual([]);
  });
});
