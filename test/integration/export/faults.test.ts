import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchGrantedScopes } from '../../../src/main/auth0/client';
import { AUTH0_SANDBOX_SCOPES } from '../../../src/main/sandbox/auth0/server';
import { generateTenant } from '../../../src/main/sandbox/generator';
import {
  count,
  createTestWorkspace,
  credsOf,
  expectedCounts,
  liveCounts,
  runExport,
  startSandbox,
  withWorkspace,
} from './helpers';
import { startExportProxy } from './proxy';

// The export under what Auth0 and the network do: latency, 5xx, dropped connections, 429 bursts, a failing export
// job, an expired download link, a truncated or malformed file, missing scopes.

let dir: string;
const tenant = generateTenant({ users: 600, orgs: 25, seed: 'export-faults' });
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-export-faults-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runState = (tw: Parameters<typeof withWorkspace>[0], runId: string) =>
  withWorkspace(tw, (ws) =>
    ws.db.prepare('SELECT state FROM auth0_export_runs WHERE run_id = ?').pluck().get(runId),
  );

describe('Auth0 export under faults', () => {
  it('completes exactly with latency, 5% server errors, dropped connections and 429 bursts', async () => {
    const sb = await startSandbox(tenant, {
      faults: { latencyMs: 3, errorRate: 0.05, dropRate: 0.02, seed: 'faults-1' },
      // A small window: the pacer must follow the headers, and the first burst meets 429s.
      rateLimits: { default: { limit: 40, windowMs: 200 }, organizations: { limit: 25, windowMs: 200 } },
    });
    try {
      const tw = await createTestWorkspace(dir, 'faults');
      // 429 bursts: another client spends the shared rate limit for a while, so the export meets 429s.
      const burst = setInterval(() => {
        for (let i = 0; i < 40; i++)
          void fetch(`${sb.baseUrl}/api/v2/roles`).then(
            (r) => r.body?.cancel(),
            () => undefined,
          );
      }, 100);
      const stopBurst = setTimeout(() => clearInterval(burst), 2500);
      const { job, runId } = await runExport(tw, sb).finally(() => {
        clearInterval(burst);
        clearTimeout(stopBurst);
      });
      expect(job.error).toBeUndefined();
      expect(job.state).toBe('completed');
      expect(runState(tw, runId)).toBe('complete');
      withWorkspace(tw, (ws) => expect(liveCounts(ws)).toEqual(expectedCounts(tenant)));
      const stats = sb.stats() as unknown as Record<string, unknown>;
      const text = JSON.stringify(stats);
      // The faults really happened.
      expect(text).toMatch(/"errors":[1-9]/);
      expect(text).toMatch(/"drops":[1-9]/);
      expect(sb.stats().rateLimited).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
  });

  it('waits out a 429 from the token endpoint (shared with other clients) before exporting', async () => {
    const sb = await startSandbox(tenant, { rateLimits: { token: { limit: 1, windowMs: 1500 } } });
    try {
      const tw = await createTestWorkspace(dir, 'token-429');
      // Another client spends the token window just before the export asks for its token.
      await fetchGrantedScopes(credsOf(sb));
      const { job, runId } = await runExport(tw, sb, { entities: ['roles'] });
      expect(job.error).toBeUndefined();
      expect(job.state).toBe('completed');
      expect(runState(tw, runId)).toBe('complete');
      expect(sb.stats().rateLimited).toBeGreaterThanOrEqual(1);
    } finally {
      await sb.close();
    }
  });

  it('retries a failed Auth0 export job with a new one', async () => {
    const sb = await startSandbox(tenant);
    try {
      sb.failNextExportJob();
      const tw = await createTestWorkspace(dir, 'failjob');
      const { job } = await runExport(tw, sb, { entities: ['users'] });
      expect(job.error).toBeUndefined();
      expect(sb.stats().exportJobsCreated).toBe(2);
      withWorkspace(tw, (ws) => expect(count(ws.db, 'auth0_users')).toBe(tenant.users.length));
    } finally {
      await sb.close();
    }
  });

  it('asks for a fresh link when the download link has expired', async () => {
    const sb = await startSandbox(tenant);
    const proxy = await startExportProxy(sb.baseUrl);
    try {
      proxy.expireNextLinks(2);
      const tw = await createTestWorkspace(dir, 'expired');
      const { job } = await runExport(
        tw,
        { creds: { ...credsOf(sb), baseUrl: proxy.baseUrl } },
        { entities: ['users'] },
      );
      expect(job.error).toBeUndefined();
      expect(proxy.stats.expiredServed).toBe(2);
      expect(sb.stats().exportJobsCreated).toBe(1);
      withWorkspace(tw, (ws) => expect(count(ws.db, 'auth0_users')).toBe(tenant.users.length));
    } finally {
      await proxy.close();
      await sb.close();
    }
  });

  it('fails clearly on a truncated gzip file and presents nothing of it as exported', async () => {
    const sb = await startSandbox(tenant);
    const proxy = await startExportProxy(sb.baseUrl);
    try {
      const lines = tenant.users.map((u) => JSON.stringify(u)).join('\n') + '\n';
      const gz = gzipSync(lines);
      proxy.replaceFile(gz.subarray(0, Math.floor(gz.length * 0.6)));
      const tw = await createTestWorkspace(dir, 'truncated');
      const { job, runId } = await runExport(
        tw,
        { creds: { ...credsOf(sb), baseUrl: proxy.baseUrl } },
        {
          entities: ['users'],
          runId: crypto.randomUUID(),
        },
      );
      expect(job.state).toBe('failed');
      expect(job.error?.code).toBe('remote_error');
      expect(job.error?.message).toMatch(
        /damaged or truncated .* after line \d+; nothing from this file was merged/,
      );
      expect(runState(tw, runId)).toBe('failed');
      withWorkspace(tw, (ws) => {
        expect(count(ws.db, 'auth0_users')).toBe(0);
        expect(
          ws.db.prepare('SELECT count(*) FROM auth0_export_completeness WHERE run_id = ?').pluck().get(runId),
        ).toBe(0);
      });
    } finally {
      await proxy.close();
      await sb.close();
    }
  });

  it('names the line of a malformed NDJSON record without its content', async () => {
    const sb = await startSandbox(tenant);
    const proxy = await startExportProxy(sb.baseUrl);
    try {
      const lines = tenant.users.map((u) => JSON.stringify(u));
      const secretish = lines[449]!;
      lines[449] = secretish.slice(0, -5); // line 450 is cut mid-object
      proxy.replaceFile(gzipSync(lines.join('\n') + '\n'));
      const tw = await createTestWorkspace(dir, 'malformed');
      const { job, runId } = await runExport(
        tw,
        { creds: { ...credsOf(sb), baseUrl: proxy.baseUrl } },
        {
          entities: ['users'],
        },
      );
      expect(job.state).toBe('failed');
      expect(job.error?.message).toMatch(/^Line 450 of the users export file is not valid JSON/);
      expect(JSON.stringify(job.error)).not.toContain(tenant.users[449]!.user_id);
      if (tenant.users[449]!.email) expect(JSON.stringify(job.error)).not.toContain(tenant.users[449]!.email);
      expect(runState(tw, runId)).toBe('failed');
      withWorkspace(tw, (ws) => expect(count(ws.db, 'auth0_users')).toBe(0));
    } finally {
      await proxy.close();
      await sb.close();
    }
  });

  it('stops before exporting when scopes are missing and lists what each is for', async () => {
    const scopes = AUTH0_SANDBOX_SCOPES.filter(
      (s) => s !== 'read:connections_options' && s !== 'read:organization_members',
    );
    const sb = await startSandbox(tenant, {
      clients: [
        { clientId: 'limitedclient', clientSecret: 'limited-secret-value-0123456789', scopes: [...scopes] },
      ],
    });
    try {
      const tw = await createTestWorkspace(dir, 'scopes');
      const { job, runId } = await runExport(tw, sb);
      expect(job.state).toBe('failed');
      expect(job.error?.code).toBe('scope_missing');
      expect(job.error?.message).toContain('read:connections_options (reading connection settings');
      expect(job.error?.message).toContain('read:organization_members (listing organization members)');
      expect(job.error?.hint).toMatch(/Machine to Machine Applications/);
      expect(job.error?.message).not.toContain('limited-secret-value');
      expect(runState(tw, runId)).toBe('failed');
      expect(sb.stats().exportJobsCreated).toBe(0);
    } finally {
      await sb.close();
    }
  });
});
