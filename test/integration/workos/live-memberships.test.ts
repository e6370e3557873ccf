import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkosSandbox } from '../../../src/main/sandbox/workos';
import { createWorkosClient } from '../../../src/main/workos/client';
import { membershipsOfUser, readLiveIndex } from '../../../src/main/workos/live';
import { apiFor, sandbox } from './setup';

// The plan reads a user's memberships in every status: WorkOS lists only active ones unless asked, and an inactive
// membership must be planned as a reactivation, not as a new membership.

let sb: WorkosSandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(() => sb?.close());

describe('membershipsOfUser', () => {
  it('returns active, inactive and pending memberships, with the filter the spec documents', async () => {
    const workos = createWorkosClient({ apiKey: sb.apiKey, baseUrl: sb.baseUrl }, { maxRetries: 0 });
    const user = await workos.userManagement.createUser({ email: 'live@example.com' });
    const orgs = [
      await workos.organizations.createOrganization({ name: 'L1' }),
      await workos.organizations.createOrganization({ name: 'L2' }),
    ];
    const [active, inactive] = [
      await workos.userManagement.createOrganizationMembership({
        userId: user.id,
        organizationId: orgs[0]!.id,
      }),
      await workos.userManagement.createOrganizationMembership({
        userId: user.id,
        organizationId: orgs[1]!.id,
      }),
    ];
    await workos.userManagement.deactivateOrganizationMembership(inactive.id);

    const found = await membershipsOfUser(apiFor(sb), user.id);
    expect(found.map((m) => [m.id, m.status]).sort()).toEqual(
      [
        [active.id, 'active'],
        [inactive.id, 'inactive'],
      ].sort(),
    );
    expect(sb.stats().specViolations).toEqual([]);
  });
});

describe('readLiveIndex', () => {
  it('keeps of each user only the fields plan, import and verify compare', async () => {
    const workos = createWorkosClient({ apiKey: sb.apiKey, baseUrl: sb.baseUrl }, { maxRetries: 0 });
    const user = await workos.userManagement.createUser({
      email: 'Slim@Example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emailVerified: true,
      externalId: 'auth0|slim',
      metadata: { auth0_connection: 'db' },
    });
    const live = await readLiveIndex(apiFor(sb));
    const held = live.usersByEmail.get('slim@example.com');
    expect(held).toEqual({
      id: user.id,
      email: 'Slim@Example.com',
      email_verified: true,
      first_name: 'Ada',
      last_name: 'Lovelace',
      external_id: 'auth0|slim',
      metadata: { auth0_connection: 'db' },
      updated_at: user.updatedAt,
    });
    expect(live.usersByExternalId.get('auth0|slim')).toBe(held);
  });
});
