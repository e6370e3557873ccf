import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { checkLoopbackBaseUrl, createAuth0Client, fetchGrantedScopes } from '../../src/main/auth0/client';

// The Connect step's error paths against real sockets: refused ports, an untrusted TLS certificate, DNS.

const SECRET = 'client-secret-that-must-never-be-echoed';
const creds = (over: Record<string, string> = {}) => ({
  domain: 'tenant.eu.auth0.local',
  clientId: 'cid',
  clientSecret: SECRET,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(`${e.message} ${e.hint ?? ''}`).not.toContain(SECRET);
    return e;
  }
  throw new Error('expected a rejection');
}

describe('Auth0 client errors', () => {
  it('accepts base-URL overrides only for loopback', () => {
    for (const ok of [
      'http://127.0.0.1:4000',
      'http://127.9.9.9',
      'http://localhost:1/',
      'http://[::1]:8080',
    ])
      expect(() => checkLoopbackBaseUrl(ok)).not.toThrow();
    for (const bad of [
      'http://10.0.0.1',
      'https://evil.example',
      'http://127.0.0.1.evil.example',
      'file:///etc/passwd',
      'http://[::2]',
    ]) {
      expect(() => checkLoopbackBaseUrl(bad), bad).toThrow(expect.objectContaining({ code: 'not_loopback' }));
    }
    expect(() => createAuth0Client(creds({ baseUrl: 'https://api.example.com' }))).toThrow(
      expect.objectContaining({ code: 'not_loopback' }),
    );
  });

  it('names an unreachable host', async () => {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await failure(fetchGrantedScopes(creds({ baseUrl: `http://127.0.0.1:${port}` })));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('names a TLS failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
      (_q, s) => s.end('{}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const err = await failure(fetchGrantedScopes(creds({ baseUrl: `https://127.0.0.1:${port}` })));
      expect(err.code).toBe('network');
      expect(err.message).toMatch(/TLS connection .* failed/);
    } finally {
      server.close();
    }
  });

  it('names a domain that does not resolve', async () => {
    const err = await failure(
      fetchGrantedScopes(creds({ domain: 'no-such-tenant.invalid' }), { timeoutMs: 10_000 }),
    );
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/could not be resolved|timed out/);
  });

  it('rejects a malformed domain before any request', async () => {
    const err = await failure(fetchGrantedScopes(creds({ domain: 'not a domain/..' })));
    expect(err.code).toBe('invalid_input');
  });
});
