import {
  BadRequestException,
  ConflictException,
  GenericServerException,
  NotFoundException,
  UnauthorizedException,
  UnprocessableEntityException,
  type WorkOS,
} from '@workos-inc/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorkosSandbox, type WorkosSandbox } from '../../src/main/sandbox/workos';
import { createWorkosClient } from '../../src/main/workos/client';

// The WorkOS sandbox driven through the real @workos-inc/node SDK: entities, their errors, request ids.

let sandbox: WorkosSandbox;
let workos: WorkOS;

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  sandbox = await startWorkosSandbox();
  workos = createWorkosClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl }, { maxRetries: 0 });
});
afterAll(() => sandbox.close());
afterEach(() => {
  // No test here may send a request the published spec rejects, unless it resets after asserting so.
  expect(sandbox.stats().specViolations).toEqual([]);
  sandbox.reset();
});

describe('users', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const created = await workos.userManagement.createUser({
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emailVerified: true,
      externalId: 'auth0|ada',
      metadata: { plan: 'pro' },
    });
    expect(created).toMatchObject({
      object: 'user',
      email: 'ada@example.com',
      emailVerified: true,
      externalId: 'auth0|ada',
    });
    expect(created.id).toMatch(/^user_[0-9A-Z]{26}$/);
    expect(Date.parse(created.createdAt)).not.toBeNaN();

    expect((await workos.userManagement.getUser(created.id)).firstName).toBe('Ada');
    expect((await workos.userManagement.getUserByExternalId('auth0|ada')).id).toBe(created.id);
    const byEmail = await workos.userManagement.listUsers({ email: 'ada@example.com' });
    expect(byEmail.data.map((u) => u.id)).toEqual([created.id]);

    const updated = await workos.userManagement.updateUser({
      userId: created.id,
      lastName: 'King',
      metadata: { plan: 'team' },
    });
    expect(updated).toMatchObject({ lastName: 'King', metadata: { plan: 'team' } });

    await workos.userManagement.deleteUser(created.id);
    const gone = await rejection(workos.userManagement.getUser(created.id));
    expect(gone).toBeInstanceOf(NotFoundException);
    expect(gone.code).toBe('entity_not_found');
    expect(gone.requestID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pages a list with cursors, newest first by default, and auto-paginates', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++)
      ids.push((await workos.userManagement.createUser({ email: `u${i}@example.com` })).id);
    const first = await workos.userManagement.listUsers({ limit: 10 });
    expect(first.data.map((u) => u.id)).toEqual(ids.slice(-10).reverse());
    expect(first.listMetadata.after).toBe(ids[13]);
    const asc = await workos.userManagement.listUsers({ limit: 10, order: 'asc', after: ids[19] });
    expect(asc.data.map((u) => u.id)).toEqual(ids.slice(20));
    expect(asc.listMetadata.after).toBeNull();
    const all = await (await workos.userManagement.listUsers({ order: 'asc' })).autoPagination();
    expect(all.map((u) => u.id)).toEqual(ids);
  });

  it('answers a duplicate email with 400 user_creation_error / email_not_available and its request id', async () => {
    await workos.userManagement.createUser({ email: 'dup@example.com', externalId: 'x-1' });
    const err = await rejection(workos.userManagement.createUser({ email: 'DUP@example.com' }));
    expect(err).toBeInstanceOf(BadRequestException);
    expect(err).toMatchObject({ status: 400, code: 'user_creation_error' });
    expect(err.errors).toEqual([expect.objectContaining({ code: 'email_not_available' })]);
    expect(err.requestID).toMatch(/^[0-9a-f-]{36}$/);

    const ext = await rejection(
      workos.userManagement.createUser({ email: 'other@example.com', externalId: 'x-1' }),
    );
    expect(ext).toBeInstanceOf(BadRequestException);
    expect(ext.errors).toEqual([expect.objectContaining({ code: 'external_id_already_used' })]);
  });

  it('refuses bad metadata, both password forms, and a hash that is not of its type', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const cases: [Record<string, unknown>, string][] = [
      [{ metadata: tooMany }, 'invalid_metadata'],
      [{ metadata: { ['k'.repeat(41)]: 'v' } }, 'invalid_metadata'],
      [{ metadata: { k: 'v'.repeat(601) } }, 'invalid_metadata'],
      [
        { password: 'pw-123456', passwordHash: '$2b$04$abc', passwordHashType: 'bcrypt' },
        'password_and_password_hash_provided',
      ],
      [
        { passwordHash: '$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', passwordHashType: 'bcrypt' },
        'invalid_password_hash',
      ],
    ];
    for (const [extra, code] of cases) {
      const err = await rejection(
        workos.userManagement.createUser({ email: 'meta@example.com', ...extra } as never),
      );
      expect(err, code).toBeInstanceOf(GenericServerException);
      expect(err).toMatchObject({ status: 400, code });
    }
    expect(sandbox.state().users).toHaveLength(0);
  });

  it('refuses a bad API key with 401', async () => {
    const wrong = createWorkosClient(
      { apiKey: 'sk_test_wrong', baseUrl: sandbox.baseUrl },
      { maxRetries: 0 },
    );
    const err = await rejection(wrong.userManagement.listUsers());
    expect(err).toBeInstanceOf(UnauthorizedException);
    expect(err.requestID).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('duplicate user with conflictStyle 409 (as WorkOS emulator answers)', () => {
  it('throws ConflictException user_already_exists', async () => {
    const s = await startWorkosSandbox({ conflictStyle: '409' });
    try {
      const c = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl }, { maxRetries: 0 });
      await c.userManagement.createUser({ email: 'x@example.com' });
      const err = await rejection(c.userManagement.createUser({ email: 'x@example.com' }));
      expect(err).toBeInstanceOf(ConflictException);
      expect(err).toMatchObject({ status: 409, code: 'user_already_exists' });
      expect(err.requestID).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await s.close();
    }
  });
});

