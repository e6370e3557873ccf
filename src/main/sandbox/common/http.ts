import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector, type FaultConfig } from './faults';
import { RateLimiter, auth0RateLimitHeaders, type RateLimitConfig, type RateLimitState } from './rateLimit';

// A tiny node:http server for the local sandboxes: exact path patterns, JSON helpers, per-group rate
// limits and fault injection. It binds to 127.0.0.1 only: the sandboxes hold synthetic secrets and must
// never be reachable from the network.

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface SandboxRequest {
  method: string;
  /** Path without query string, percent-decoding left to the params. */
  path: string;
  url: URL;
  query: URLSearchParams;
  /** `:name` segments of the route pattern, percent-decoded. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  raw: IncomingMessage;
  /** The route group used for rate limiting. */
  group: string;
  /** Raw body (read once, cached); rejects with HttpError 413 past MAX_BODY_BYTES. */
  body(): Promise<Buffer>;
  /** Body parsed as JSON; an empty body is `undefined`; invalid JSON is HttpError 400. */
  json<T = unknown>(): Promise<T>;
  /** Body parsed as application/x-www-form-urlencoded (or JSON objects, flattened to strings). */
  form(): Promise<URLSearchParams>;
}

export type Handler = (req: SandboxRequest, res: ServerResponse) => void | Promise<void>;

/** Throw from a handler to answer with `status` and a JSON `body`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

interface Route {
  method: string;
  segments: string[];
  group: string;
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  /** `pattern` like `/api/v2/organizations/:id/members`; `group` names the rate-limit bucket. */
  add(method: string, pattern: string, handler: Handler, group = 'default'): this {
    this.routes.push({
      method: method.toUpperCase(),
      segments: pattern.split('/').filter(Boolean),
      group,
      handler,
    });
    return this;
  }
  get(pattern: string, handler: Handler, group?: string): this {
    return this.add('GET', pattern, handler, group);
  }
  post(pattern: string, handler: Handler, group?: string): this {
    return this.add('POST', pattern, handler, group);
  }
  put(pattern: string, handler: Handler, group?: string): this {
    return this.add('PUT', pattern, handler, group);
  }
  patch(pattern: string, handler: Handler, group?: string): this {
    return this.add('PATCH', pattern, handler, group);
  }
  delete(pattern: string, handler: Handler, group?: string): this {
    return this.add('DELETE', pattern, handler, group);
  }

  /** The first route whose literal segments and method match; `methodMismatch` when only the path matched. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { methodMismatch: boolean } {
    const parts = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { route, params };
      pathMatched = true;
    }
    return { methodMismatch: pathMatched };
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const v = parts[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(v);
      } catch {
        return null;
      }
    } else if (p !== v) return null;
  }
  return params;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.writableEnded) return;
  const payload = body === undefined ? '' : JSON.stringify(body);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.statusCode = status;
  if (payload) {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(payload));
  }
  res.end(payload);
}

export interface ServerHooks {
  /** Caller identity for rate limiting (e.g. the bearer token); default: one bucket for everyone. */
  rateLimitKey?: (req: SandboxRequest) => string;
  /** Headers added to every answer of a limited group; default: Auth0's x-ratelimit-*. */
  rateLimitHeaders?: (state: RateLimitState) => Record<string, string>;
  /** Writes the 429; default: Auth0's body. */
  onRateLimited?: (req: SandboxRequest, res: ServerResponse, state: RateLimitState) => void;
  /** Writes an injected 500/503; default: Auth0-style body. */
  onFault?: (req: SandboxRequest, res: ServerResponse, status: 500 | 503) => void;
  onNotFound?: (req: SandboxRequest, res: ServerResponse) => void;
  /** Writes an unexpected handler error (never its message: it could carry data). */
  onError?: (req: SandboxRequest, res: ServerResponse) => void;
}

export interface ServerOptions {
  router: Router;
  /** 0 or undefined = a random free port. */
  port?: number;
  faults?: FaultConfig;
  rateLimits?: RateLimitConfig;
  /** Off by default. Logs method, path and status only: never bodies, query strings or headers. */
  logRequests?: boolean;
  log?: (line: string) => void;
  hooks?: ServerHooks;
}

export interface ServerStats {
  requests: number;
  byStatus: Record<string, number>;
  rateLimited: number;
  faults: { delayed: number; errors: number; drops: number };
}

export interface SandboxServer {
  baseUrl: string;
  port: number;
  close(): Promise<void>;
  setFaults(config: FaultConfig): void;
  getFaults(): FaultConfig;
  setRateLimits(config: RateLimitConfig): void;
  getRateLimits(): RateLimitConfig;
  stats(): ServerStats;
}

