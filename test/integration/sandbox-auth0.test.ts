import { gunzipSync } from 'node:zlib';
import { ManagementError } from 'auth0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth0Client, fetchGrantedScopes, missingScopes } from '../../src/main/auth0/client';
import { generateTenant } from '../../src/main/sandbox/generator';
import {
  AUTH0_SANDBOX_SCOPES,
  startAuth0Sandbox,
  type Auth0Sandbox,
} from '../../src/main/sandbox/auth0/server';
import type { Tenant } from '../../src/main/sandbox/tenant';

// Contract tests: the real `auth0` SDK against the local sandbox.

const ORGS = 1205;
const LIMITED = {
  clientId: 'limited-client',
  clientSecret: 'limited-secret-value-0123456789',
  scopes: ['read:organizations', 'read:connections'],
};

let tenant: Tenant;
let sandbox: Auth0Sandbox;
let bigOrgId: string;

function creds(over: Partial<{ clientId: string; clientSecret: string }> = {}) {
  return {
    domain: sandbox.domain,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    baseUrl: sandbox.baseUrl,
    ...over,
  };
}

async function rawToken(): Promise<string> {
  const res = await fetch(`${sandbox.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      audience: `https://${sandbox.domain}/api/v2/`,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function caught(p: Promise<unknown>): Promise<ManagementError> {
  try {
    await p;
  } catch (err) {
    return err as ManagementError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  // Small on users, large on organizations: >1000 organizations and one organization with >1000 members.
  tenant = generateTenant({ users: 1100, orgs: ORGS, seed: 'contract', passwordPoolSize: 16 });
  bigOrgId = tenant.organizations[0]!.id;
  const inBig = new Set(tenant.members.filter((m) => m.org_id === bigOrgId).map((m) => m.user_id));
  for (const u of tenant.users)
    if (!inBig.has(u.user_id))
      tenant.members.push({ org_id: bigOrgId, user_id: u.user_id, roles: [tenant.roles[0]!.id] });
  sandbox = await startAuth0Sandbox({
    tenant,
    clients: [
      {
        clientId: 'full-client',
        clientSecret: 'full-secret-value-abcdefghijklmnop',
        scopes: [...AUTH0_SANDBOX_SCOPES],
      },
      LIMITED,
    ],
    jobProcessingMs: 300,
    linkTtlMs: 800,
  });
});
afterAll(() => sandbox?.close());

describe('Auth0 sandbox through the auth0 SDK', () => {
  it('issues a token whose scope claim lists the granted scopes', async () => {
    const granted = await fetchGrantedScopes(creds());
    expect(granted.sort()).toEqual([...AUTH0_SANDBOX_SCOPES].sort());
    expect(missingScopes(granted)).toEqual([]);
    const limited = await fetchGrantedScopes(creds(LIMITED));
    expect(limited).toEqual(LIMITED.scopes);
    expect(missingScopes(limited).map((s) => s.scope)).toContain('read:users');
  });

  it('answers a missing scope with 403 insufficient_scope', async () => {
    const client = createAuth0Client(creds(LIMITED));
    const err = await caught(client.roles.list());
    expect(err).toBeInstanceOf(ManagementError);
    expect(err.statusCode).toBe(403);
    expect(err.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Insufficient scope, expected any of: read:roles',
      errorCode: 'insufficient_scope',
    });
  });

  it('refuses a wrong secret without echoing it', async () => {
    const secret = 'wrong-secret-should-never-appear';
    await expect(fetchGrantedScopes(creds({ clientSecret: secret }))).rejects.toMatchObject({
      code: 'credentials_invalid',
    });
    const err = await caught(fetchGrantedScopes(creds({ clientSecret: secret })));
    expect(JSON.stringify({ m: err.message, h: (err as unknown as { hint?: string }).hint })).not.toContain(
      secret,
    );
    const sdkErr = await caught(createAuth0Client(creds({ clientSecret: secret })).roles.list());
    expect(sdkErr.statusCode).toBe(401);
    expect(sdkErr.body).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
  });

  it('answers a bad bearer token with 401', async () => {
    const res = await fetch(`${sandbox.baseUrl}/api/v2/roles`, {
      headers: { authorization: 'Bearer not.a.jwt' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid token',
    });
  });

  it('pages past 1000 organizations and 1000 members with checkpoint paging', async () => {
    const client = createAuth0Client(creds());
    const orgIds = new Set<string>();
    for await (const org of await client.organizations.list({ take: 100 })) orgIds.add(org.id!);
    expect(orgIds.size).toBe(ORGS);
    const members: { user_id?: string; roles?: { id?: string; name?: string }[] }[] = [];
    for await (const m of await client.organizations.members.list(bigOrgId, {
      take: 100,
      fields: 'user_id,email,roles',
    }))
      members.push(m);
    expect(members.length).toBe(tenant.users.length);
    expect(new Set(members.map((m) => m.user_id)).size).toBe(tenant.users.length);
    expect(members.every((m) => Array.isArray(m.roles))).toBe(true);
    const withRole = members.find((m) => (m.roles ?? []).length > 0)!;
    const roles = await client.organizations.members.roles.list(bigOrgId, withRole.user_id!);
    expect(roles.data.map((r) => r.id).sort()).toEqual(withRole.roles!.map((r) => r.id).sort());
  });

  it('caps offset paging at 1000 records while the total counts everything', async () => {
    const token = await rawToken();
    const get = async (q: string) =>
      (
        await fetch(`${sandbox.baseUrl}/api/v2/organizations?${q}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json();
    const last = (await get('page=9&per_page=100&include_totals=true')) as {
      organizations: unknown[];
      total: number;
    };
    expect(last.organizations).toHaveLength(100);
    expect(last.total).toBe(ORGS);
    const beyond = (await get('page=10&per_page=100&include_totals=true')) as {
      organizations: unknown[];
      total: number;
    };
    expect(beyond.organizations).toHaveLength(0);
    expect(beyond.total).toBe(ORGS);
    const plain = await get('page=0&per_page=5');
    expect(Array.isArray(plain)).toBe(true);
  });

  it('withholds connection options without read:connections_options', async () => {
    const limited: { strategy?: string; options?: unknown }[] = [];
    for await (const c of await createAuth0Client(creds(LIMITED)).connections.list({ take: 5 }))
      limited.push(c);
    expect(limited).toHaveLength(tenant.connections.length);
    expect(limited.every((c) => c.options === undefined)).toBe(true);
    const full = await createAuth0Client(creds()).connections.list({ strategy: ['samlp', 'waad'] });
    expect(full.data.map((c) => c.strategy).sort()).toEqual(['samlp', 'waad']);
    expect(
      (full.data.find((c) => c.strategy === 'samlp')!.options as Record<string, unknown>).signingCert,
    ).toMatch(/BEGIN CERTIFICATE/);
  });

  it('lists roles, enabled connections, MFA methods and custom logic with totals', async () => {
    const client = createAuth0Client(creds());
    const roles = await client.roles.list({ include_totals: true, per_page: 5 });
    expect(roles.response.total).toBe(tenant.roles.length);
    const all: unknown[] = [];
    for await (const r of await client.roles.list({ per_page: 5 })) all.push(r);
    expect(all).toHaveLength(tenant.roles.length);
    const oc = tenant.orgConnections.find(
      (x) => x.connection_id !== tenant.orgConnections[0]!.connection_id,
    )!;
    const enabled = await client.organizations.enabledConnections.list(oc.org_id);
    expect(enabled.data.map((e) => e.connection_id)).toContain(oc.connection_id);
    const totpUser = tenant.mfa.find((e) => e.type === 'totp')!.user_id;
    const methods = await client.users.authenticationMethods.list(totpUser);
    expect(methods.data.map((m) => m.type)).toContain('totp');
    expect(JSON.stringify(methods.data)).not.toMatch(/totp_secret/);
    expect((await client.actions.list()).data.map((a) => a.name)).toContain('add-roles-to-token');
    expect(
      (await client.actions.list({ triggerId: 'post-login' })).data.every((a) =>
        a.supported_triggers?.some((t) => t.id === 'post-login'),
      ),
    ).toBe(true);
    expect((await client.rules.list()).data).toHaveLength(tenant.rules.length);
    expect((await client.hooks.list()).data).toHaveLength(tenant.hooks.length);
  });

  it('runs the export job lifecycle: pending -> completed, gzip NDJSON, expiring link, fresh link', async () => {
    const client = createAuth0Client(creds());
    const job = await client.jobs.usersExports.create({
      format: 'json',
      fields: [
        { name: 'user_id' },
        { name: 'email', export_as: 'mail' },
        { name: 'app_metadata' },
        { name: 'identities[0].connection', export_as: 'connection' },
      ],
    });
    expect(job.status).toBe('pending');
    const seen = new Set<string>();
    let status = await client.jobs.get(job.id);
    while (status.status !== 'completed') {
      seen.add(status.status);
      expect(['pending', 'processing']).toContain(status.status);
      await new Promise((r) => setTimeout(r, 50));
      status = await client.jobs.get(job.id);
    }
    expect(seen.has('pending') || seen.has('processing')).toBe(true);
    const first = await fetch(status.location!);
    expect(first.status).toBe(200);
    const lines = gunzipSync(Buffer.from(await first.arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(tenant.users.length);
    expect(lines[0]).toEqual({
      user_id: tenant.users[0]!.user_id,
      ...(tenant.users[0]!.email ? { mail: tenant.users[0]!.email } : {}),
      app_metadata: tenant.users[0]!.app_metadata,
      connection: tenant.users[0]!.identities[0]!.connection,
    });

    await new Promise((r) => setTimeout(r, 900));
    const expired = await fetch(status.location!);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Code>AccessDenied</Code>');
    const fresh = await client.jobs.get(job.id);
    expect(fresh.location).not.toBe(status.location);
    expect((await fetch(fresh.location!)).status).toBe(200);
  });

  it('filters an export by connection and fails a job on demand', async () => {
    const client = createAuth0Client(creds());
    const db = tenant.connections.find((c) => c.name === 'partners-db')!;
    const job = await client.jobs.usersExports.create({ connection_id: db.id, format: 'csv' });
    await new Promise((r) => setTimeout(r, 350));
    const done = await client.jobs.get(job.id);
    expect(done.status).toBe('completed');
    const csv = gunzipSync(Buffer.from(await (await fetch(done.location!)).arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('user_id,name,email,identities[0].connection,created_at,updated_at');
    expect(csv.length - 1).toBe(
      tenant.users.filter((u) => u.identities[0]!.connection === 'partners-db').length,
    );

    sandbox.failNextExportJob();
    const failing = await client.jobs.usersExports.create({ format: 'json' });
    await new Promise((r) => setTimeout(r, 350));
    const failed = await client.jobs.get(failing.id);
    expect(failed.status).toBe('failed');
    expect(failed.location).toBeUndefined();
  });

  it('rate-limits with x-ratelimit headers and a 429 body; the SDK retries and succeeds', async () => {
    const token = await rawToken();
    const client = createAuth0Client(creds());
    await client.roles.list(); // token fetched before limits start
    sandbox.setRateLimits({ default: { limit: 2, windowMs: 1000 } });
    try {
      const responses = [];
      for (let i = 0; i < 3; i++)
        responses.push(
          await fetch(`${sandbox.baseUrl}/api/v2/roles`, { headers: { authorization: `Bearer ${token}` } }),
        );
      expect(responses[0]!.headers.get('x-ratelimit-limit')).toBe('2');
      expect(responses[0]!.headers.get('x-ratelimit-remaining')).toBe('1');
      const limited = responses[2]!;
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(
        Math.floor(Date.now() / 1000),
      );
      expect(await limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });

      const before = sandbox.stats().rateLimited;
      const results = await Promise.all([0, 1, 2, 3].map(() => client.roles.list()));
      expect(results.every((r) => r.data.length > 0)).toBe(true);
      expect(sandbox.stats().rateLimited).toBeGreaterThan(before);
      await new Promise((r) => setTimeout(r, 1100));
      await client.roles.list();
      const err = await caught(Promise.all([0, 1, 2].map(() => client.roles.list({}, { maxRetries: 0 }))));
      expect(err.statusCode).toBe(429);
    } finally {
      sandbox.setRateLimits({});
    }
  });

  it('injects latency, 500/503 answers and dropped connections', async () => {
    const client = createAuth0Client(creds());
    await client.roles.list(); // token cached before faults start
    try {
      sandbox.setFaults({ latencyMs: 250 });
      const t0 = Date.now();
      await client.roles.list();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(240);

      sandbox.setFaults({ errorRate: 1 });
      const err = await caught(client.roles.list({}, { maxRetries: 0 }));
      expect([500, 503]).toContain(err.statusCode);

      sandbox.setFaults({ dropRate: 1 });
      await expect(client.roles.list({}, { maxRetries: 0 })).rejects.toThrow();
      expect(sandbox.stats().faults.drops).toBeGreaterThan(0);
    } finally {
      sandbox.setFaults({});
    }
    expect((await client.roles.list()).data.length).toBe(Math.min(50, tenant.roles.length));
  });
});
