import { randomBytes } from 'node:crypto';
import { newId } from './ids';
import { WorkosApiError, badRequest, notFound, unprocessable } from './errors';
import type { StoredPassword } from './passwords';

// The sandbox's WorkOS environment: plain records in insertion (= id = creation) order, with the indexes
// that the importer's lookups need at 100k users (by email, external_id, user and organization).
// Records are private; handlers get JSON shaped as WorkOS answers through the `*Json` functions.

export type Metadata = Record<string, string>;

export interface UserRecord {
  id: string;
  email: string;
  email_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  profile_picture_url: string | null;
  last_sign_in_at: string | null;
  locale: string | null;
  external_id: string | null;
  metadata: Metadata;
  created_at: string;
  updated_at: string;
  password: StoredPassword | null;
}

export interface DomainRecord {
  id: string;
  organization_id: string;
  domain: string;
  state: 'pending' | 'verified';
  verification_strategy: 'manual' | 'dns';
  verification_token?: string;
  created_at: string;
  updated_at: string;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  external_id: string | null;
  metadata: Metadata;
  domains: DomainRecord[];
  stripe_customer_id?: string;
  created_at: string;
  updated_at: string;
}

export interface RoleRecord {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  type: 'EnvironmentRole' | 'OrganizationRole';
  /** Set for organization roles. */
  organization_id: string | null;
  permissions: string[];
  resource_type_slug: string;
  created_at: string;
  updated_at: string;
}

export interface MembershipRecord {
  id: string;
  user_id: string;
  organization_id: string;
  status: 'active' | 'inactive' | 'pending';
  role_slugs: string[];
  created_at: string;
  updated_at: string;
}

export interface AuthFactorRecord {
  id: string;
  user_id: string;
  type: 'totp';
  totp: { issuer: string; user: string; secret: string };
  created_at: string;
  updated_at: string;
}

export interface WebhookEndpointRecord {
  id: string;
  endpoint_url: string;
  secret: string;
  status: 'enabled' | 'disabled';
  events: string[];
  created_at: string;
  updated_at: string;
}

/** A snapshot for tests: records as stored, except that a password shows only its hash type. */
export interface SandboxState {
  users: (Omit<UserRecord, 'password'> & { passwordHashType: string | null })[];
  organizations: OrganizationRecord[];
  memberships: MembershipRecord[];
  roles: RoleRecord[];
  authFactors: AuthFactorRecord[];
  webhookEndpoints: WebhookEndpointRecord[];
}

export interface ListOptions {
  limit: number;
  before?: string;
  after?: string;
  order: 'asc' | 'desc' | 'normal';
}

export interface ListPage<T> {
  data: T[];
  list_metadata: { before: string | null; after: string | null };
}

export const DEFAULT_ROLE_SLUG = 'member';

const now = (): string => new Date().toISOString();
const lower = (s: string): string => s.toLowerCase();

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const set = index.get(key);
  set?.delete(id);
  if (set && set.size === 0) index.delete(key);
}

/** Cursor paging over records in ascending id order, as WorkOS pages: by object id, `desc` by default. */
export function paginate<T extends { id: string }>(ascending: T[], opts: ListOptions): ListPage<T> {
  const items = opts.order === 'asc' ? ascending : [...ascending].reverse();
  const ahead = (a: string, b: string): boolean => (opts.order === 'asc' ? a > b : a < b);
  let start = 0;
  let end: number;
  if (opts.after) {
    const cursor = opts.after;
    start = items.findIndex((it) => ahead(it.id, cursor));
    if (start < 0) start = items.length;
    end = Math.min(items.length, start + opts.limit);
  } else if (opts.before) {
    const cursor = opts.before;
    const firstNotBefore = items.findIndex((it) => !ahead(cursor, it.id));
    end = firstNotBefore < 0 ? items.length : firstNotBefore;
    start = Math.max(0, end - opts.limit);
  } else end = Math.min(items.length, opts.limit);
  const data = items.slice(start, end);
  return {
    data,
    list_metadata: {
      before: start > 0 && data.length > 0 ? data[0]!.id : null,
      after: end < items.length && data.length > 0 ? data[data.length - 1]!.id : null,
    },
  };
}