export function startHttpServer(opts: ServerOptions): Promise<SandboxServer> {
  const faults = new FaultInjector(opts.faults);
  const limiter = new RateLimiter(opts.rateLimits);
  const hooks = opts.hooks ?? {};
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let requests = 0;
  const byStatus: Record<string, number> = {};
  const sockets = new Set<Socket>();

  const server = createServer((raw, res) => {
    requests++;
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const req = makeRequest(raw, url);
    res.on('finish', () => {
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
      if (opts.logRequests) log(`${req.method} ${req.path} ${res.statusCode}`);
    });
    void handle(req, res).catch(() => {
      if (!res.headersSent) (hooks.onError ?? defaultError)(req, res);
      else res.destroy();
    });
  });

  async function handle(req: SandboxRequest, res: ServerResponse): Promise<void> {
    const decision = faults.decide();
    const delay = faults.latencyMs();
    if (delay > 0) await sleep(delay);
    if (decision.kind === 'drop') {
      req.raw.socket.destroy();
      return;
    }
    const found = opts.router.match(req.method, req.path);
    if ('route' in found) {
      req.params = found.params;
      req.group = found.route.group;
    }
    if (decision.kind === 'error') return (hooks.onFault ?? defaultFault)(req, res, decision.status);
    if (!('route' in found)) {
      if (found.methodMismatch)
        return sendJson(res, 405, {
          statusCode: 405,
          error: 'Method Not Allowed',
          message: 'Method not allowed',
        });
      return (hooks.onNotFound ?? defaultNotFound)(req, res);
    }
    const state = limiter.take(req.group, hooks.rateLimitKey?.(req) ?? '');
    if (state) {
      const headers = (hooks.rateLimitHeaders ?? auth0RateLimitHeaders)(state);
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      if (state.limited) return (hooks.onRateLimited ?? defaultRateLimited)(req, res, state);
    }
    try {
      await found.route.handler(req, res);
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, err.body, err.headers);
      throw err;
    }
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
        setFaults: (c) => faults.set(c),
        getFaults: () => faults.get(),
        setRateLimits: (c) => limiter.set(c),
        getRateLimits: () => limiter.get(),
        stats: () => ({
          requests,
          byStatus: { ...byStatus },
          rateLimited: limiter.limitedTotal(),
          faults: faults.stats(),
        }),
      });
    });
  });
}

function makeRequest(raw: IncomingMessage, url: URL): SandboxRequest {
  let cached: Promise<Buffer> | null = null;
  const body = (): Promise<Buffer> => {
    cached ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      raw.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          reject(
            new HttpError(413, {
              statusCode: 413,
              error: 'Payload Too Large',
              message: 'Request body too large',
            }),
          );
          raw.destroy();
          return;
        }
        chunks.push(c);
      });
      raw.on('end', () => resolve(Buffer.concat(chunks)));
      raw.on('error', reject);
    });
    return cached;
  };
  const json = async <T>(): Promise<T> => {
    const buf = await body();
    if (buf.length === 0) return undefined as T;
    try {
      return JSON.parse(buf.toString('utf8')) as T;
    } catch {
      throw new HttpError(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'Invalid request payload JSON format',
      });
    }
  };
  const form = async (): Promise<URLSearchParams> => {
    const type = String(raw.headers['content-type'] ?? '');
    if (type.includes('application/json')) {
      const obj = await json<Record<string, unknown>>();
      const params = new URLSearchParams();
      if (obj && typeof obj === 'object')
        for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null) params.set(k, String(v));
      return params;
    }
    return new URLSearchParams((await body()).toString('utf8'));
  };
  return {
    method: (raw.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    url,
    query: url.searchParams,
    params: {},
    headers: raw.headers,
    raw,
    group: 'default',
    body,
    json,
    form,
  };
}

function defaultRateLimited(_req: SandboxRequest, res: ServerResponse): void {
  sendJson(res, 429, {
    statusCode: 429,
    error: 'Too Many Requests',
    message: 'Global limit has been reached',
    errorCode: 'too_many_requests',
  });
}

function defaultFault(_req: SandboxRequest, res: ServerResponse, status: 500 | 503): void {
  sendJson(
    res,
    status,
    status === 503
      ? { statusCode: 503, error: 'Service Unavailable', message: 'Service Unavailable' }
      : { statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' },
  );
}

function defaultNotFound(_req: SandboxRequest, res: ServerResponse): void {
  sendJson(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
}

function defaultError(_req: SandboxRequest, res: ServerResponse): void {
  sendJson(res, 500, { statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
