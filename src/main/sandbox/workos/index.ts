import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  HttpError,
  Prng,
  RateLimiter,
  Router,
  retryAfterSeconds,
  sendJson,
  startHttpServer,
  type FaultConfig,
  type RateLimitConfig,
  type RateLimitRule,
  type SandboxRequest,
} from '../common';
import { WorkosApiError } from './errors';
import { ulid } from './ids';
import {
  routes,
  specTemplate,
  type Answer,
  type PortalLink,
  type RouteContext,
  type WorkosRoute,
} from './routes';
import { validateRequest, type SpecViolation } from './spec';
import { WorkosStore, type SandboxState } from './store';

// A local WorkOS API that the real @workos-inc/node SDK cannot tell from api.workos.com for the calls the
// migration makes. Built on the shared sandbox HTTP layer (routing, per-group rate limits, faults); this
// module adds what WorkOS needs on top: bearer-key auth, X-Request-ID on every answer, the overall per-key
// limit next to the per-group ones, Idempotency-Key replay, OpenAPI validation, and WorkOS's error bodies.

export type { SandboxState } from './store';
export type { SpecViolation, SpecIssue } from './spec';

/** WorkOS's published limits; `null` lifts one. */
export interface WorkosRateLimits {
  /** POST/PUT/DELETE under /user_management: 500 per 10 s. */
  userManagementWrites: RateLimitRule | null;
  /** GET under /user_management: 1,000 per 10 s. */
  userManagementReads: RateLimitRule | null;
  /** Every request with one API key: 6,000 per 60 s. */
  overall: RateLimitRule | null;
  /** DELETE /organizations/{id}: 50 per 60 s. */
  organizationDeletes: RateLimitRule | null;
}

export const PUBLISHED_RATE_LIMITS: WorkosRateLimits = {
  userManagementWrites: { limit: 500, windowMs: 10_000 },
  userManagementReads: { limit: 1000, windowMs: 10_000 },
  overall: { limit: 6000, windowMs: 60_000 },
  organizationDeletes: { limit: 50, windowMs: 60_000 },
};

export const NO_RATE_LIMITS: WorkosRateLimits = {
  userManagementWrites: null,
  userManagementReads: null,
  overall: null,
  organizationDeletes: null,
};

export interface WorkosFaultConfig extends FaultConfig {
  /**
   * Share (0..1) of writes that are applied and then lose their answer (the socket closes): the case that
   * makes an importer re-check before it retries. Rolled with the same seed as the other faults.
   */
  dropAfterCommitRate?: number;
}

export interface WorkosSandboxOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Default: a random `sk_test_...` key. */
  apiKey?: string;
  /** Default: a random `client_...` id. */
  clientId?: string;
  /** Merged over PUBLISHED_RATE_LIMITS. */
  rateLimits?: Partial<WorkosRateLimits>;
  faults?: WorkosFaultConfig;
  /** Whether a membership may hold several roles (WorkOS: an environment setting). Default false. */
  multipleRolesEnabled?: boolean;
  /** '400' (default): duplicate email is 400 user_creation_error; '409': 409 user_already_exists, as WorkOS's emulator. */
  conflictStyle?: '400' | '409';
  /** How many POST answers are kept for Idempotency-Key replay (oldest dropped first). Default 200,000. */
  idempotencyCapacity?: number;
}

export interface WorkosSandboxStats {
  requests: number;
  byStatus: Record<number, number>;
  rateLimited: number;
  /** Every request the OpenAPI spec rejected (each was answered 422 invalid_request_parameters). */
  specViolations: SpecViolation[];
  faults: { delayed: number; errors: number; drops: number; droppedAfterCommit: number };
  idempotentReplays: number;
}

export interface WorkosSandbox {
  baseUrl: string;
  apiKey: string;
  clientId: string;
  close(): Promise<void>;
  /** Empties the environment (default `member` role kept), the idempotency cache and the statistics. */
  reset(): void;
  state(): SandboxState;
  setFaults(f: WorkosFaultConfig): void;
  setRateLimits(r: Partial<WorkosRateLimits>): void;
  rateLimits(): WorkosRateLimits;
  stats(): WorkosSandboxStats;
}

const GROUP_RULES: Record<string, keyof WorkosRateLimits> = {
  um_write: 'userManagementWrites',
  um_read: 'userManagementReads',
  org_delete: 'organizationDeletes',
};

