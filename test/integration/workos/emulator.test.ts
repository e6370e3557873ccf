import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from 'workos/emulate';
import { WorkosApi } from '../../../src/main/workos/api';
import { journalCounts } from '../../../src/main/workos/journal';
import type { LiveFactor, LiveMembership, LiveUser } from '../../../src/main/workos/live';
import { runVerify } from '../../../src/main/workos/verify';
import type { Workspace } from '../../../src/main/workspace';
import type { Exported } from '../passwords/setup';
import { NO_LIMITS, importDirect, planDirect, reviewedTenant } from './setup';

// The importer against WorkOS's own emulator (`workos/emulate`), for the entities it supports: roles, organizations
// with domains and metadata, users, memberships with several roles, TOTP factors. Differences it has from the API
// (docs/workos-emulator.md): no Idempotency-Key, 409 user_already_exists, and password_hash ignored (so imported
// hashes cannot sign in there; passwords are verified against the project's sandbox instead).

let t: Exported;
let ws: Workspace;
let emu: Emulator;
let api: WorkosApi;

beforeAll(async () => {
  t = await reviewedTenant({ users: 120, orgs: 4, seed: 'workos-emulator' });
  ws = t.open();
  emu = await createEmulator({ port: 0 });
  api = new WorkosApi({ apiKey: emu.apiKey, baseUrl: `http://127.0.0.1:${emu.port}` }, { limits: NO_LIMITS });
}, 120_000);
afterAll(async () => {
  ws?.close();
  await emu?.close();
  t?.cleanup();
});

async function liveCounts() {
  const users = await api.listAll<LiveUser>('/user_management/users');
  let memberships = 0;
  let factors = 0;
  for (const u of users) {
    memberships += (
      await api.listAll<LiveMembership>('/user_management/organization_memberships', { user_id: u.id })
    ).length;
    factors += (await api.listAll<LiveFactor>(`/user_management/users/${u.id}/auth_factors`)).length;
  }
  return {
    users: users.length,
    emails: new Set(users.map((u) => u.email.toLowerCase())).size,
    memberships,
    factors,
  };
}

describe('WorkOS emulator', () => {
  it('imports the plan and verifies everything but passwords', async () => {
    const plan = await planDirect(ws, api, { multipleRoles: true });
    await importDirect(ws, api, plan.planId);
    const c = journalCounts(ws, plan.planId);
    for (const k of Object.values(c)) expect(k.failed + k.pending + k.in_flight).toBe(0);
    const live = await liveCounts();
    expect(live).toEqual({
      users: plan.counts.user.create,
      emails: plan.counts.user.create,
      memberships: plan.counts.membership.create,
      factors: plan.counts.totp.create,
    });
    const v = await runVerify({
      workspace: ws,
      api,
      planId: plan.planId,
      passwords: null,
      sample: 'all',
      progress: () => undefined,
      throwIfStopped: () => undefined,
    });
    expect(v.counts.mismatches).toBe(0);
    expect(v.counts.users.found).toBe(plan.counts.user.create);
  });

  it('resume re-checks in-flight operations by lookup: the emulator has no Idempotency-Key, yet nothing doubles', async () => {
    const planId = ws.db.prepare('SELECT plan_id FROM workos_journal LIMIT 1').pluck().get() as string;
    const before = await liveCounts();
    // As a kill leaves them: requests sent, answers never written.
    const marked = ws.db
      .prepare(
        `UPDATE workos_journal SET status = 'in_flight' WHERE op_id IN (
           SELECT op_id FROM workos_journal WHERE plan_id = ? AND kind IN ('user.create', 'membership.create', 'totp.create', 'organization.create', 'role.create')
           AND op_id % 7 = 0)`,
      )
      .run(planId).changes;
    expect(marked).toBeGreaterThan(10);
    await importDirect(ws, api, planId);
    expect(await liveCounts()).toEqual(before);
    const c = journalCounts(ws, planId);
    for (const k of Object.values(c)) expect(k.in_flight + k.failed).toBe(0);
  });

  it('answers a duplicate email with 409 user_already_exists (the sandbox answers 400 by default)', async () => {
    const existing = (await api.listAll<LiveUser>('/user_management/users'))[0]!;
    await expect(
      api.request('POST', '/user_management/users', { body: { email: existing.email } }),
    ).rejects.toMatchObject({ failure: { status: 409, code: 'user_already_exists' } });
  });
});