describe('organizations', () => {
  it('creates with domains, reads by id and external id, lists, updates and deletes', async () => {
    const org = await workos.organizations.createOrganization({
      name: 'Acme',
      externalId: 'org_auth0_acme',
      metadata: { tier: 'gold' },
      domainData: [
        { domain: 'acme.test', state: 'verified' as never },
        { domain: 'acme.example', state: 'pending' as never },
      ],
    });
    expect(org).toMatchObject({
      object: 'organization',
      name: 'Acme',
      externalId: 'org_auth0_acme',
      metadata: { tier: 'gold' },
    });
    expect(org.domains.map((d) => [d.domain, d.state])).toEqual([
      ['acme.test', 'verified'],
      ['acme.example', 'pending'],
    ]);
    expect((await workos.organizations.getOrganization(org.id)).name).toBe('Acme');
    expect((await workos.organizations.getOrganizationByExternalId('org_auth0_acme')).id).toBe(org.id);
    expect((await workos.organizations.listOrganizations()).data.map((o) => o.id)).toEqual([org.id]);
    const renamed = await workos.organizations.updateOrganization({ organization: org.id, name: 'Acme Inc' });
    expect(renamed.name).toBe('Acme Inc');
    await workos.organizations.deleteOrganization(org.id);
    expect(await rejection(workos.organizations.getOrganization(org.id))).toBeInstanceOf(NotFoundException);
  });

  it('answers a duplicate external id with 400 external_id_already_used and a request id', async () => {
    await workos.organizations.createOrganization({ name: 'One', externalId: 'same' });
    const err = await rejection(workos.organizations.createOrganization({ name: 'Two', externalId: 'same' }));
    expect(err).toBeInstanceOf(GenericServerException);
    expect(err).toMatchObject({ status: 400, code: 'external_id_already_used' });
    expect(err.requestID).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('roles and memberships', () => {
  it('creates environment and organization roles and refuses a slug twice with 409', async () => {
    const org = await workos.organizations.createOrganization({ name: 'R' });
    const admin = await workos.authorization.createEnvironmentRole({
      slug: 'admin',
      name: 'Admin',
      description: 'All',
    });
    expect(admin).toMatchObject({ object: 'role', slug: 'admin', type: 'EnvironmentRole' });
    const dup = await rejection(workos.authorization.createEnvironmentRole({ slug: 'admin', name: 'Again' }));
    expect(dup).toBeInstanceOf(ConflictException);
    expect(dup).toMatchObject({ status: 409, code: 'role_slug_conflict' });

    const billing = await workos.authorization.createOrganizationRole(org.id, {
      slug: 'org-billing',
      name: 'Billing',
    });
    expect(billing).toMatchObject({ slug: 'org-billing', type: 'OrganizationRole' });
    const orgDup = await rejection(
      workos.authorization.createOrganizationRole(org.id, { slug: 'admin', name: 'Shadow' }),
    );
    expect(orgDup).toMatchObject({ status: 409, code: 'organization_role_slug_conflict' });

    expect((await workos.authorization.listEnvironmentRoles()).data.map((r) => r.slug).sort()).toEqual([
      'admin',
      'member',
    ]);
    expect((await workos.authorization.listOrganizationRoles(org.id)).data.map((r) => r.slug).sort()).toEqual(
      ['admin', 'member', 'org-billing'],
    );
  });

  it('creates, lists, updates, deactivates, reactivates by re-posting, and deletes memberships', async () => {
    const org = await workos.organizations.createOrganization({ name: 'M' });
    const user = await workos.userManagement.createUser({ email: 'm@example.com' });
    await workos.authorization.createEnvironmentRole({ slug: 'admin', name: 'Admin' });
    const m = await workos.userManagement.createOrganizationMembership({
      userId: user.id,
      organizationId: org.id,
      roleSlug: 'admin',
    });
    expect(m).toMatchObject({
      object: 'organization_membership',
      status: 'active',
      role: { slug: 'admin' },
      organizationName: 'M',
    });
    expect(
      (await workos.userManagement.listOrganizationMemberships({ userId: user.id })).data.map((x) => x.id),
    ).toEqual([m.id]);
    expect(
      (await workos.userManagement.listOrganizationMemberships({ organizationId: org.id })).data,
    ).toHaveLength(1);

    const again = await rejection(
      workos.userManagement.createOrganizationMembership({ userId: user.id, organizationId: org.id }),
    );
    expect(again).toMatchObject({ status: 409 });

    expect(
      (await workos.userManagement.updateOrganizationMembership(m.id, { roleSlug: 'member' })).role.slug,
    ).toBe('member');
    expect((await workos.userManagement.deactivateOrganizationMembership(m.id)).status).toBe('inactive');
    const reactivated = await workos.userManagement.createOrganizationMembership({
      userId: user.id,
      organizationId: org.id,
      roleSlug: 'admin',
    });
    expect(reactivated).toMatchObject({ id: m.id, status: 'active', role: { slug: 'admin' } });

    await workos.userManagement.deleteOrganizationMembership(m.id);
    expect(sandbox.state().memberships).toHaveLength(0);
  });

  it('filters memberships by status in the comma form the SDK sends; without a filter, active only', async () => {
    const user = await workos.userManagement.createUser({ email: 's@example.com' });
    const [a, b] = [
      await workos.organizations.createOrganization({ name: 'SA' }),
      await workos.organizations.createOrganization({ name: 'SB' }),
    ];
    const ma = await workos.userManagement.createOrganizationMembership({
      userId: user.id,
      organizationId: a.id,
    });
    const mb = await workos.userManagement.createOrganizationMembership({
      userId: user.id,
      organizationId: b.id,
    });
    await workos.userManagement.deactivateOrganizationMembership(mb.id);
    const ids = async (statuses?: ('active' | 'inactive' | 'pending')[]) =>
      (await workos.userManagement.listOrganizationMemberships({ userId: user.id, statuses })).data
        .map((m) => m.id)
        .sort();
    // statuses=active,inactive,pending: the spec's style form with explode: false.
    expect(await ids(['active', 'inactive', 'pending'])).toEqual([ma.id, mb.id].sort());
    expect(await ids(['inactive'])).toEqual([mb.id]);
    expect(await ids()).toEqual([ma.id]);
    // The same parameter as repeated keys is accepted too (the SDK sends some arrays that way).
    const res = await fetch(
      `${sandbox.baseUrl}/user_management/organization_memberships?user_id=${user.id}&statuses=active&statuses=inactive`,
      { headers: { authorization: `Bearer ${sandbox.apiKey}` } },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
    // A value outside the enum is still refused, in either form.
    const bad = await rejection(
      workos.userManagement.listOrganizationMemberships({
        userId: user.id,
        statuses: ['active', 'gone' as 'active'],
      }),
    );
    expect(bad).toBeInstanceOf(UnprocessableEntityException);
    expect(sandbox.stats().specViolations).toEqual([
      expect.objectContaining({
        issues: [expect.objectContaining({ field: 'query/statuses/1', code: 'enum' })],
      }),
    ]);
    sandbox.reset();
  });

  it('lists organizations by one or several domains, as repeated keys or comma-separated', async () => {
    await workos.organizations.createOrganization({
      name: 'D1',
      domainData: [{ domain: 'd1.example.com', state: 'verified' }],
    } as never);
    await workos.organizations.createOrganization({
      name: 'D2',
      domainData: [{ domain: 'd2.example.com', state: 'verified' }],
    } as never);
    const names = async (domains: string[]) =>
      (await workos.organizations.listOrganizations({ domains })).data.map((o) => o.name).sort();
    expect(await names(['d1.example.com'])).toEqual(['D1']);
    expect(await names(['d1.example.com', 'd2.example.com'])).toEqual(['D1', 'D2']);
    const res = await fetch(`${sandbox.baseUrl}/organizations?domains=d1.example.com,d2.example.com`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
  });

  it('refuses an unknown role with 422 invalid_role and several roles with 422 multiple_roles_not_enabled', async () => {
    const org = await workos.organizations.createOrganization({ name: 'V' });
    const user = await workos.userManagement.createUser({ email: 'v@example.com' });
    await workos.authorization.createEnvironmentRole({ slug: 'admin', name: 'Admin' });
    const invalid = await rejection(
      workos.userManagement.createOrganizationMembership({
        userId: user.id,
        organizationId: org.id,
        roleSlug: 'nope',
      }),
    );
    expect(invalid).toBeInstanceOf(UnprocessableEntityException);
    expect(invalid).toMatchObject({ status: 422, code: 'invalid_role' });
    const multiple = await rejection(
      workos.userManagement.createOrganizationMembership({
        userId: user.id,
        organizationId: org.id,
        roleSlugs: ['admin', 'member'],
      }),
    );
    expect(multiple).toMatchObject({ status: 422, code: 'multiple_roles_not_enabled' });
    expect(multiple.requestID).toMatch(/^[0-9a-f-]{36}$/);
    expect(sandbox.state().memberships).toHaveLength(0);
  });

  it('keeps several roles when the environment allows them', async () => {
    const s = await startWorkosSandbox({ multipleRolesEnabled: true });
    try {
      const c = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl }, { maxRetries: 0 });
      const org = await c.organizations.createOrganization({ name: 'Multi' });
      const user = await c.userManagement.createUser({ email: 'multi@example.com' });
      await c.authorization.createOrganizationRole(org.id, { slug: 'org-ops', name: 'Ops' });
      const m = await c.userManagement.createOrganizationMembership({
        userId: user.id,
        organizationId: org.id,
        roleSlugs: ['member', 'org-ops'],
      });
      expect(m.roles?.map((r) => r.slug)).toEqual(['member', 'org-ops']);
      expect(s.state().memberships[0]!.role_slugs).toEqual(['member', 'org-ops']);
    } finally {
      await s.close();
    }
  });
});

describe('TOTP factors, Admin Portal, webhooks', () => {
  it('enrolls a TOTP factor with an imported secret and lists it', async () => {
    const user = await workos.userManagement.createUser({ email: 't@example.com' });
    const { authenticationFactor, authenticationChallenge } =
      await workos.multiFactorAuth.createUserAuthFactor({
        userId: user.id,
        type: 'totp',
        totpSecret: 'JBSWY3DPEHPK3PXP',
        totpIssuer: 'Acme',
        totpUser: 't@example.com',
      } as never);
    expect(authenticationFactor).toMatchObject({
      type: 'totp',
      userId: user.id,
      totp: { secret: 'JBSWY3DPEHPK3PXP', issuer: 'Acme' },
    });
    expect(authenticationFactor.totp.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(authenticationFactor.totp.uri).toContain('secret=JBSWY3DPEHPK3PXP');
    expect(authenticationChallenge.authenticationFactorId).toBe(authenticationFactor.id);
    const listed = await workos.multiFactorAuth.listUserAuthFactors({ userId: user.id });
    expect(listed.data.map((f) => f.id)).toEqual([authenticationFactor.id]);
    expect(sandbox.state().authFactors[0]!.totp.secret).toBe('JBSWY3DPEHPK3PXP');
  });

  it('reads and deletes a factor (DELETE /auth/factors/{id}); the user and other factors stay', async () => {
    const user = await workos.userManagement.createUser({ email: 'del@example.com' });
    const enroll = (secret: string) =>
      workos.multiFactorAuth.createUserAuthFactor({
        userId: user.id,
        type: 'totp',
        totpSecret: secret,
        totpIssuer: 'Acme',
        totpUser: 'del@example.com',
      } as never);
    const { authenticationFactor: first } = await enroll('JBSWY3DPEHPK3PXP');
    const { authenticationFactor: second } = await enroll('KRSXG5CTMVRXEZLU');
    expect(await workos.multiFactorAuth.getFactor(first.id)).toMatchObject({ id: first.id, type: 'totp' });

    await workos.multiFactorAuth.deleteFactor(first.id);
    expect(await rejection(workos.multiFactorAuth.getFactor(first.id))).toBeInstanceOf(NotFoundException);
    expect(await rejection(workos.multiFactorAuth.deleteFactor(first.id))).toBeInstanceOf(NotFoundException);
    const listed = await workos.multiFactorAuth.listUserAuthFactors({ userId: user.id });
    expect(listed.data.map((f) => f.id)).toEqual([second.id]);
    expect(sandbox.state().users.map((u) => u.id)).toEqual([user.id]);
  });

  it('generates an Admin Portal link that opens', async () => {
    const org = await workos.organizations.createOrganization({ name: 'Portal' });
    const { link } = await workos.adminPortal.generateLink({ organization: org.id, intent: 'sso' as never });
    expect(link.startsWith(sandbox.baseUrl)).toBe(true);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Portal');
    const missing = await rejection(
      workos.adminPortal.generateLink({ organization: 'org_missing', intent: 'sso' as never }),
    );
    expect(missing).toBeInstanceOf(NotFoundException);
  });

  it('lists webhook endpoints and pauses one', async () => {
    const created = await workos.webhooks.createWebhookEndpoint({
      endpointUrl: 'https://hooks.example.com/workos',
      events: ['user.created'],
    } as never);
    const listed = await workos.webhooks.listWebhookEndpoints();
    expect(listed.data.map((w) => w.id)).toEqual([created.id]);
    const paused = await workos.webhooks.updateWebhookEndpoint({
      id: created.id,
      status: 'disabled',
    } as never);
    expect(paused.status).toBe('disabled');
    expect(sandbox.state().webhookEndpoints[0]!.status).toBe('disabled');
  });
});

describe('OpenAPI validation', () => {
  it('answers a request the spec rejects with 422 invalid_request_parameters and records it', async () => {
    const res = await fetch(`${sandbox.baseUrl}/user_management/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'typed@example.com', email_verified: 'yes' }),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { code: string; errors: { field: string; code: string }[] };
    expect(body.code).toBe('invalid_request_parameters');
    expect(body.errors).toContainEqual(
      expect.objectContaining({ field: 'body/email_verified', code: 'type' }),
    );
    const violations = sandbox.stats().specViolations;
    expect(violations).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/user_management/users',
        requestId: res.headers.get('x-request-id'),
      }),
    ]);
    expect(sandbox.state().users).toHaveLength(0);

    // Through the SDK: a limit above the spec's maximum of 100 becomes an UnprocessableEntityException.
    const err = await rejection(workos.userManagement.listUsers({ limit: 500 }));
    expect(err).toBeInstanceOf(UnprocessableEntityException);
    expect(err.code).toBe('invalid_request_parameters');
    expect(sandbox.stats().specViolations).toHaveLength(2);
    sandbox.reset();
  });
});