export interface StoreOptions {
  multipleRolesEnabled: boolean;
  conflictStyle: '400' | '409';
}

export class WorkosStore {
  users = new Map<string, UserRecord>();
  organizations = new Map<string, OrganizationRecord>();
  memberships = new Map<string, MembershipRecord>();
  roles = new Map<string, RoleRecord>();
  authFactors = new Map<string, AuthFactorRecord>();
  webhookEndpoints = new Map<string, WebhookEndpointRecord>();

  private usersByEmail = new Map<string, string>();
  private usersByExternalId = new Map<string, string>();
  private orgsByExternalId = new Map<string, string>();
  private membershipsByUser = new Map<string, Set<string>>();
  private membershipsByOrg = new Map<string, Set<string>>();
  private membershipByPair = new Map<string, string>();
  private factorsByUser = new Map<string, Set<string>>();

  constructor(public options: StoreOptions) {
    this.reset();
  }

  /** Empties the environment, keeping the default `member` role that every WorkOS environment has. */
  reset(): void {
    for (const m of [
      this.users,
      this.organizations,
      this.memberships,
      this.roles,
      this.authFactors,
      this.webhookEndpoints,
    ])
      m.clear();
    for (const m of [this.usersByEmail, this.usersByExternalId, this.orgsByExternalId, this.membershipByPair])
      m.clear();
    for (const m of [this.membershipsByUser, this.membershipsByOrg, this.factorsByUser]) m.clear();
    const t = now();
    const member: RoleRecord = {
      id: newId('role'),
      slug: DEFAULT_ROLE_SLUG,
      name: 'Member',
      description: 'The default role for organization members.',
      type: 'EnvironmentRole',
      organization_id: null,
      permissions: [],
      resource_type_slug: 'organization',
      created_at: t,
      updated_at: t,
    };
    this.roles.set(member.id, member);
  }

  snapshot(): SandboxState {
    const copy = <T>(v: T): T => structuredClone(v);
    return {
      users: [...this.users.values()].map(({ password, ...rest }) => ({
        ...copy(rest),
        passwordHashType: password?.type ?? null,
      })),
      organizations: [...this.organizations.values()].map(copy),
      memberships: [...this.memberships.values()].map(copy),
      roles: [...this.roles.values()].map(copy),
      authFactors: [...this.authFactors.values()].map(copy),
      webhookEndpoints: [...this.webhookEndpoints.values()].map(copy),
    };
  }

  // ---- users

  user(id: string): UserRecord {
    const u = this.users.get(id);
    if (!u) throw notFound('User', id);
    return u;
  }

  userByExternalId(externalId: string): UserRecord {
    const id = this.usersByExternalId.get(externalId);
    if (!id) throw notFound('User', externalId);
    return this.users.get(id)!;
  }

  userByEmail(email: string): UserRecord | undefined {
    const id = this.usersByEmail.get(lower(email));
    return id ? this.users.get(id) : undefined;
  }

  listUsers(filter: { email?: string; organization_id?: string }, opts: ListOptions): ListPage<UserRecord> {
    let items: UserRecord[];
    if (filter.email !== undefined) {
      const u = this.userByEmail(filter.email);
      items = u ? [u] : [];
    } else items = [...this.users.values()];
    if (filter.organization_id !== undefined) {
      const ids = new Set(
        [...(this.membershipsByOrg.get(filter.organization_id) ?? [])].map(
          (m) => this.memberships.get(m)!.user_id,
        ),
      );
      items = items.filter((u) => ids.has(u.id));
    }
    return paginate(items, opts);
  }

