import { randomBytes } from 'node:crypto';
import type { FaultConfig } from '../common/faults';
import {
  HttpError,
  Router,
  sendJson,
  startHttpServer,
  type SandboxRequest,
  type ServerStats,
} from '../common/http';
import type { RateLimitConfig } from '../common/rateLimit';
import type { Auth0Member, Auth0User, Tenant } from '../tenant';
import { ExportJobs } from './exportJobs';
import { checkpointPage, listPage, offsetPage, usesCheckpoint } from './paging';
import { TokenIssuer, requireScope, type Grant, type SandboxClient } from './tokens';

// A local Auth0 Management API over a tenant file, close enough that the `auth0` SDK cannot tell it from
// Auth0: same paths, paging, scopes, error bodies and rate-limit headers (facts: REFERENCE.md).

/** Every scope the sandbox knows; the default client is granted all of them. */
export const AUTH0_SANDBOX_SCOPES = [
  'read:users',
  'read:user_idp_tokens',
  'read:organizations',
  'read:organization_members',
  'read:organization_member_roles',
  'read:organization_connections',
  'read:roles',
  'read:connections',
  'read:connections_options',
  'read:actions',
  'read:rules',
  'read:hooks',
  'read:authentication_methods',
] as const;

/** Rate-limit groups: `token`, `organizations`, `jobs`, `download`, and `default` for the rest. */
export type Auth0RateLimits = RateLimitConfig;

/** Roughly a paid tenant (REFERENCE.md); pass as `rateLimits` to rehearse with realistic limits. */
export const AUTH0_PAID_PLAN_LIMITS: Auth0RateLimits = {
  default: { limit: 50, windowMs: 1000 },
  organizations: { limit: 10, windowMs: 1000 },
};

export interface Auth0SandboxOptions {
  tenant: Tenant;
  port?: number;
  /** Default: one client with every scope in AUTH0_SANDBOX_SCOPES and random credentials. */
  clients?: SandboxClient[];
  /** Default: no limits. */
  rateLimits?: Auth0RateLimits;
  faults?: FaultConfig;
  /** Lifetime of an export download link (Auth0: 60 s). */
  linkTtlMs?: number;
  /** Time an export job spends pending + processing before it completes. */
  jobProcessingMs?: number;
  tokenTtlSeconds?: number;
  logRequests?: boolean;
}

export interface Auth0SandboxStats extends ServerStats {
  tokensIssued: number;
  exportJobsCreated: number;
  exportDownloads: number;
}

export interface Auth0Sandbox {
  /** http://127.0.0.1:PORT; requests for https://{domain}/... go here. */
  baseUrl: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
  setFaults(faults: FaultConfig): void;
  setRateLimits(limits: Auth0RateLimits): void;
  /** The next users-exports job ends in status `failed`. */
  failNextExportJob(): void;
  stats(): Auth0SandboxStats;
}

const notFound = (message: string, errorCode: string) =>
  new HttpError(404, { statusCode: 404, error: 'Not Found', message, errorCode });

