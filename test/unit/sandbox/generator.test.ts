import { argon2Sync, createHash, pbkdf2Sync, scryptSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import {
  generateTenant,
  generateTenantWithManifest,
  hashAlgorithmOf,
  plantedCounts,
} from '../../../src/main/sandbox/generator';
import { loadTenant, parseTenant, type Tenant } from '../../../src/main/sandbox/tenant';

const small = () => generateTenantWithManifest({ users: 600, orgs: 20, seed: 'unit', passwordPoolSize: 64 });

function verifyLegacy(hash: string, password: string): boolean {
  const alg = hashAlgorithmOf(hash);
  const phc = hash.split('$');
  const b64 = (s: string) => Buffer.from(s, 'base64');
  switch (alg) {
    case 'argon2id':
      return argon2Sync('argon2id', {
        message: password,
        nonce: b64(phc[4]!),
        parallelism: 1,
        tagLength: 32,
        memory: 1024,
        passes: 2,
      }).equals(b64(phc[5]!));
    case 'scrypt':
      return scryptSync(password, b64(phc[3]!), 32, { N: 1024, r: 8, p: 1 }).equals(b64(phc[4]!));
    case 'pbkdf2-sha256':
      return pbkdf2Sync(password, b64(phc[3]!), 1000, 32, 'sha256').equals(b64(phc[4]!));
    case 'ssha': {
      const raw = Buffer.from(hash.slice(6), 'base64');
      return createHash('sha1')
        .update(password)
        .update(raw.subarray(20))
        .digest()
        .equals(raw.subarray(0, 20));
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
      return createHash(alg).update(password).digest('hex') === hash;
    default:
      return false;
  }
}

describe('tenant generator', () => {
  it('is deterministic: same seed, same JSON; another seed, another tenant', () => {
    const a = JSON.stringify(generateTenant({ users: 200, orgs: 8, seed: 7, passwordPoolSize: 16 }));
    const b = JSON.stringify(generateTenant({ users: 200, orgs: 8, seed: 7, passwordPoolSize: 16 }));
    const c = JSON.stringify(generateTenant({ users: 200, orgs: 8, seed: 8, passwordPoolSize: 16 }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('plants every awkward case, and the manifest matches a recount of the tenant', () => {
    const { tenant, manifest } = small();
    expect(plantedCounts(tenant)).toEqual(manifest);
    for (const key of [
      'usersWithoutEmail',
      'blocked',
      'unverified',
      'noOrg',
      'oneOrg',
      'multiOrg',
      'duplicateEmailAcrossConnections',
      'passwordless',
      'social',
      'enterprise',
      'smsMfa',
      'totpMfa',
      'pushMfa',
      'altIdUsers',
      'unicodeNames',
      'nonStringMetadata',
      'passwordLinesWithoutRootEmail',
      'passwordLinesWithPrefixedOid',
      'orphanPasswordLines',
    ] as const) {
      expect(manifest[key], key).toBeGreaterThan(0);
    }
    for (const [alg, n] of Object.entries(manifest.legacyHashesByAlgorithm))
      expect(n, alg).toBeGreaterThan(0);
    expect(tenant.connections.map((c) => c.strategy)).toEqual(
      expect.arrayContaining(['auth0', 'samlp', 'oidc', 'adfs', 'waad', 'google-oauth2', 'email', 'sms']),
    );
    expect(tenant.roles.map((r) => r.name)).toEqual(expect.arrayContaining(['Admin', 'admin ', 'Member']));
    expect(tenant.roles.some((r) => r.name.length === 60)).toBe(true);
    expect(() => parseTenant(JSON.parse(JSON.stringify(tenant)), 'small.json')).not.toThrow();
  });

  it('every hash is a real hash of the recorded plaintext (bcrypt sample and every legacy line)', () => {
    const { tenant } = small();
    const byUser = tenant.plaintextPasswords!;
    let bcryptChecked = 0;
    let legacyChecked = 0;
    for (const line of tenant.passwords) {
      const userId = `auth0|${line.alt_id ?? line._id.$oid.replace(/^auth0\|/, '')}`;
      const password = byUser[userId];
      if (password === undefined) continue; // orphan line: its user no longer exists
      if (hashAlgorithmOf(line.passwordHash) === 'bcrypt') {
        if (bcryptChecked++ % 10 === 0)
          expect(bcrypt.compareSync(password, line.passwordHash.replace(/^\$2y\$/, '$2b$'))).toBe(true);
      } else {
        legacyChecked++;
        expect(verifyLegacy(line.passwordHash, password), line.passwordHash.slice(0, 12)).toBe(true);
      }
    }
    expect(bcryptChecked).toBeGreaterThan(100);
    expect(legacyChecked).toBeGreaterThan(20);
    expect(
      bcrypt.compareSync('not-the-password', tenant.passwords[0]!.passwordHash.replace(/^\$2y\$/, '$2b$')),
    ).toBe(false);
  });

  it('puts more than 1000 members in an organization at 5000 users', () => {
    const { manifest } = generateTenantWithManifest({ users: 5000, orgs: 40, seed: 3, passwordPoolSize: 32 });
    expect(manifest.orgsOver1000Members).toBeGreaterThanOrEqual(1);
  });
});

describe('tenant validation', () => {
  const valid = (): Tenant => generateTenant({ users: 30, orgs: 3, seed: 1, passwordPoolSize: 4 });

  it('names the JSON path of a bad field', () => {
    const t = valid() as unknown as { users: { email?: unknown }[] };
    t.users[4]!.email = 42;
    expect(() => parseTenant(t, 'tenant.json')).toThrow(
      /tenant\.json: .* at \/users\/4\/email: must be string/,
    );
  });

  it('names a missing field and a dangling reference', () => {
    const t = valid();
    delete (t.roles[2] as Partial<Tenant['roles'][number]>).name;
    expect(() => parseTenant(t, 't.json')).toThrow(/\/roles\/2: missing required field "name"/);
    const u = valid();
    u.members[0]!.roles = ['rol_missing'];
    expect(() => parseTenant(u, 't.json')).toThrow(/\/members\/0\/roles\/0: no role with this id/);
  });

  it('reports a JSON syntax error by line and column without quoting the text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenant-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "users": [\n    {"email": "ann@example.com",}\n  ]\n}');
    let message = '';
    try {
      loadTenant(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^broken\.json: invalid JSON at line 3, column \d+\.$/);
    expect(message).not.toContain('ann@');
  });
});