  createUser(input: {
    email: string;
    first_name?: string | null;
    last_name?: string | null;
    email_verified?: boolean | null;
    external_id?: string | null;
    metadata?: Metadata | null;
    password: StoredPassword | null;
  }): UserRecord {
    const conflicts: { code: string; message: string }[] = [];
    if (this.usersByEmail.has(lower(input.email))) {
      if (this.options.conflictStyle === '409')
        throw new WorkosApiError(409, {
          code: 'user_already_exists',
          message: 'A user with this email already exists.',
        });
      conflicts.push({ code: 'email_not_available', message: 'This email is not available.' });
    }
    if (input.external_id != null && this.usersByExternalId.has(input.external_id))
      conflicts.push({
        code: 'external_id_already_used',
        message: 'The external ID is already assigned to another user.',
      });
    if (conflicts.length > 0)
      throw new WorkosApiError(400, {
        code: 'user_creation_error',
        message: 'Could not create user.',
        errors: conflicts,
      });
    const t = now();
    const user: UserRecord = {
      id: newId('user'),
      email: input.email,
      email_verified: input.email_verified ?? false,
      first_name: input.first_name ?? null,
      last_name: input.last_name ?? null,
      profile_picture_url: null,
      last_sign_in_at: null,
      locale: null,
      external_id: input.external_id ?? null,
      metadata: input.metadata ?? {},
      created_at: t,
      updated_at: t,
      password: input.password,
    };
    this.users.set(user.id, user);
    this.usersByEmail.set(lower(user.email), user.id);
    if (user.external_id !== null) this.usersByExternalId.set(user.external_id, user.id);
    return user;
  }

  updateUser(
    id: string,
    patch: {
      email?: string;
      first_name?: string;
      last_name?: string;
      email_verified?: boolean;
      external_id?: string | null;
      metadata?: Metadata | null;
      locale?: string | null;
      password?: StoredPassword;
    },
  ): UserRecord {
    const user = this.user(id);
    if (patch.email !== undefined && lower(patch.email) !== lower(user.email)) {
      if (this.usersByEmail.has(lower(patch.email)))
        throw badRequest('email_not_available', 'This email is not available.');
      this.usersByEmail.delete(lower(user.email));
      this.usersByEmail.set(lower(patch.email), id);
    }
    if (patch.external_id !== undefined && patch.external_id !== user.external_id) {
      if (patch.external_id !== null && this.usersByExternalId.has(patch.external_id))
        throw badRequest('external_id_already_used', 'The external ID is already assigned to another user.');
      if (user.external_id !== null) this.usersByExternalId.delete(user.external_id);
      if (patch.external_id !== null) this.usersByExternalId.set(patch.external_id, id);
      user.external_id = patch.external_id;
    }
    if (patch.email !== undefined) user.email = patch.email;
    if (patch.first_name !== undefined) user.first_name = patch.first_name;
    if (patch.last_name !== undefined) user.last_name = patch.last_name;
    if (patch.email_verified !== undefined) user.email_verified = patch.email_verified;
    if (patch.metadata !== undefined) user.metadata = patch.metadata ?? {};
    if (patch.locale !== undefined) user.locale = patch.locale;
    if (patch.password !== undefined) user.password = patch.password;
    user.updated_at = now();
    return user;
  }

  deleteUser(id: string): void {
    const user = this.user(id);
    for (const mid of [...(this.membershipsByUser.get(id) ?? [])]) this.removeMembership(mid);
    for (const fid of [...(this.factorsByUser.get(id) ?? [])]) this.authFactors.delete(fid);
    this.factorsByUser.delete(id);
    this.usersByEmail.delete(lower(user.email));
    if (user.external_id !== null) this.usersByExternalId.delete(user.external_id);
    this.users.delete(id);
  }

  // ---- organizations

  organization(id: string): OrganizationRecord {
    const o = this.organizations.get(id);
    if (!o) throw notFound('Organization', id);
    return o;
  }