export async function startAuth0Sandbox(opts: Auth0SandboxOptions): Promise<Auth0Sandbox> {
  const t = opts.tenant;
  const domain = t.tenant.domain;
  const clients = opts.clients ?? [
    {
      clientId: randomBytes(16).toString('base64url').slice(0, 32),
      clientSecret: randomBytes(48).toString('base64url'),
      scopes: [...AUTH0_SANDBOX_SCOPES],
    },
  ];
  if (clients.length === 0) throw new RangeError('at least one client is required');
  const issuer = new TokenIssuer(domain, clients, opts.tokenTtlSeconds ?? 86_400);
  await issuer.init();

  // Indexes built once: the tenant is read-only while served.
  const usersById = new Map(t.users.map((u) => [u.user_id, u]));
  const orgsById = new Map(t.organizations.map((o) => [o.id, o]));
  const rolesById = new Map(t.roles.map((r) => [r.id, r]));
  const connsById = new Map(t.connections.map((c) => [c.id, c]));
  const membersByOrg = new Map<string, Auth0Member[]>();
  for (const m of t.members) {
    const list = membersByOrg.get(m.org_id) ?? [];
    list.push(m);
    membersByOrg.set(m.org_id, list);
  }
  const mfaByUser = new Map<string, Tenant['mfa']>();
  for (const e of t.mfa) {
    const list = mfaByUser.get(e.user_id) ?? [];
    list.push(e);
    mfaByUser.set(e.user_id, list);
  }

  let baseUrl = '';
  const jobs = new ExportJobs(t, () => baseUrl, opts.jobProcessingMs ?? 1500, opts.linkTtlMs ?? 60_000);
  const router = new Router();
  const api = (path: string) => `/api/v2${path}`;
  const authed =
    (...scopes: string[]) =>
    async (req: SandboxRequest): Promise<Grant> => {
      const grant = await issuer.authenticate(req);
      if (scopes.length) requireScope(grant, ...scopes);
      return grant;
    };

  router.post(
    '/oauth/token',
    async (req, res) => {
      sendJson(res, 200, await issuer.token(await req.form()), {
        'cache-control': 'no-store',
        pragma: 'no-cache',
      });
    },
    'token',
  );

  router.post(
    api('/jobs/users-exports'),
    async (req, res) => {
      await authed('read:users')(req);
      sendJson(res, 201, jobs.create(await req.json()));
    },
    'jobs',
  );
  router.get(
    api('/jobs/:id'),
    async (req, res) => {
      await authed('create:users', 'read:users')(req);
      sendJson(res, 200, jobs.get(req.params.id!));
    },
    'jobs',
  );
  router.get('/exports/:job/:file', (req, res) => jobs.download(req, res), 'download');

  const org = (id: string) => {
    const o = orgsById.get(id);
    if (!o) throw notFound('No organization found by that id or name', 'inexistent_organization');
    return o;
  };

  router.get(
    api('/organizations'),
    async (req, res) => {
      await authed('read:organizations')(req);
      sendJson(res, 200, listPage(req, t.organizations, 'organizations'));
    },
    'organizations',
  );
  router.get(
    api('/organizations/:id'),
    async (req, res) => {
      await authed('read:organizations')(req);
      sendJson(res, 200, org(req.params.id!));
    },
    'organizations',
  );
  router.get(
    api('/organizations/:id/members'),
    async (req, res) => {
      const grant = await authed('read:organization_members')(req);
      org(req.params.id!);
      const fields = (req.query.get('fields') ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      const include = req.query.get('include_fields') !== 'false';
      const withRoles = fields.includes('roles') && include;
      if (withRoles) requireScope(grant, 'read:organization_member_roles');
      const shape = (m: Auth0Member): Record<string, unknown> => {
        const u = usersById.get(m.user_id)!;
        const full: Record<string, unknown> = {
          user_id: u.user_id,
          email: u.email,
          picture: u.picture,
          name: u.name,
        };
        if (withRoles) full.roles = m.roles.map((id) => ({ id, name: rolesById.get(id)!.name }));
        if (fields.length === 0) return full;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(full)) if (fields.includes(k) === include) out[k] = v;
        return out;
      };
      // Page first, then shape only the page: shaping a whole organization per request made paging through one
      // of 100,000 members quadratic.
      const all = membersByOrg.get(req.params.id!) ?? [];
      const page = usesCheckpoint(req)
        ? checkpointPage(req, all, 'members')
        : offsetPage(req, all, 'members');
      sendJson(
        res,
        200,
        Array.isArray(page)
          ? (page as Auth0Member[]).map(shape)
          : {
              ...(page as Record<string, unknown>),
              members: (page as { members: Auth0Member[] }).members.map(shape),
            },
      );
    },
    'organizations',
  );
  router.get(
    api('/organizations/:id/members/:user_id/roles'),
    async (req, res) => {
      await authed('read:organization_member_roles')(req);
      org(req.params.id!);
      const member = (membersByOrg.get(req.params.id!) ?? []).find((m) => m.user_id === req.params.user_id);
      if (!member) throw notFound('The user is not a member of the organization', 'inexistent_member');
      const roles = member.roles.map((id) => ({
        id,
        name: rolesById.get(id)!.name,
        description: rolesById.get(id)!.description,
      }));
      sendJson(res, 200, offsetPage(req, roles, 'roles'));
    },
    'organizations',
  );
  router.get(
    api('/organizations/:id/enabled_connections'),
    async (req, res) => {
      await authed('read:organization_connections')(req);
      org(req.params.id!);
      const list = t.orgConnections
        .filter((oc) => oc.org_id === req.params.id)
        .map((oc) => {
          const c = connsById.get(oc.connection_id)!;
          return {
            connection_id: oc.connection_id,
            assign_membership_on_login: oc.assign_membership_on_login,
            show_as_button: oc.show_as_button ?? true,
            is_signup_enabled: oc.is_signup_enabled ?? false,
            connection: { name: c.name, strategy: c.strategy },
          };
        });
      sendJson(res, 200, offsetPage(req, list, 'enabled_connections'));
    },
    'organizations',
  );

  router.get(api('/roles'), async (req, res) => {
    await authed('read:roles')(req);
    const filter = req.query.get('name_filter')?.toLowerCase();
    const roles = filter ? t.roles.filter((r) => r.name.toLowerCase().includes(filter)) : t.roles;
    sendJson(res, 200, offsetPage(req, roles, 'roles'));
  });

  router.get(api('/connections'), async (req, res) => {
    const grant = await authed('read:connections')(req);
    // Without read:connections_options Auth0 silently leaves `options` out (no 403).
    const withOptions = grant.scopes.has('read:connections_options');
    const strategies = req.query.getAll('strategy');
    const name = req.query.get('name');
    const list = t.connections
      .filter(
        (c) => (strategies.length === 0 || strategies.includes(c.strategy)) && (!name || c.name === name),
      )
      .map((c) => {
        const { options, ...rest } = c;
        return { ...rest, ...(withOptions ? { options } : {}), enabled_clients: c.enabled_clients ?? [] };
      });
    sendJson(res, 200, listPage(req, list, 'connections'));
  });

  router.get(api('/users/:id/authentication-methods'), async (req, res) => {
    await authed('read:authentication_methods')(req);
    if (!usersById.has(req.params.id!)) throw notFound('The user does not exist.', 'inexistent_user');
    // The API never reveals TOTP secrets: those only come with the support file.
    const methods = (mfaByUser.get(req.params.id!) ?? []).map((e) => ({
      id: e.id,
      type: e.type,
      confirmed: e.confirmed,
      ...(e.name ? { name: e.name } : {}),
      ...(e.phone_number ? { phone_number: e.phone_number } : {}),
      ...(e.preferred_authentication_method
        ? { preferred_authentication_method: e.preferred_authentication_method }
        : {}),
      created_at: e.created_at,
      enrolled_at: e.created_at,
    }));
    sendJson(res, 200, offsetPage(req, methods, 'authenticators'));
  });

  router.get(api('/users/:id'), async (req, res) => {
    await authed('read:users')(req);
    const user: Auth0User | undefined = usersById.get(req.params.id!);
    if (!user) throw notFound('The user does not exist.', 'inexistent_user');
    sendJson(res, 200, user);
  });

  router.get(api('/actions/actions'), async (req, res) => {
    await authed('read:actions')(req);
    const trigger = req.query.get('triggerId');
    const name = req.query.get('actionName');
    const deployed = req.query.get('deployed');
    const list = t.actions.filter(
      (a) =>
        (!trigger || a.supported_triggers.some((s) => s.id === trigger)) &&
        (!name || a.name === name) &&
        (deployed === null || String(a.all_changes_deployed) === deployed),
    );
    const page = offsetPage(req, list, 'actions', { capped: false });
    const items = Array.isArray(page) ? page : (page as { actions: unknown[] }).actions;
    // Actions always answer with an envelope {actions, total, page, per_page}.
    sendJson(res, 200, {
      actions: items,
      total: list.length,
      page: Number(req.query.get('page') ?? 0),
      per_page: Number(req.query.get('per_page') ?? 50),
    });
  });

  router.get(api('/rules'), async (req, res) => {
    await authed('read:rules')(req);
    const enabled = req.query.get('enabled');
    const list = t.rules.filter((r) => enabled === null || String(r.enabled) === enabled);
    sendJson(res, 200, offsetPage(req, list, 'rules'));
  });

  router.get(api('/hooks'), async (req, res) => {
    await authed('read:hooks')(req);
    const enabled = req.query.get('enabled');
    const trigger = req.query.get('triggerId');
    const list = t.hooks.filter(
      (h) => (enabled === null || String(h.enabled) === enabled) && (!trigger || h.triggerId === trigger),
    );
    sendJson(res, 200, offsetPage(req, list, 'hooks'));
  });

  const server = await startHttpServer({
    router,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
    logRequests: opts.logRequests ?? false,
  });
  baseUrl = server.baseUrl;
  const first = clients[0]!;
  return {
    baseUrl,
    domain,
    clientId: first.clientId,
    clientSecret: first.clientSecret,
    close: async () => {
      await server.close();
      await jobs.close();
    },
    setFaults: (f) => server.setFaults(f),
    setRateLimits: (r) => server.setRateLimits(r),
    failNextExportJob: () => jobs.failNextJob(),
    stats: () => ({
      ...server.stats(),
      tokensIssued: issuer.issued,
      exportJobsCreated: jobs.created,
      exportDownloads: jobs.downloads,
    }),
  };
}
