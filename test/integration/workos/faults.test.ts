import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkosSandbox, WorkosSandboxOptions } from '../../../src/main/sandbox/workos';
import { journalCounts } from '../../../src/main/workos/journal';
import { WORKOS_PUBLISHED_LIMITS } from '../../../src/main/workos/limiter';
import { openWorkspaceWithKey, type Workspace } from '../../../src/main/workspace';
import type { Exported } from '../passwords/setup';
import { NO_LIMITS, apiFor, importDirect, planDirect, reviewedTenant, sandbox, verifyDirect } from './setup';

// The import against a misbehaving WorkOS: 5% server errors, dropped connections (before and after the write was
// applied), 429 storms from limits tighter than the published ones, slow answers. Each run must end with WorkOS
// holding exactly the plan (no duplicate, nothing missing) and every password verifying.

let t: Exported;
const open: Workspace[] = [];
const sandboxes: WorkosSandbox[] = [];

beforeAll(async () => {
  t = await reviewedTenant({ users: 250, orgs: 6, seed: 'workos-faults' });
}, 120_000);
afterAll(async () => {
  for (const ws of open) ws.close();
  for (const sb of sandboxes) await sb.close();
  t?.cleanup();
});

/** A fresh copy of the reviewed workspace, so that each scenario has its own plan and journal. */
function copyWorkspace(name: string): Workspace {
  const file = join(t.dir, `${name}.a2w.sqlite`);
  copyFileSync(t.tw.file, file);
  const ws = openWorkspaceWithKey(file, t.tw.dataKey);
  open.push(ws);
  return ws;
}

async function scenario(name: string, opts: WorkosSandboxOptions, limits = NO_LIMITS, timeoutMs?: number) {
  const sb = await sandbox({ ...opts, faults: undefined });
  sandboxes.push(sb);
  const ws = copyWorkspace(name);
  const plan = await planDirect(ws, apiFor(sb));
  // Faults start with the import: the plan was read from a healthy WorkOS.
  sb.setFaults(opts.faults ?? {});
  if (opts.rateLimits) sb.setRateLimits(opts.rateLimits);
  const api = apiFor(sb, limits, timeoutMs);
  await importDirect(ws, api, plan.planId);
  sb.setFaults({});
  sb.setRateLimits({
    userManagementWrites: null,
    userManagementReads: null,
    overall: null,
    organizationDeletes: null,
  });
  const counts = journalCounts(ws, plan.planId);
  for (const c of Object.values(counts)) expect(c.failed + c.pending + c.in_flight).toBe(0);
  const state = sb.state();
  expect(state.users).toHaveLength(plan.counts.user.create);
  expect(new Set(state.users.map((u) => u.email.toLowerCase())).size).toBe(state.users.length);
  expect(state.organizations).toHaveLength(plan.counts.organization.create);
  expect(state.memberships).toHaveLength(plan.counts.membership.create);
  expect(state.authFactors).toHaveLength(plan.counts.totp.create);
  const v = await verifyDirect(ws, apiFor(sb), plan.planId, t, sb.clientId);
  expect(v.counts.mismatches).toBe(0);
  expect(v.counts.passwords.verified).toBe(v.counts.passwords.checked);
  return { sb, api, stats: sb.stats() };
}

describe('import under faults', () => {
  it('5% server errors and dropped connections, before and after the write was applied', async () => {
    const { stats, api } = await scenario('errors', {
      faults: { errorRate: 0.05, dropRate: 0.03, dropAfterCommitRate: 0.05, seed: 'faults-1' },
    });
    expect(stats.faults.errors).toBeGreaterThan(10);
    expect(stats.faults.drops).toBeGreaterThan(5);
    expect(stats.faults.droppedAfterCommit).toBeGreaterThan(5);
    expect(api.limiter.stats().rateLimited).toBe(0);
  });

  it('429 storms: WorkOS limits tighter than the published ones, Retry-After honoured', async () => {
    const { api, stats } = await scenario(
      'storm',
      {
        rateLimits: {
          userManagementWrites: { limit: 60, windowMs: 1000 },
          overall: { limit: 150, windowMs: 1000 },
        },
      },
      // The client believes the published limits; the server allows far less: every window ends in 429s.
      {
        ...WORKOS_PUBLISHED_LIMITS,
        umWrites: { limit: 500, windowMs: 1000 },
        overall: { limit: 6000, windowMs: 1000 },
      },
    );
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(api.limiter.stats().rateLimited).toBe(stats.rateLimited);
    // Adapted: the effective limit came down from the published one.
    expect(api.limiter.stats().factors.um_write).toBeLessThan(1);
  });

  it('slow answers (120 ms each), some lost after the write was applied', async () => {
    const { stats } = await scenario(
      'slow',
      { faults: { latencyMs: 120, dropAfterCommitRate: 0.02, seed: 'slow' } },
      { ...NO_LIMITS, concurrency: 24 },
      2000,
    );
    expect(stats.faults.delayed).toBeGreaterThan(100);
  });
});
