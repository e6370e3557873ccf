import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { journalCounts } from '../../../src/main/workos/journal';
import { iterateWorkosMemberships, iterateWorkosUsers } from '../../../src/main/review/mapping';
import { apiFor, reviewedWorkspace, importDirect, planDirect, shape, verifyDirect } from './setup';

// Export -> merge -> review -> plan -> import -> verify on a small generated tenant, against the WorkOS sandbox through
// the real SDK: every planned object lands once, every password verifies, a second run does nothing.

const f = reviewedWorkspace({ users: 400, orgs: 8, seed: 'workos-e2e' });

describe('plan, import, verify', () => {
  it('imports exactly the plan and every password signs in', async () => {
    const api = apiFor(f.sb);
    // Statements are prepared per kind of query, not per user: each one prepared per row held native memory until
    // a garbage collection came (1.2 GB for a plan of 100,000 users).
    const prepares = vi.spyOn(Database.prototype, 'prepare');
    const plan = await planDirect(f.ws, api, { multipleRoles: true });
    const planPrepares = prepares.mock.calls.length;
    const users = [...iterateWorkosUsers(f.ws)];
    const memberships = [...iterateWorkosMemberships(f.ws)];
    expect(plan.counts.user.create).toBe(users.length);
    expect(plan.counts.membership.create).toBe(memberships.length);
    expect(plan.counts.totp.create).toBeGreaterThan(0);

    prepares.mockClear();
    const summary = await importDirect(f.ws, api, plan.planId);
    const importPrepares = prepares.mock.calls.length;
    prepares.mockRestore();
    expect(planPrepares).toBeLessThan(users.length / 4);
    expect(importPrepares).toBeLessThan(users.length / 4);
    const c = journalCounts(f.ws, plan.planId);
    expect(c.user.failed + c.membership.failed + c.organization.failed + c.role.failed + c.totp.failed).toBe(
      0,
    );
    expect(summary.counts.user.done).toBe(users.length);

    const state = f.sb.state();
    expect(state.users).toHaveLength(users.length);
    expect(state.memberships).toHaveLength(memberships.length);
    expect(state.organizations).toHaveLength(f.t.tenant.organizations.length);
    expect(state.authFactors).toHaveLength(plan.counts.totp.create);
    // Users in several organizations keep every membership (WorkOS's CLI drops the second one).
    const perUser = new Map<string, number>();
    for (const m of memberships) perUser.set(m.sourceUserId, (perUser.get(m.sourceUserId) ?? 0) + 1);
    const multi = [...perUser.values()].filter((n) => n > 1).length;
    expect(multi).toBeGreaterThan(0);
    const liveIds = new Map(state.users.map((u) => [u.external_id, u.id]));
    for (const [userId, n] of perUser)
      expect(state.memberships.filter((m) => m.user_id === liveIds.get(userId))).toHaveLength(n);
    expect(f.sb.stats().specViolations).toEqual([]);

    const v = await verifyDirect(f.ws, api, plan.planId, f.t, f.sb.clientId);
    expect(v.counts.passwords.checked).toBeGreaterThan(0);
    expect(v.counts.passwords.verified).toBe(v.counts.passwords.checked);
    expect(v.counts.mismatches).toBe(0);
    expect(v.ok).toBe(true);

    // Re-running the finished import sends nothing.
    const before = f.sb.stats().requests;
    await importDirect(f.ws, api, plan.planId);
    expect(f.sb.stats().requests).toBe(before);

    // A new plan over the imported environment finds everything in place.
    const again = await planDirect(f.ws, api, { multipleRoles: true });
    expect(again.counts.user.create + again.counts.user.repair + again.counts.user.conflict).toBe(0);
    expect(again.counts.membership.create + again.counts.membership.repair).toBe(0);
    expect(shape(f.sb).users).toHaveLength(users.length);
  });
});