  organizationByExternalId(externalId: string): OrganizationRecord {
    const id = this.orgsByExternalId.get(externalId);
    if (!id) throw notFound('Organization', externalId);
    return this.organizations.get(id)!;
  }

  listOrganizations(
    filter: { domains?: string[]; search?: string },
    opts: ListOptions,
  ): ListPage<OrganizationRecord> {
    let items = [...this.organizations.values()];
    if (filter.domains && filter.domains.length > 0) {
      const wanted = new Set(filter.domains.map(lower));
      items = items.filter((o) => o.domains.some((d) => wanted.has(lower(d.domain))));
    }
    if (filter.search) {
      const needle = lower(filter.search);
      items = items.filter((o) => lower(o.name).includes(needle));
    }
    return paginate(items, opts);
  }

  private domains(orgId: string, data: { domain: string; state: 'pending' | 'verified' }[]): DomainRecord[] {
    const t = now();
    return data.map((d) => ({
      id: newId('org_domain'),
      organization_id: orgId,
      domain: d.domain,
      state: d.state,
      verification_strategy: d.state === 'verified' ? 'manual' : 'dns',
      ...(d.state === 'pending' ? { verification_token: randomBytes(12).toString('base64url') } : {}),
      created_at: t,
      updated_at: t,
    }));
  }

  createOrganization(input: {
    name: string;
    external_id?: string | null;
    metadata?: Metadata | null;
    domain_data?: { domain: string; state: 'pending' | 'verified' }[];
    domains?: string[];
  }): OrganizationRecord {
    if (input.external_id != null && this.orgsByExternalId.has(input.external_id))
      throw badRequest(
        'external_id_already_used',
        'The external ID is already assigned to another organization.',
      );
    const t = now();
    const id = newId('org');
    const domainData =
      input.domain_data ?? (input.domains ?? []).map((domain) => ({ domain, state: 'pending' as const }));
    const org: OrganizationRecord = {
      id,
      name: input.name,
      external_id: input.external_id ?? null,
      metadata: input.metadata ?? {},
      domains: this.domains(id, domainData),
      created_at: t,
      updated_at: t,
    };
    this.organizations.set(id, org);
    if (org.external_id !== null) this.orgsByExternalId.set(org.external_id, id);
    return org;
  }

  updateOrganization(
    id: string,
    patch: {
      name?: string;
      external_id?: string | null;
      metadata?: Metadata | null;
      domain_data?: { domain: string; state: 'pending' | 'verified' }[];
      stripe_customer_id?: string;
    },
  ): OrganizationRecord {
    const org = this.organization(id);
    if (patch.external_id !== undefined && patch.external_id !== org.external_id) {
      if (patch.external_id !== null && this.orgsByExternalId.has(patch.external_id))
        throw badRequest(
          'external_id_already_used',
          'The external ID is already assigned to another organization.',
        );
      if (org.external_id !== null) this.orgsByExternalId.delete(org.external_id);
      if (patch.external_id !== null) this.orgsByExternalId.set(patch.external_id, id);
      org.external_id = patch.external_id;
    }
    if (patch.name !== undefined) org.name = patch.name;
    if (patch.metadata !== undefined) org.metadata = patch.metadata ?? {};
    if (patch.domain_data !== undefined) org.domains = this.domains(id, patch.domain_data);
    if (patch.stripe_customer_id !== undefined) org.stripe_customer_id = patch.stripe_customer_id;
    org.updated_at = now();
    return org;
  }

  deleteOrganization(id: string): void {
    const org = this.organization(id);
    for (const mid of [...(this.membershipsByOrg.get(id) ?? [])]) this.removeMembership(mid);
    for (const role of [...this.roles.values()]) if (role.organization_id === id) this.roles.delete(role.id);
    if (org.external_id !== null) this.orgsByExternalId.delete(org.external_id);
    this.organizations.delete(id);
  }

  // ---- roles

