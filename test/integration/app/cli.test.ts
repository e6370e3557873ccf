import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../../src/main/secrets/keychain';

// The built CLI (npm test builds before the integration tests) in a throw-away profile and keychain service.
const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin/auth0-to-workos.mjs');
const service = `a2w-test-cli-${randomUUID()}`;
const dir = mkdtempSync(path.join(tmpdir(), 'a2w-cli-'));
const env = { ...process.env, A2W_USER_DATA_DIR: path.join(dir, 'profile'), A2W_KEYCHAIN_SERVICE: service };

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    input: '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(path.join(root, 'out/main/cli.js')))
    throw new Error('out/main/cli.js is missing: run `npm run build` first.');
});
afterAll(async () => {
  const k = osKeychain(service);
  for (const a of await k.list()) await k.delete(a);
  rmSync(dir, { recursive: true, force: true });
});

describe('CLI', () => {
  const file = path.join(dir, 'ws', 'acme-production.a2w.sqlite');

  it('creates a workspace and reports it as one JSON object', () => {
    const r = cli([
      'workspace',
      'create',
      '--name',
      'Acme production',
      '--folder',
      path.join(dir, 'ws'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      ok: true,
      workspace: { name: 'Acme production', path: file, readOnly: false },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('stores credentials from the environment, never from arguments, and shows them in info', () => {
    const secret = `cli-secret-${randomUUID()}`;
    const r1 = cli(
      [
        'credentials',
        'set',
        'auth0',
        '--workspace',
        file,
        '--domain',
        'acme.eu.auth0.com',
        '--client-id',
        'cid123',
      ],
      {
        AUTH0_CLIENT_SECRET: secret,
      },
    );
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout + r1.stderr).not.toContain(secret);
    const r2 = cli(
      ['credentials', 'set', 'workos', '--workspace', file, '--environment', 'staging', '--json'],
      { WORKOS_API_KEY: 'sk_test_cli' },
    );
    expect(r2.code, r2.stderr).toBe(0);
    const info = JSON.parse(cli(['workspace', 'info', '--workspace', file, '--json']).stdout);
    expect(info.credentials).toEqual({
      auth0: { domain: 'acme.eu.auth0.com', clientId: 'cid123', hasSecret: true },
      workos: { environment: 'staging', hasKey: true },
      lastTest: null,
    });
    expect(info.workspace.audit.ok).toBe(true);
    // Stored but never tested against the services: the Connect step is not done yet.
    expect(info.wizard.steps.find((s: { id: string }) => s.id === 'connect').state).toBe('current');
  });

  it('without a secret in the environment and no terminal, refuses with one line and exit 1', () => {
    const r = cli(['credentials', 'set', 'workos', '--workspace', file, '--environment', 'prod'], {
      WORKOS_API_KEY: '',
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/WORKOS_API_KEY/);
  });

  it('fails clearly for a missing workspace, with a JSON error in --json mode', () => {
    const r = cli(['workspace', 'info', '--workspace', path.join(dir, 'nope.a2w.sqlite'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: expect.any(String) } });
    expect(r.stderr).toMatch(/^error: /);
  });

  it('deletes credentials from the keychain', async () => {
    const r = cli(['credentials', 'delete', 'auth0', '--workspace', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).credentials.auth0).toBeNull();
    const accounts = await osKeychain(service).list();
    expect(accounts.some((a) => a.startsWith('auth0:'))).toBe(false);
    expect(accounts.some((a) => a.startsWith('workos:'))).toBe(true);
  });
});

describe('CLI sandbox + credentials test', () => {
  it('serves the sandboxes, prints one JSON line, and the stored credentials test green against them', async () => {
    const { spawn } = await import('node:child_process');
    const out = path.join(dir, 'support');
    const child = spawn(
      process.execPath,
      [bin, 'sandbox', '--users', '60', '--orgs', '2', '--seed', 'cli', '--out', out, '--json'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
      });
      const desc = JSON.parse(line);
      expect(desc.auth0.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(desc.files.passwordsPgp).toBe(path.join(out, 'passwords.ndjson.pgp'));
      expect(statSync(desc.files.passphraseFile).mode & 0o777).toBe(0o600);

      const ws = path.join(dir, 'ws2');
      const file2 = path.join(ws, 'rehearsal.a2w.sqlite');
      expect(cli(['workspace', 'create', '--name', 'rehearsal', '--folder', ws]).code).toBe(0);
      expect(
        cli(['credentials', 'set', 'auth0', '--workspace', file2], {
          AUTH0_DOMAIN: desc.auth0.domain,
          AUTH0_CLIENT_ID: desc.auth0.clientId,
          AUTH0_CLIENT_SECRET: desc.auth0.clientSecret,
          AUTH0_BASE_URL: desc.auth0.baseUrl,
        }).code,
      ).toBe(0);
      expect(
        cli(['credentials', 'set', 'workos', '--workspace', file2, '--environment', 'rehearsal'], {
          WORKOS_API_KEY: desc.workos.apiKey,
          WORKOS_BASE_URL: desc.workos.baseUrl,
        }).code,
      ).toBe(0);
      const t = cli(['credentials', 'test', '--workspace', file2, '--json']);
      expect(t.code, t.stderr).toBe(0);
      expect(JSON.parse(t.stdout)).toMatchObject({
        ok: true,
        test: { auth0: { ok: true, missing: [] }, workos: { ok: true } },
      });
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
  });

  it('refuses a non-loopback base URL for credentials', () => {
    const r = cli(
      [
        'credentials',
        'set',
        'workos',
        '--workspace',
        path.join(dir, 'ws', 'acme-production.a2w.sqlite'),
        '--environment',
        'x',
        '--base-url',
        'https://api.evil.example',
      ],
      { WORKOS_API_KEY: 'sk_test_x' },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only for this machine/);
  });
});

describe('CLI demo', () => {
  it('runs headless against the built-in sandboxes and prints one JSON summary', () => {
    const r = cli(['demo', '--users', '60', '--orgs', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.steps.map((s: { step: string }) => s.step)).toContain('connect: test Auth0 and WorkOS');
    expect(summary.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
  });
});
