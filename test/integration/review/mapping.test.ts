import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  iterateUserOutcomes,
  iterateWorkosMemberships,
  iterateWorkosOrganizations,
  iterateWorkosUsers,
  mapOrganization,
  mapUser,
  mapUsersInStoredOrder,
  organizationMapper,
  roleMappings,
  workosRoles,
} from '../../../src/main/review/mapping';
import type { Workspace } from '../../../src/main/workspace';
import { exportedTenant, type Exported } from './setup';

let ex: Exported;
let ws: Workspace;

beforeAll(async () => {
  ex = await exportedTenant({ users: 700, orgs: 12, seed: 'review-mapping' });
  ws = ex.open();
});
afterAll(() => {
  ws?.close();
  ex?.cleanup();
});

describe('Auth0 -> WorkOS mapping', () => {
  it('maps every user with an email, carrying email_verified exactly and external_id = user_id', () => {
    const byId = new Map(ex.tenant.users.map((u) => [u.user_id, u]));
    const outcomes = [...iterateUserOutcomes(ws, { pageSize: 97 })];
    expect(outcomes).toHaveLength(ex.manifest.users);
    const skipped = outcomes.filter((o) => o.kind === 'skip');
    expect(skipped.filter((o) => o.kind === 'skip' && o.reason === 'no_email')).toHaveLength(
      ex.manifest.usersWithoutEmail,
    );
    expect(skipped.filter((o) => o.kind === 'skip' && o.reason === 'merged_into_survivor')).toHaveLength(
      ex.manifest.duplicateEmailAcrossConnections,
    );
    for (const u of iterateWorkosUsers(ws, { pageSize: 50 })) {
      const src = byId.get(u.sourceUserId)!;
      expect(u.email).toBe(src.email);
      expect(u.emailVerified).toBe(src.email_verified === true);
      expect(u.externalId).toBe(src.user_id);
      expect(u.firstName).toBe(src.given_name);
      expect(u.lastName).toBe(src.family_name);
      expect(Object.keys(u.metadata).length).toBeLessThanOrEqual(50);
      for (const [k, v] of Object.entries(u.metadata)) {
        expect(k.length).toBeLessThanOrEqual(40);
        expect(typeof v).toBe('string');
        expect([...v].length).toBeLessThanOrEqual(600);
      }
      expect(u.metadata.auth0_user_id).toBe(src.user_id);
      expect(u.importPassword).toBe(true);
    }
  });

  it('maps the same outcomes in stored order as in user_id order, across pages', () => {
    const byKey = [...iterateUserOutcomes(ws, { pageSize: 97 })];
    const stored = [...mapUsersInStoredOrder(ws, undefined, 61)];
    expect(stored.length).toBe(Math.ceil(ex.manifest.users / 61));
    const flat = stored.flat().sort((a, b) => (a.sourceUserId < b.sourceUserId ? -1 : 1));
    expect(flat).toHaveLength(ex.manifest.users);
    expect(flat).toEqual(byKey);
  });

  it('reports every metadata value that does not fit instead of cutting it', () => {
    const large = ex.tenant.users.filter((u) => u.user_metadata && 'notes' in u.user_metadata && u.email);
    expect(large.length).toBeGreaterThan(0);
    for (const src of large) {
      const o = mapUser(ws, src.user_id)!;
      if (o.kind !== 'create') continue;
      const codes = o.record.problems.map((p) => p.code);
      expect(codes).toContain('metadata_value_too_long');
      expect(codes).toContain('metadata_too_many_keys');
      expect(o.record.metadata.notes).toBeUndefined();
      const kept = Object.keys(o.record.metadata).length;
      const dropped = o.record.problems.filter((p) => p.code === 'metadata_too_many_keys').length;
      expect(kept).toBe(50);
      // 4 facts + 2 app_metadata + 61 user_metadata keys: 50 kept, the long note and the rest reported.
      expect(kept + dropped + 1).toBe(4 + 2 + 61);
    }
    const nonString = ex.tenant.users.find(
      (u) => u.app_metadata && 'seats' in u.app_metadata && u.email && !u.blocked,
    )!;
    const o = mapUser(ws, nonString.user_id)!;
    expect(o.kind).toBe('create');
    if (o.kind === 'create') {
      expect(o.record.metadata.seats).toBe(String(nonString.app_metadata!.seats));
      expect(o.record.metadata.billing).toBe('{"vat":null,"country":"DE"}');
      expect(
        o.record.problems.filter((p) => p.code === 'metadata_value_stringified').map((p) => p.source),
      ).toEqual([
        'app_metadata.seats',
        'app_metadata.beta',
        'app_metadata.score',
        'app_metadata.tags',
        'app_metadata.billing',
      ]);
    }
  });

  it('maps roles onto built-ins explicitly and resolves slug collisions', () => {
    const roles = roleMappings(ws.db);
    const byName = new Map(roles.map((r) => [r.auth0Name, r]));
    expect(byName.get('Admin')!.slug).toBe('admin');
    expect(byName.get('admin ')!.slug).toBe('admin');
    expect(byName.get('Admin')!.problems.map((p) => p.code)).toContain('role_merged_into_built_in');
    expect(byName.get('Member')!.slug).toBe('member');
    expect(byName.get('Billing & Finance (EU)')!.slug).toBe('billing-finance-eu');
    expect(byName.get('Support—Tier 2')!.slug).toBe('support-tier-2');
    for (const r of roles) {
      expect(r.slug).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
      expect(r.slug.length).toBeLessThanOrEqual(48);
      expect(r.name.length).toBeLessThanOrEqual(48);
    }
    const slugs = workosRoles(ws.db).map((r) => r.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(workosRoles(ws.db).find((r) => r.slug === 'admin')!.sourceRoleIds).toHaveLength(3);
  });

  it('yields organizations with domains from their enterprise connections, pending by default', () => {
    const orgs = [...iterateWorkosOrganizations(ws, { pageSize: 5 })];
    expect(orgs).toHaveLength(ex.manifest.organizations);
    const withSso = new Set(
      ex.tenant.orgConnections
        .filter(
          (oc) =>
            !oc.connection_id.startsWith('x') &&
            ex.tenant.connections.find((c) => c.id === oc.connection_id)!.strategy !== 'auth0',
        )
        .map((oc) => oc.org_id),
    );
    for (const o of orgs) {
      const src = ex.tenant.organizations.find((x) => x.id === o.sourceOrgId)!;
      expect(o.externalId).toBe(src.id);
      expect(o.name).toBe(src.display_name);
      expect(o.metadata.plan).toBe(src.metadata!.plan);
      expect(o.domains.length > 0).toBe(withSso.has(o.sourceOrgId));
      for (const d of o.domains) expect(d.state).toBe('pending');
    }
    // One at a time (import, verify), with the workspace-wide inputs read once: the same records, problems included.
    const one = organizationMapper(ws);
    for (const o of orgs) {
      expect(one(o.sourceOrgId)).toEqual(o);
      expect(mapOrganization(ws, o.sourceOrgId)).toEqual(o);
    }
    expect(one('org_not_there')).toBeNull();
  });

  it('yields one membership per (surviving user, organization) with the union of role slugs', () => {
    const created = new Set([...iterateWorkosUsers(ws)].map((u) => u.sourceUserId));
    const slugOf = new Map(roleMappings(ws.db).map((r) => [r.roleId, r.slug]));
    const expected = new Map<string, Set<string>>();
    const outcomes = new Map([...iterateUserOutcomes(ws)].map((o) => [o.sourceUserId, o]));
    for (const m of ex.tenant.members) {
      const o = outcomes.get(m.user_id)!;
      const owner =
        o.kind === 'create' ? o.sourceUserId : o.reason === 'merged_into_survivor' ? o.mergedInto! : null;
      if (!owner || !created.has(owner)) continue;
      const key = `${owner} ${m.org_id}`;
      const set = expected.get(key) ?? new Set<string>();
      for (const r of m.roles) set.add(slugOf.get(r)!);
      expected.set(key, set);
    }
    const got = new Map<string, string[]>();
    for (const m of iterateWorkosMemberships(ws, { pageSize: 33 })) {
      const key = `${m.sourceUserId} ${m.sourceOrgId}`;
      expect(got.has(key)).toBe(false);
      got.set(key, m.roleSlugs);
    }
    expect(got.size).toBe(expected.size);
    for (const [k, v] of expected) expect(got.get(k)).toEqual([...v].sort());
  });
});