  environmentRoles(): RoleRecord[] {
    return [...this.roles.values()].filter((r) => r.type === 'EnvironmentRole');
  }

  /** Roles usable in an organization: the environment's and its own. */
  rolesFor(orgId: string): RoleRecord[] {
    return [...this.roles.values()].filter((r) => r.organization_id === null || r.organization_id === orgId);
  }

  createRole(input: {
    slug: string;
    name: string;
    description?: string | null;
    resource_type_slug?: string;
    organization_id: string | null;
  }): RoleRecord {
    if (input.organization_id !== null) {
      this.organization(input.organization_id);
      if (this.rolesFor(input.organization_id).some((r) => r.slug === input.slug))
        throw new WorkosApiError(409, {
          code: 'organization_role_slug_conflict',
          message: `A role with the slug '${input.slug}' already exists for this organization.`,
        });
    } else if ([...this.roles.values()].some((r) => r.slug === input.slug))
      // An organization role with the slug also blocks a new environment role: memberships name roles by slug.
      throw new WorkosApiError(409, {
        code: 'role_slug_conflict',
        message: `A role with the slug '${input.slug}' already exists.`,
      });
    const t = now();
    const role: RoleRecord = {
      id: newId('role'),
      slug: input.slug,
      name: input.name,
      description: input.description ?? null,
      type: input.organization_id === null ? 'EnvironmentRole' : 'OrganizationRole',
      organization_id: input.organization_id,
      permissions: [],
      resource_type_slug: input.resource_type_slug ?? 'organization',
      created_at: t,
      updated_at: t,
    };
    this.roles.set(role.id, role);
    return role;
  }

  // ---- memberships

  membership(id: string): MembershipRecord {
    const m = this.memberships.get(id);
    if (!m) throw notFound('Organization membership', id);
    return m;
  }

  listMemberships(
    filter: { user_id?: string; organization_id?: string; statuses?: string[] },
    opts: ListOptions,
  ): ListPage<MembershipRecord> {
    let ids: Iterable<string>;
    if (filter.user_id !== undefined) ids = this.membershipsByUser.get(filter.user_id) ?? [];
    else if (filter.organization_id !== undefined)
      ids = this.membershipsByOrg.get(filter.organization_id) ?? [];
    else ids = this.memberships.keys();
    let items = [...ids].map((id) => this.memberships.get(id)!);
    if (filter.organization_id !== undefined)
      items = items.filter((m) => m.organization_id === filter.organization_id);
    if (filter.statuses && filter.statuses.length > 0) {
      const wanted = new Set(filter.statuses);
      items = items.filter((m) => wanted.has(m.status));
    }
    items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return paginate(items, opts);
  }

  /** The role slugs a request asks for, checked as WorkOS checks them (422 invalid_role / multiple_roles_not_enabled). */
  private resolveRoles(
    orgId: string,
    roleSlug: string | undefined,
    roleSlugs: string[] | undefined,
  ): string[] {
    const slugs = roleSlugs ?? (roleSlug !== undefined ? [roleSlug] : [DEFAULT_ROLE_SLUG]);
    if (slugs.length === 0) throw unprocessable('invalid_role', 'At least one role is required.');
    if (slugs.length > 1 && !this.options.multipleRolesEnabled)
      throw unprocessable(
        'multiple_roles_not_enabled',
        'Multiple roles are not enabled for this environment.',
      );
    const known = new Set(this.rolesFor(orgId).map((r) => r.slug));
    const unknown = slugs.find((s) => !known.has(s));
    if (unknown !== undefined) throw unprocessable('invalid_role', `Invalid role: '${unknown}'.`);
    return [...new Set(slugs)];
  }

