import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { startWorkosSandbox, type WorkosSandbox } from '../../src/main/sandbox/workos';
import { checkWorkosAccess, createWorkosClient, workosHost } from '../../src/main/workos/client';

// The WorkOS client factory and the Connect step's access check, against the sandbox and against servers
// that fail the ways a real connection can: refused, TLS, silent.

let sandbox: WorkosSandbox;
const servers: Server[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  sandbox = await startWorkosSandbox();
});
afterAll(async () => {
  await sandbox.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('createWorkosClient', () => {
  it('refuses a base URL that is not this machine, a path, and a missing key', () => {
    const refuse = (fn: () => unknown): AppError => {
      try {
        fn();
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected an AppError');
    };
    expect(
      refuse(() => createWorkosClient({ apiKey: 'sk_test_x', baseUrl: 'https://api.workos.com' })).code,
    ).toBe('not_loopback');
    expect(
      refuse(() => createWorkosClient({ apiKey: 'sk_test_x', baseUrl: 'http://10.0.0.5:8080' })).code,
    ).toBe('not_loopback');
    expect(
      refuse(() => createWorkosClient({ apiKey: 'sk_test_x', baseUrl: 'http://127.0.0.1:9/v1' })).code,
    ).toBe('invalid_input');
    expect(refuse(() => createWorkosClient({ apiKey: ' ', baseUrl: sandbox.baseUrl })).code).toBe(
      'credentials_missing',
    );
    expect(workosHost({})).toBe('api.workos.com');
    expect(workosHost({ baseUrl: 'http://[::1]:4020' })).toBe('[::1]:4020');
  });

  it('points the real SDK at the loopback sandbox', async () => {
    const workos = createWorkosClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl });
    expect(workos.baseURL).toBe(sandbox.baseUrl);
    const org = await workos.organizations.createOrganization({ name: 'Client' });
    expect(sandbox.state().organizations.map((o) => o.id)).toEqual([org.id]);
    sandbox.reset();
  });
});

describe('checkWorkosAccess', () => {
  it('reports the environment without secrets', async () => {
    const workos = createWorkosClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl });
    for (let i = 0; i < 11; i++) await workos.userManagement.createUser({ email: `c${i}@example.com` });
    await workos.organizations.createOrganization({ name: 'Only' });
    const report = await checkWorkosAccess({ apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl });
    expect(report).toEqual({
      host: new URL(sandbox.baseUrl).host,
      environment: 'staging',
      rehearsal: true,
      organizations: { firstPage: 1, more: false },
      users: { firstPage: 10, more: true },
      environmentRoles: ['member'],
    });
    expect(JSON.stringify(report)).not.toContain(sandbox.apiKey);
    expect(sandbox.stats().specViolations).toEqual([]);
    sandbox.reset();
  });

  it('names a wrong key as credentials_invalid without echoing it', async () => {
    const key = 'sk_test_definitely_wrong_key_123';
    const err = await appError(checkWorkosAccess({ apiKey: key, baseUrl: sandbox.baseUrl }));
    expect(err.code).toBe('credentials_invalid');
    expect(err.message).toMatch(/401/);
    expect(err.message).toMatch(/request id [0-9a-f-]{36}/);
    expect(JSON.stringify(err.toJSON())).not.toContain(key);
  });

  it('names an unreachable host', async () => {
    const port = await listen(createHttpServer());
    await new Promise((r) => servers.pop()!.close(r));
    const err = await appError(
      checkWorkosAccess({ apiKey: 'sk_test_x', baseUrl: `http://127.0.0.1:${port}` }),
    );
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('names a TLS failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workos-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        { stdio: 'ignore' },
      );
      const server = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_req, res) => res.end('{}'),
      );
      const port = await listen(server as unknown as Server);
      const err = await appError(
        checkWorkosAccess({ apiKey: 'sk_test_x', baseUrl: `https://127.0.0.1:${port}` }),
      );
      expect(err.code).toBe('network');
      expect(err.message).toMatch(
        /TLS connection .* failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID)\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a host that accepts the connection but never answers', async () => {
    const port = await listen(createHttpServer(() => undefined));
    const err = await appError(
      checkWorkosAccess({ apiKey: 'sk_test_x', baseUrl: `http://127.0.0.1:${port}` }, { timeoutMs: 300 }),
    );
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/timed out/);
  });
});
