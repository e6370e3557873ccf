import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { SignJWT, generateKeyPair, type CryptoKey } from 'jose';
import { badRequest, notFound, unprocessable, WorkosApiError } from './errors';
import {
  hashPlainPassword,
  isValidPasswordHash,
  verifyPassword,
  type PasswordHashType,
  type StoredPassword,
} from './passwords';
import {
  factorJson,
  listJson,
  membershipJson,
  organizationJson,
  paginate,
  roleJson,
  userJson,
  webhookEndpointJson,
  type ListOptions,
  type Metadata,
  type WorkosStore,
} from './store';

// The endpoints the migration uses, with WorkOS's paths, status codes and bodies. Path parameters carry
// the spec's names so each route maps to its OpenAPI template by replacing `:name` with `{name}`.

/** Rate-limit buckets: WorkOS limits /user_management writes and reads separately, and organization deletes. */
export type RouteGroup = 'um_write' | 'um_read' | 'org_delete' | 'other';

export interface RouteContext {
  store: WorkosStore;
  body: Record<string, unknown>;
  query: URLSearchParams;
  params: Record<string, string>;
  sandbox: { apiKey: string; clientId: string; baseUrl: () => string; portalLinks: Map<string, PortalLink> };
}

export interface PortalLink {
  organization: string;
  intent: string | null;
  expiresAt: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  contentType?: string;
}

export interface WorkosRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  pattern: string;
  group: RouteGroup;
  /** False only for routes that are not API calls (the portal page the generated link opens). */
  auth?: boolean;
  /** False where the spec does not document the route; see the route for why it exists. */
  inSpec?: boolean;
  /** Checks WorkOS answers with a documented 400 code before schema validation would answer 422. */
  precheck?: (body: Record<string, unknown>) => void;
  handle: (ctx: RouteContext) => Answer | Promise<Answer>;
}

export function specTemplate(pattern: string): string {
  return pattern.replace(/:(\w+)/g, '{$1}');
}

function listOptions(query: URLSearchParams): ListOptions {
  const order = query.get('order');
  return {
    limit: Number(query.get('limit') ?? 10),
    before: query.get('before') ?? undefined,
    after: query.get('after') ?? undefined,
    order: order === 'asc' || order === 'normal' ? order : 'desc',
  };
}

/** An array query parameter, sent as repeated keys or comma-separated (the spec's explode: false form). */
function queryList(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((v) => v.split(',').filter(Boolean));
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const created = (body: unknown): Answer => ({ status: 201, body });

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

function has(body: Record<string, unknown>, key: string): boolean {
  return body[key] !== undefined;
}

/** WorkOS metadata: at most 50 keys of at most 40 characters, string values of at most 600. */
export function metadataProblem(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'Metadata must be an object.';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) return 'Metadata can have at most 50 keys.';
  for (const [k, v] of entries) {
    if (k.length > 40) return 'Metadata keys can be at most 40 characters.';
    if (typeof v !== 'string') return 'Metadata values must be strings.';
    if (v.length > 600) return 'Metadata values can be at most 600 characters.';
  }
  return null;
}

function checkMetadata(body: Record<string, unknown>): void {
  const problem = metadataProblem(body.metadata);
  if (problem) throw badRequest('invalid_metadata', problem);
}

function checkPasswordFields(body: Record<string, unknown>): void {
  if (has(body, 'password') && has(body, 'password_hash'))
    throw badRequest(
      'password_and_password_hash_provided',
      'Provide either password or password_hash, not both.',
    );
  if (has(body, 'password') && has(body, 'password_hash_type'))
    throw badRequest(
      'password_and_password_hash_type_provided',
      'Provide either password or password_hash_type, not both.',
    );
}

function userPrecheck(body: Record<string, unknown>): void {
  checkPasswordFields(body);
  checkMetadata(body);
}