function groupConfig(limits: WorkosRateLimits): RateLimitConfig {
  const config: RateLimitConfig = {};
  for (const [group, key] of Object.entries(GROUP_RULES)) {
    const rule = limits[key];
    if (rule) config[group] = rule;
  }
  return config;
}

interface IdempotentEntry {
  fingerprint: string;
  answer: Promise<Answer>;
}

function bearer(req: SandboxRequest): string {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

function sameSecret(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

const requestId = (): string => randomUUID();

function rateLimitedAnswer(res: ServerResponse, retryAfter: number): void {
  sendJson(
    res,
    429,
    {
      code: 'rate_limit_exceeded',
      message: 'Rate limit exceeded. Retry after the time in the Retry-After header.',
    },
    { 'Retry-After': String(retryAfter) },
  );
}

export async function startWorkosSandbox(opts: WorkosSandboxOptions = {}): Promise<WorkosSandbox> {
  const apiKey = opts.apiKey ?? `sk_test_${randomBytes(24).toString('base64url')}`;
  const clientId = opts.clientId ?? `client_${ulid()}`;
  const store = new WorkosStore({
    multipleRolesEnabled: opts.multipleRolesEnabled ?? false,
    conflictStyle: opts.conflictStyle ?? '400',
  });
  let limits: WorkosRateLimits = { ...PUBLISHED_RATE_LIMITS, ...opts.rateLimits };
  const overall = new RateLimiter();
  const setOverall = (): void => overall.set(limits.overall ? { overall: limits.overall } : {});
  setOverall();

  let dropAfterCommitRate = 0;
  let commitDice = new Prng('drop-after-commit');
  let droppedAfterCommit = 0;
  let idempotentReplays = 0;
  let specViolations: SpecViolation[] = [];
  const idempotency = new Map<string, IdempotentEntry>();
  const capacity = opts.idempotencyCapacity ?? 200_000;
  const portalLinks = new Map<string, PortalLink>();
  let baseUrl = '';

  const setDropAfterCommit = (f: WorkosFaultConfig): void => {
    const rate = f.dropAfterCommitRate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError('dropAfterCommitRate must be between 0 and 1');
    dropAfterCommitRate = rate;
    commitDice = new Prng(`${f.seed ?? 'faults'}:drop-after-commit`);
  };
  setDropAfterCommit(opts.faults ?? {});

  const sandboxInfo: RouteContext['sandbox'] = { apiKey, clientId, baseUrl: () => baseUrl, portalLinks };

  async function answer(route: WorkosRoute, req: SandboxRequest, rid: string): Promise<Answer> {
    let body: unknown;
    try {
      body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await req.json();
    } catch (err) {
      if (err instanceof HttpError && err.status === 413)
        return { status: 413, body: { message: 'Request body too large.' } };
      return { status: 400, body: { code: 'invalid_json', message: 'The request body is not valid JSON.' } };
    }
    const fields =
      body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    try {
      route.precheck?.(fields);
      if (route.inSpec !== false) {
        const template = specTemplate(route.pattern);
        const issues = validateRequest(req.method, template, { body, query: req.query, params: req.params });
        if (issues.length > 0) {
          specViolations.push({ method: req.method, path: template, issues, requestId: rid });
          return {
            status: 422,
            body: {
              code: 'invalid_request_parameters',
              message: 'The request does not match the WorkOS API specification.',
              errors: issues,
            },
          };
        }
      }
      return await route.handle({
        store,
        body: fields,
        query: req.query,
        params: req.params,
        sandbox: sandboxInfo,
      });
    } catch (err) {
      if (err instanceof WorkosApiError) return { status: err.status, body: err.body };
      throw err;
    }
  }

  /** Same Idempotency-Key and same body: the first answer again, without applying the request twice. */
  async function idempotent(
    route: WorkosRoute,
    req: SandboxRequest,
    rid: string,
    res: ServerResponse,
  ): Promise<Answer> {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || key === '') return answer(route, req, rid);
    const fingerprint = createHash('sha256')
      .update(await req.body())
      .digest('hex');
    const cacheKey = `${bearer(req)}\u0000${req.path}\u0000${key}`;
    const previous = idempotency.get(cacheKey);
    if (previous) {
      if (previous.fingerprint !== fingerprint)
        return {
          status: 409,
          body: {
            code: 'idempotency_key_reused',
            message: 'This Idempotency-Key was already used with a different request body.',
          },
        };
      idempotentReplays++;
      res.setHeader('Idempotent-Replayed', 'true');
      return previous.answer;
    }
    const pending = answer(route, req, rid);
    idempotency.set(cacheKey, { fingerprint, answer: pending });
    if (idempotency.size > capacity) idempotency.delete(idempotency.keys().next().value!);
    // A server error is not remembered: the retry should be attempted again, as WorkOS does.
    pending.then(
      (a) => {
        if (a.status >= 500) idempotency.delete(cacheKey);
      },
      () => idempotency.delete(cacheKey),
    );
    return pending;
  }

  async function dispatch(route: WorkosRoute, req: SandboxRequest, res: ServerResponse): Promise<void> {
    const rid = requestId();
    res.setHeader('X-Request-ID', rid);
    const key = bearer(req);
    if (route.auth !== false && !sameSecret(key, apiKey))
      return sendJson(res, 401, { code: 'unauthorized', message: 'Unauthorized' });
    const state = overall.take('overall', key);
    if (state?.limited) return rateLimitedAnswer(res, retryAfterSeconds(state));
    const result = await idempotent(route, req, rid, res);
    if (
      req.method !== 'GET' &&
      result.status < 400 &&
      dropAfterCommitRate > 0 &&
      commitDice.chance(dropAfterCommitRate)
    ) {
      droppedAfterCommit++;
      req.raw.socket.destroy();
      return;
    }
    if (result.contentType) {
      res.writeHead(result.status, { 'content-type': result.contentType });
      res.end(String(result.body));
      return;
    }
    sendJson(res, result.status, result.body);
  }

  const router = new Router();
  for (const route of routes)
    router.add(route.method, route.pattern, (req, res) => dispatch(route, req, res), route.group);

  const server = await startHttpServer({
    router,
    port: opts.port,
    faults: opts.faults,
    rateLimits: groupConfig(limits),
    hooks: {
      rateLimitKey: bearer,
      // WorkOS sends no x-ratelimit-* headers; only Retry-After on a 429.
      rateLimitHeaders: () => ({}),
      onRateLimited: (_req, res, state) => {
        res.setHeader('X-Request-ID', requestId());
        rateLimitedAnswer(res, retryAfterSeconds(state));
      },
      onFault: (_req, res, status) =>
        sendJson(
          res,
          status,
          { message: status === 503 ? 'Service Unavailable' : 'Internal Server Error' },
          { 'X-Request-ID': requestId() },
        ),
      onNotFound: (_req, res) =>
        sendJson(res, 404, { message: 'Not Found' }, { 'X-Request-ID': requestId() }),
      onError: (_req, res) =>
        sendJson(res, 500, { message: 'Internal Server Error' }, { 'X-Request-ID': requestId() }),
    },
  });
  baseUrl = server.baseUrl;
  let statsBase = { requests: 0, byStatus: {} as Record<string, number>, rateLimited: 0 };
  let overallBase = 0;

  return {
    baseUrl,
    apiKey,
    clientId,
    close: () => server.close(),
    reset() {
      store.reset();
      idempotency.clear();
      portalLinks.clear();
      specViolations = [];
      droppedAfterCommit = 0;
      idempotentReplays = 0;
      const s = server.stats();
      statsBase = { requests: s.requests, byStatus: s.byStatus, rateLimited: s.rateLimited };
      overallBase = overall.limitedTotal();
    },
    state: () => store.snapshot(),
    setFaults(f) {
      setDropAfterCommit(f);
      const { dropAfterCommitRate: _ignored, ...common } = f;
      server.setFaults(common);
    },
    setRateLimits(r) {
      limits = { ...limits, ...r };
      server.setRateLimits(groupConfig(limits));
      setOverall();
    },
    rateLimits: () => ({ ...limits }),
    stats() {
      const s = server.stats();
      const byStatus: Record<number, number> = {};
      for (const [code, n] of Object.entries(s.byStatus)) {
        const since = n - (statsBase.byStatus[code] ?? 0);
        if (since > 0) byStatus[Number(code)] = since;
      }
      return {
        requests: s.requests - statsBase.requests,
        byStatus,
        rateLimited: s.rateLimited - statsBase.rateLimited + overall.limitedTotal() - overallBase,
        specViolations: [...specViolations],
        faults: { ...s.faults, droppedAfterCommit },
        idempotentReplays,
      };
    },
  };
}
