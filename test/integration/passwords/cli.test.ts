import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { exportedTenant, type Exported } from './setup';

// merge-passwords / merge-mfa through the built CLI, on a workspace exported from the Auth0 sandbox.
const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin/auth0-to-workos.mjs');
const service = `a2w-test-merge-cli-${randomUUID()}`;
let t: Exported;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      A2W_USER_DATA_DIR: path.join(t.dir, 'profile'),
      A2W_KEYCHAIN_SERVICE: service,
      ...env,
    },
    encoding: 'utf8',
    input: '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(path.join(root, 'out/main/cli.js')))
    throw new Error('out/main/cli.js is missing: run `npm run build` first.');
  t = await exportedTenant({ users: 600, orgs: 4, seed: 'cli-1' });
  const ws = t.open();
  const id = ws.id;
  ws.close();
  await osKeychain(service).set(accounts.workspaceKey(id), t.tw.dataKey.toString('base64'));
}, 120_000);
afterAll(async () => {
  const k = osKeychain(service);
  for (const a of await k.list()) await k.delete(a);
  t?.cleanup();
});

describe('merge-passwords and merge-mfa', () => {
  it('merges the PGP file with the passphrase from the environment and prints the JSON result', () => {
    const r = cli(
      [
        'merge-passwords',
        '--workspace',
        t.tw.file,
        '--file',
        t.files.passwordsPgp,
        '--pgp-key',
        t.files.privateKey,
        '--json',
      ],
      {
        AUTH0_EXPORT_PGP_PASSPHRASE: t.pgp.passphrase,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const m = t.manifest;
    expect(out).toMatchObject({
      lines: m.passwordLines,
      unmatched: m.orphanPasswordLines,
      ambiguous: 0,
      duplicates: m.duplicatePasswordLines,
      withoutHash: 0,
    });
    expect(out.matched + out.blocked).toBe(
      m.passwordLines - m.orphanPasswordLines - m.duplicatePasswordLines,
    );
    expect(out.byAlgorithm.bcrypt).toBe(m.bcryptHashes);
    expect(r.stdout + r.stderr).not.toContain(t.pgp.passphrase);
  });

  it('the same file again changes nothing', () => {
    const r = cli(['merge-passwords', '--workspace', t.tw.file, '--file', t.files.passwordsPlain, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 0, changed: 0, removed: 0 });
  });

  it('a wrong passphrase fails with one clear line', () => {
    const r = cli(
      [
        'merge-passwords',
        '--workspace',
        t.tw.file,
        '--file',
        t.files.passwordsPgp,
        '--pgp-key',
        t.files.privateKey,
      ],
      {
        AUTH0_EXPORT_PGP_PASSPHRASE: 'wrong',
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/passphrase does not unlock/);
  });

  it('an encrypted file without a key or passphrase is refused', () => {
    expect(cli(['merge-passwords', '--workspace', t.tw.file, '--file', t.files.passwordsPgp]).stderr).toMatch(
      /--pgp-key/,
    );
    const r = cli(
      [
        'merge-passwords',
        '--workspace',
        t.tw.file,
        '--file',
        t.files.passwordsPgp,
        '--pgp-key',
        t.files.privateKey,
      ],
      {
        AUTH0_EXPORT_PGP_PASSPHRASE: '',
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AUTH0_EXPORT_PGP_PASSPHRASE/);
  });

  it('merge-mfa reports the users to re-enrol', () => {
    const r = cli(['merge-mfa', '--workspace', t.tw.file, '--file', t.files.mfaSecrets, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.matched + out.blocked).toBe(
      t.tenant.mfa.filter((e) => e.type === 'totp' && e.confirmed).length,
    );
    expect(out.toReenrol).toBeGreaterThan(0);
  });
});