  /** Creates a membership, or reactivates an inactive one for the same user and organization. */
  createMembership(input: {
    user_id: string;
    organization_id: string;
    role_slug?: string;
    role_slugs?: string[];
  }): { membership: MembershipRecord; created: boolean } {
    this.user(input.user_id);
    this.organization(input.organization_id);
    const roles = this.resolveRoles(input.organization_id, input.role_slug, input.role_slugs);
    const existingId = this.membershipByPair.get(`${input.user_id}|${input.organization_id}`);
    if (existingId) {
      const existing = this.memberships.get(existingId)!;
      if (existing.status === 'pending')
        throw badRequest(
          'cannot_reactivate_pending_organization_membership',
          'A pending membership cannot be reactivated; the invitation must be accepted.',
        );
      if (existing.status === 'active')
        // Not in the spec; WorkOS's own emulator answers 409 here as well.
        throw new WorkosApiError(409, {
          code: 'organization_membership_already_exists',
          message: 'The user is already a member of this organization.',
        });
      existing.status = 'active';
      existing.role_slugs = roles;
      existing.updated_at = now();
      return { membership: existing, created: false };
    }
    const t = now();
    const m: MembershipRecord = {
      id: newId('om'),
      user_id: input.user_id,
      organization_id: input.organization_id,
      status: 'active',
      role_slugs: roles,
      created_at: t,
      updated_at: t,
    };
    this.memberships.set(m.id, m);
    addTo(this.membershipsByUser, m.user_id, m.id);
    addTo(this.membershipsByOrg, m.organization_id, m.id);
    this.membershipByPair.set(`${m.user_id}|${m.organization_id}`, m.id);
    return { membership: m, created: true };
  }

  updateMembership(id: string, input: { role_slug?: string; role_slugs?: string[] }): MembershipRecord {
    const m = this.membership(id);
    if (input.role_slug !== undefined || input.role_slugs !== undefined) {
      m.role_slugs = this.resolveRoles(m.organization_id, input.role_slug, input.role_slugs);
      m.updated_at = now();
    }
    return m;
  }

  setMembershipStatus(id: string, status: 'active' | 'inactive'): MembershipRecord {
    const m = this.membership(id);
    if (m.status === 'pending')
      throw badRequest(
        'cannot_change_pending_organization_membership',
        'A pending membership cannot be changed.',
      );
    if (m.status !== status) {
      m.status = status;
      m.updated_at = now();
    }
    return m;
  }

  deleteMembership(id: string): void {
    this.membership(id);
    this.removeMembership(id);
  }

  private removeMembership(id: string): void {
    const m = this.memberships.get(id);
    if (!m) return;
    removeFrom(this.membershipsByUser, m.user_id, id);
    removeFrom(this.membershipsByOrg, m.organization_id, id);
    this.membershipByPair.delete(`${m.user_id}|${m.organization_id}`);
    this.memberships.delete(id);
  }

  activeMemberships(userId: string): MembershipRecord[] {
    return [...(this.membershipsByUser.get(userId) ?? [])]
      .map((id) => this.memberships.get(id)!)
      .filter((m) => m.status === 'active');
  }

  // ---- auth factors

  enrollTotp(userId: string, totp: { issuer: string; user: string; secret: string }): AuthFactorRecord {
    this.user(userId);
    const t = now();
    const f: AuthFactorRecord = {
      id: newId('auth_factor'),
      user_id: userId,
      type: 'totp',
      totp,
      created_at: t,
      updated_at: t,
    };
    this.authFactors.set(f.id, f);
    addTo(this.factorsByUser, userId, f.id);
    return f;
  }

  factor(id: string): AuthFactorRecord {
    const f = this.authFactors.get(id);
    if (!f) throw notFound('Authentication factor', id);
    return f;
  }

  deleteFactor(id: string): void {
    const f = this.factor(id);
    this.authFactors.delete(id);
    this.factorsByUser.get(f.user_id)?.delete(id);
  }

  listFactors(userId: string, opts: ListOptions): ListPage<AuthFactorRecord> {
    this.user(userId);
    const items = [...(this.factorsByUser.get(userId) ?? [])].map((id) => this.authFactors.get(id)!);
    return paginate(items, opts);
  }