async function passwordFrom(body: Record<string, unknown>): Promise<StoredPassword | null> {
  const plain = str(body, 'password');
  if (plain !== undefined) return hashPlainPassword(plain);
  const hash = str(body, 'password_hash');
  const type = str(body, 'password_hash_type') as PasswordHashType | undefined;
  if (hash === undefined || type === undefined) return null;
  if (!isValidPasswordHash(type, hash))
    throw badRequest('invalid_password_hash', `The password hash is not a valid ${type} hash.`);
  return { type, hash };
}

type DomainData = { domain: string; state: 'pending' | 'verified' }[];

let signingKey: Promise<CryptoKey> | null = null;

/** A signed access token shaped like WorkOS's (sub, sid, org_id), so SDK session helpers can decode it. */
async function accessToken(userId: string, orgId: string | undefined, issuer: string): Promise<string> {
  signingKey ??= generateKeyPair('ES256').then((k) => k.privateKey);
  return new SignJWT({
    sid: `session_${randomBytes(10).toString('hex')}`,
    ...(orgId ? { org_id: orgId } : {}),
  })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject(userId)
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await signingKey);
}

function oauthError(status: number, error: string, description: string): WorkosApiError {
  return new WorkosApiError(status, { error, error_description: description, message: description });
}

export const routes: WorkosRoute[] = [
  // ---- users
  {
    method: 'POST',
    pattern: '/user_management/users',
    group: 'um_write',
    precheck: userPrecheck,
    handle: async ({ store, body }) => {
      const password = await passwordFrom(body);
      const user = store.createUser({
        email: str(body, 'email')!,
        first_name: body.first_name as string | null | undefined,
        last_name: body.last_name as string | null | undefined,
        email_verified: body.email_verified as boolean | null | undefined,
        external_id: body.external_id as string | null | undefined,
        metadata: body.metadata as Metadata | null | undefined,
        password,
      });
      return created(userJson(user));
    },
  },
  {
    method: 'GET',
    pattern: '/user_management/users',
    group: 'um_read',
    handle: ({ store, query }) =>
      ok(
        listJson(
          store.listUsers(
            {
              email: query.get('email') ?? undefined,
              organization_id: query.get('organization_id') ?? query.get('organization') ?? undefined,
            },
            listOptions(query),
          ),
          userJson,
        ),
      ),
  },
  {
    method: 'GET',
    pattern: '/user_management/users/external_id/:external_id',
    group: 'um_read',
    handle: ({ store, params }) => ok(userJson(store.userByExternalId(params.external_id!))),
  },
  {
    method: 'GET',
    pattern: '/user_management/users/:id',
    group: 'um_read',
    handle: ({ store, params }) => ok(userJson(store.user(params.id!))),
  },
  {
    method: 'PUT',
    pattern: '/user_management/users/:id',
    group: 'um_write',
    precheck: userPrecheck,
    handle: async ({ store, params, body }) => {
      store.user(params.id!);
      const password = await passwordFrom(body);
      const user = store.updateUser(params.id!, {
        email: str(body, 'email'),
        first_name: str(body, 'first_name'),
        last_name: str(body, 'last_name'),
        email_verified: body.email_verified as boolean | undefined,
        external_id: body.external_id as string | null | undefined,
        metadata: body.metadata as Metadata | null | undefined,
        locale: body.locale as string | null | undefined,
        password: password ?? undefined,
      });
      return ok(userJson(user));
    },
  },
  {
    method: 'DELETE',
    pattern: '/user_management/users/:id',
    group: 'um_write',
    handle: ({ store, params }) => {
      store.deleteUser(params.id!);
      return { status: 200 };
    },
  },

  // ---- authentication with the password grant (the SDK sends client_id, and the API key as client_secret)
  {
    method: 'POST',
    pattern: '/user_management/authenticate',
    group: 'um_write',
    auth: false,
    handle: async ({ store, body, sandbox }) => {
      if (str(body, 'client_id') !== sandbox.clientId)
        throw oauthError(400, 'invalid_client', 'Invalid client ID.');
      if (str(body, 'client_secret') !== sandbox.apiKey)
        throw oauthError(401, 'invalid_client', 'Invalid client secret.');
      if (str(body, 'grant_type') !== 'password')
        throw oauthError(400, 'unsupported_grant_type', 'The sandbox supports the password grant only.');
      const user = store.userByEmail(str(body, 'email') ?? '');
      const matches = user?.password
        ? await verifyPassword(str(body, 'password') ?? '', user.password)
        : false;
      if (!user || !matches) throw badRequest('invalid_credentials', 'Invalid credentials.');
      user.last_sign_in_at = new Date().toISOString();
      const memberships = store.activeMemberships(user.id);
      const orgId = memberships.length === 1 ? memberships[0]!.organization_id : undefined;
      return ok({
        user: userJson(user),
        ...(orgId ? { organization_id: orgId } : {}),
        access_token: await accessToken(user.id, orgId, sandbox.baseUrl()),
        refresh_token: randomBytes(24).toString('base64url'),
        authentication_method: 'Password',
      });
    },
  },

  // ---- organizations
  {
    method: 'POST',
    pattern: '/organizations',
    group: 'other',
    precheck: checkMetadata,
    handle: ({ store, body }) =>
      created(
        organizationJson(
          store.createOrganization({
            name: str(body, 'name')!,
            external_id: body.external_id as string | null | undefined,
            metadata: body.metadata as Metadata | null | undefined,
            domain_data: body.domain_data as DomainData | undefined,
            domains: body.domains as string[] | undefined,
          }),
        ),
      ),
  },
  {
    method: 'GET',
    pattern: '/organizations',
    group: 'other',
    handle: ({ store, query }) =>
      ok(
        listJson(
          store.listOrganizations(
            { domains: queryList(query, 'domains'), search: query.get('search') ?? undefined },
            listOptions(query),
          ),
          organizationJson,
        ),
      ),
  },
  {
    method: 'GET',
    pattern: '/organizations/external_id/:external_id',
    group: 'other',
    handle: ({ store, params }) => ok(organizationJson(store.organizationByExternalId(params.external_id!))),
  },
  {
    method: 'GET',
    pattern: '/organizations/:id',
    group: 'other',
    handle: ({ store, params }) => ok(organizationJson(store.organization(params.id!))),
  },
  {
    method: 'PUT',
    pattern: '/organizations/:id',
    group: 'other',
    precheck: checkMetadata,
    handle: ({ store, params, body }) =>
      ok(
        organizationJson(
          store.updateOrganization(params.id!, {
            name: str(body, 'name'),
            external_id: body.external_id as string | null | undefined,
            metadata: body.metadata as Metadata | null | undefined,
            domain_data: body.domain_data as DomainData | undefined,
            stripe_customer_id: str(body, 'stripe_customer_id'),
          }),
        ),
      ),
  },
  {
    method: 'DELETE',
    pattern: '/organizations/:id',
    group: 'org_delete',
    handle: ({ store, params }) => {
      store.deleteOrganization(params.id!);
      return { status: 200 };
    },
  },

  // ---- roles
  {
    method: 'POST',
    pattern: '/authorization/roles',
    group: 'other',
    handle: ({ store, body }) =>
      created(
        roleJson(
          store.createRole({
            slug: str(body, 'slug')!,
            name: str(body, 'name')!,
            description: body.description as string | null | undefined,
            resource_type_slug: str(body, 'resource_type_slug'),
            organization_id: null,
          }),
        ),
      ),
  },
  {
    method: 'GET',
    pattern: '/authorization/roles',
    group: 'other',
    handle: ({ store }) => ok({ object: 'list', data: store.environmentRoles().map(roleJson) }),
  },
  {
    method: 'POST',
    pattern: '/authorization/organizations/:organizationId/roles',
    group: 'other',
    handle: ({ store, params, body }) => {
      const name = str(body, 'name')!;
      // The slug is optional for organization roles; WorkOS derives one from the name.
      const slug =
        str(body, 'slug') ??
        name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '');
      return created(
        roleJson(
          store.createRole({
            slug,
            name,
            description: body.description as string | null | undefined,
            resource_type_slug: str(body, 'resource_type_slug'),
            organization_id: params.organizationId!,
          }),
        ),
      );
    },
  },
  {
    method: 'GET',
    pattern: '/authorization/organizations/:organizationId/roles',
    group: 'other',
    handle: ({ store, params }) => {
      store.organization(params.organizationId!);
      return ok({ object: 'list', data: store.rolesFor(params.organizationId!).map(roleJson) });
    },
  },

  // ---- organization memberships
  {
    method: 'POST',
    pattern: '/user_management/organization_memberships',
    group: 'um_write',
    handle: ({ store, body }) => {
      const { membership, created: isNew } = store.createMembership({
        user_id: str(body, 'user_id')!,
        organization_id: str(body, 'organization_id')!,
        role_slug: str(body, 'role_slug'),
        role_slugs: body.role_slugs as string[] | undefined,
      });
      return { status: isNew ? 201 : 200, body: membershipJson(store, membership) };
    },
  },
  {
    method: 'GET',
    pattern: '/user_management/organization_memberships',
    group: 'um_read',
    handle: ({ store, query }) => {
      // Without `statuses` WorkOS lists active memberships only (the spec says so).
      const statuses = queryList(query, 'statuses');
      return ok(
        listJson(
          store.listMemberships(
            {
              user_id: query.get('user_id') ?? undefined,
              organization_id: query.get('organization_id') ?? undefined,
              statuses: statuses.length > 0 ? statuses : ['active'],
            },
            listOptions(query),
          ),
          (m) => membershipJson(store, m),
        ),
      );
    },
  },
  {
    method: 'GET',
    pattern: '/user_management/organization_memberships/:id',
    group: 'um_read',
    handle: ({ store, params }) => ok(membershipJson(store, store.membership(params.id!))),
  },
  {
    method: 'PUT',
    pattern: '/user_management/organization_memberships/:id',
    group: 'um_write',
    handle: ({ store, params, body }) =>
      ok(
        membershipJson(
          store,
          store.updateMembership(params.id!, {
            role_slug: str(body, 'role_slug'),
            role_slugs: body.role_slugs as string[] | undefined,
          }),
        ),
      ),
  },
  {
    method: 'PUT',
    pattern: '/user_management/organization_memberships/:id/deactivate',
    group: 'um_write',
    handle: ({ store, params }) =>
      ok(membershipJson(store, store.setMembershipStatus(params.id!, 'inactive'))),
  },
  {
    method: 'PUT',
    pattern: '/user_management/organization_memberships/:id/reactivate',
    group: 'um_write',
    handle: ({ store, params }) => ok(membershipJson(store, store.setMembershipStatus(params.id!, 'active'))),
  },
  {
    method: 'DELETE',
    pattern: '/user_management/organization_memberships/:id',
    group: 'um_write',
    handle: ({ store, params }) => {
      store.deleteMembership(params.id!);
      return { status: 200 };
    },
  },

  // ---- TOTP factors
  {
    method: 'POST',
    pattern: '/user_management/users/:userlandUserId/auth_factors',
    group: 'um_write',
    handle: async ({ store, params, body }) => {
      const user = store.user(params.userlandUserId!);
      const given = str(body, 'totp_secret');
      if (given !== undefined && !/^[A-Z2-7]+=*$/i.test(given.replace(/\s+/g, '')))
        throw unprocessable('invalid_request_parameters', 'totp_secret must be a Base32 string.');
      // Without a secret WorkOS generates one: 20 random bytes, Base32.
      const secret = given?.replace(/\s+/g, '').toUpperCase() ?? base32(randomBytes(20));
      const issuer = str(body, 'totp_issuer') ?? 'WorkOS';
      const account = str(body, 'totp_user') ?? user.email;
      const factor = store.enrollTotp(user.id, { issuer, user: account, secret });
      const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
      const uri = `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
      const t = new Date();
      return created({
        authentication_factor: {
          ...factorJson(factor),
          totp: { issuer, user: account, secret, uri, qr_code: await QRCode.toDataURL(uri) },
        },
        authentication_challenge: {
          object: 'authentication_challenge',
          id: `auth_challenge_${randomBytes(13).toString('hex')}`,
          authentication_factor_id: factor.id,
          expires_at: new Date(t.getTime() + 10 * 60_000).toISOString(),
          created_at: t.toISOString(),
          updated_at: t.toISOString(),
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: '/user_management/users/:userlandUserId/auth_factors',
    group: 'um_read',
    handle: ({ store, params, query }) =>
      ok(listJson(store.listFactors(params.userlandUserId!, listOptions(query)), factorJson)),
  },

  {
    method: 'GET',
    pattern: '/auth/factors/:id',
    group: 'other',
    handle: ({ store, params }) => ok(factorJson(store.factor(params.id!))),
  },
  {
    method: 'DELETE',
    pattern: '/auth/factors/:id',
    group: 'other',
    handle: ({ store, params }) => {
      store.deleteFactor(params.id!);
      return { status: 200 };
    },
  },

  // ---- Admin Portal
  {
    method: 'POST',
    pattern: '/portal/generate_link',
    group: 'other',
    handle: ({ store, body, sandbox }) => {
      const org = store.organizations.get(str(body, 'organization')!);
      if (!org) throw notFound('Organization', str(body, 'organization')!);
      const secret = randomBytes(24).toString('base64url');
      sandbox.portalLinks.set(secret, {
        organization: org.id,
        intent: str(body, 'intent') ?? null,
        expiresAt: Date.now() + 5 * 60_000,
      });
      return created({ link: `${sandbox.baseUrl()}/portal/launch?secret=${secret}` });
    },
  },
  {
    // Not an API endpoint (WorkOS serves the portal from its own site, so the spec has no such path):
    // the page a generated link opens, so that the link the app shows leads somewhere.
    method: 'GET',
    pattern: '/portal/launch',
    group: 'other',
    auth: false,
    inSpec: false,
    handle: ({ query, sandbox, store }) => {
      const link = sandbox.portalLinks.get(query.get('secret') ?? '');
      if (!link || link.expiresAt < Date.now()) throw notFound('Portal link', 'expired or unknown');
      const org = store.organizations.get(link.organization);
      const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      return {
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><title>Admin Portal (sandbox)</title><h1>Admin Portal (sandbox)</h1><p>Organization: ${esc(org?.name ?? link.organization)}</p><p>Intent: ${esc(link.intent ?? 'none')}</p>`,
      };
    },
  },

  // ---- webhook endpoints
  {
    method: 'GET',
    pattern: '/webhook_endpoints',
    group: 'other',
    handle: ({ store, query }) =>
      ok(listJson(paginate([...store.webhookEndpoints.values()], listOptions(query)), webhookEndpointJson)),
  },
  {
    method: 'POST',
    pattern: '/webhook_endpoints',
    group: 'other',
    handle: ({ store, body }) =>
      created(
        webhookEndpointJson(
          store.createWebhookEndpoint({
            endpoint_url: str(body, 'endpoint_url')!,
            events: (body.events as string[]) ?? [],
          }),
        ),
      ),
  },
  {
    method: 'PATCH',
    pattern: '/webhook_endpoints/:id',
    group: 'other',
    handle: ({ store, params, body }) =>
      ok(
        webhookEndpointJson(
          store.updateWebhookEndpoint(params.id!, {
            status: body.status as 'enabled' | 'disabled' | undefined,
            endpoint_url: str(body, 'endpoint_url'),
            events: body.events as string[] | undefined,
          }),
        ),
      ),
  },
  {
    method: 'DELETE',
    pattern: '/webhook_endpoints/:id',
    group: 'other',
    handle: ({ store, params }) => {
      store.deleteWebhookEndpoint(params.id!);
      return { status: 200 };
    },
  },
];

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