  // ---- webhook endpoints

  createWebhookEndpoint(input: { endpoint_url: string; events: string[] }): WebhookEndpointRecord {
    const t = now();
    const w: WebhookEndpointRecord = {
      id: newId('we'),
      endpoint_url: input.endpoint_url,
      secret: randomBytes(24).toString('base64url'),
      status: 'enabled',
      events: input.events,
      created_at: t,
      updated_at: t,
    };
    this.webhookEndpoints.set(w.id, w);
    return w;
  }

  updateWebhookEndpoint(
    id: string,
    patch: { status?: 'enabled' | 'disabled'; endpoint_url?: string; events?: string[] },
  ): WebhookEndpointRecord {
    const w = this.webhookEndpoints.get(id);
    if (!w) throw notFound('Webhook endpoint', id);
    if (patch.status !== undefined) w.status = patch.status;
    if (patch.endpoint_url !== undefined) w.endpoint_url = patch.endpoint_url;
    if (patch.events !== undefined) w.events = patch.events;
    w.updated_at = now();
    return w;
  }

  deleteWebhookEndpoint(id: string): void {
    if (!this.webhookEndpoints.delete(id)) throw notFound('Webhook endpoint', id);
  }
}

// ---- JSON as WorkOS answers it

export function userJson(u: UserRecord): Record<string, unknown> {
  return {
    object: 'user',
    id: u.id,
    email: u.email,
    email_verified: u.email_verified,
    first_name: u.first_name,
    last_name: u.last_name,
    profile_picture_url: u.profile_picture_url,
    last_sign_in_at: u.last_sign_in_at,
    locale: u.locale,
    external_id: u.external_id,
    metadata: u.metadata,
    created_at: u.created_at,
    updated_at: u.updated_at,
  };
}

export function organizationJson(o: OrganizationRecord): Record<string, unknown> {
  return {
    object: 'organization',
    id: o.id,
    name: o.name,
    allow_profiles_outside_organization: false,
    domains: o.domains.map((d) => ({ object: 'organization_domain', ...d })),
    ...(o.stripe_customer_id !== undefined ? { stripe_customer_id: o.stripe_customer_id } : {}),
    external_id: o.external_id,
    metadata: o.metadata,
    created_at: o.created_at,
    updated_at: o.updated_at,
  };
}

export function roleJson(r: RoleRecord): Record<string, unknown> {
  return {
    object: 'role',
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    type: r.type,
    resource_type_slug: r.resource_type_slug,
    permissions: r.permissions,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

export function membershipJson(store: WorkosStore, m: MembershipRecord): Record<string, unknown> {
  const org = store.organizations.get(m.organization_id);
  const user = store.users.get(m.user_id);
  return {
    object: 'organization_membership',
    id: m.id,
    user_id: m.user_id,
    organization_id: m.organization_id,
    organization_name: org?.name,
    status: m.status,
    directory_managed: false,
    custom_attributes: {},
    role: { slug: m.role_slugs[0] ?? DEFAULT_ROLE_SLUG },
    roles: m.role_slugs.map((slug) => ({ slug })),
    ...(user ? { user: userJson(user) } : {}),
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
}

export function factorJson(f: AuthFactorRecord): Record<string, unknown> {
  return {
    object: 'authentication_factor',
    id: f.id,
    type: f.type,
    user_id: f.user_id,
    totp: { issuer: f.totp.issuer, user: f.totp.user },
    created_at: f.created_at,
    updated_at: f.updated_at,
  };
}

export function webhookEndpointJson(w: WebhookEndpointRecord): Record<string, unknown> {
  return { object: 'webhook_endpoint', ...w };
}

export function listJson<T>(page: ListPage<T>, format: (item: T) => unknown): Record<string, unknown> {
  return { object: 'list', data: page.data.map(format), list_metadata: page.list_metadata };
}
