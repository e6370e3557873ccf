import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitExceededException, type WorkOS } from '@workos-inc/node';
import { createWorkosClient, workosHost, type WorkosConnection } from './client';
import { WorkosLimiter, type LimitGroup, type LimiterConfig } from './limiter';

// Every WorkOS call of plan, import, verify and rollback: through the limiter, one SDK attempt at a time (the SDK's
// own retries are off so that 429s adapt the limiter and a retry after a lost answer can re-check first), with
// failures reduced to status, WorkOS codes and request id. Messages are ours: WorkOS's text is never stored.

export interface CallFailure {
  /** HTTP status; null when no answer arrived (connection dropped, refused, timed out before headers). */
  status: number | null;
  /** WorkOS's error code, or the network error code. */
  code: string;
  /** Codes of `errors[]` (user_creation_error: email_not_available, external_id_already_used). */
  subCodes: string[];
  requestId: string | null;
  retryAfter: number | null;
  /** Worth retrying: no answer, 408, 429, 5xx. */
  transient: boolean;
  /** A write whose outcome is unknown (no answer, timeout, 5xx): re-check before retrying. */
  maybeApplied: boolean;
  /** Our own words: status and codes, never WorkOS's message text or the request. */
  message: string;
}

export class WorkosCallError extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.message);
    this.name = 'WorkosCallError';
  }
}

function causeCode(err: unknown): string {
  let code = '';
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && c) code = c;
    e = (e as { cause?: unknown }).cause;
  }
  return code;
}

export function describeFailure(err: unknown): CallFailure {
  if (err instanceof WorkosCallError) return err.failure;
  const e = err as {
    status?: unknown;
    requestID?: unknown;
    code?: unknown;
    error?: unknown;
    errors?: unknown;
    rawData?: { code?: unknown; error?: unknown };
  };
  const requestId = typeof e?.requestID === 'string' && e.requestID ? e.requestID : null;
  if (err instanceof RateLimitExceededException)
    return {
      status: 429,
      code: 'rate_limit_exceeded',
      subCodes: [],
      requestId,
      retryAfter: err.retryAfter ?? null,
      transient: true,
      maybeApplied: false,
      message: 'WorkOS answered 429 rate_limit_exceeded.',
    };
  if (typeof e?.status === 'number') {
    const status = e.status;
    const codeOf = (v: unknown) => (typeof v === 'string' && v ? v : null);
    const code =
      codeOf(e.code) ??
      codeOf(e.rawData?.code) ??
      codeOf(e.error) ??
      codeOf(e.rawData?.error) ??
      `http_${status}`;
    const subCodes = Array.isArray(e.errors)
      ? e.errors.map((x) => (x as { code?: unknown })?.code).filter((c): c is string => typeof c === 'string')
      : [];
    const transient = status === 408 || status >= 500;
    return {
      status,
      code,
      subCodes,
      requestId,
      retryAfter: null,
      transient,
      maybeApplied: transient,
      message: `WorkOS answered ${status} ${code}${subCodes.length ? ` (${subCodes.join(', ')})` : ''}.`,
    };
  }
  const code = causeCode(err) || 'network_error';
  return {
    status: null,
    code,
    subCodes: [],
    requestId: null,
    retryAfter: null,
    transient: true,
    maybeApplied: true,
    message: `No answer from WorkOS (${code}).`,
  };
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  body?: Record<string, unknown>;
  query?: Record<string, string | number | undefined>;
  idempotencyKey?: string;
}

export interface RequestOptions<T> extends CallOptions {
  /** Transient failures retried this many times (429s are paced by the limiter and counted apart). */
  maxAttempts?: number;
  /**
   * Called before retrying a write whose outcome is unknown: returns the object if the write did land (the retry
   * is then skipped), or null to retry.
   */
  recheck?: (failure: CallFailure) => Promise<T | null>;
  /** Told about every failed attempt (for the journal's attempts and last error). */
  onAttemptFailed?: (failure: CallFailure) => void;
}

const MAX_RATE_LIMITED = 200;

export function groupOf(method: Method, path: string): LimitGroup {
  if (path.startsWith('/user_management')) return method === 'GET' ? 'um_read' : 'um_write';
  if (method === 'DELETE' && path.startsWith('/organizations/')) return 'org_delete';
  return 'other';
}

export interface WorkosApiOptions {
  limits?: LimiterConfig;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class WorkosApi {
  readonly host: string;
  readonly limiter: WorkosLimiter;
  readonly workos: WorkOS;
  private readonly signal: AbortSignal | undefined;

  constructor(conn: WorkosConnection, opts: WorkosApiOptions = {}) {
    this.host = workosHost(conn);
    this.workos = createWorkosClient(conn, { maxRetries: 0, timeoutMs: opts.timeoutMs ?? 30_000 });
    this.limiter = new WorkosLimiter(opts.limits);
    this.signal = opts.signal;
  }

  /** One attempt through the limiter. Throws WorkosCallError. */
  async call<T>(method: Method, path: string, opts: CallOptions = {}): Promise<T> {
    const group = groupOf(method, path);
    try {
      const data = await this.limiter.run(
        group,
        async () => {
          const query = opts.query
            ? Object.fromEntries(Object.entries(opts.query).filter(([, v]) => v !== undefined))
            : undefined;
          switch (method) {
            case 'GET':
              return (await this.workos.get(path, { query, maxRetries: 0 })).data;
            case 'POST':
              return (
                await this.workos.post(path, opts.body ?? {}, {
                  query,
                  maxRetries: 0,
                  ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
                })
              ).data;
            case 'PUT':
              return (await this.workos.put(path, opts.body ?? {}, { query, maxRetries: 0 })).data;
            case 'PATCH':
              return (await this.workos.patch(path, opts.body ?? {}, { query, maxRetries: 0 })).data;
            case 'DELETE':
              await this.workos.delete(path, query);
              return null;
          }
        },
        this.signal,
      );
      this.limiter.succeeded(group);
      return data as T;
    } catch (err) {
      if (this.signal?.aborted && (err as Error)?.name !== 'WorkosCallError') throw this.signal.reason ?? err;
      const failure = describeFailure(err);
      if (failure.status === 429) this.limiter.rateLimited(group, failure.retryAfter);
      throw new WorkosCallError(failure);
    }
  }

  /** call() with retries of transient failures, re-checking writes whose outcome is unknown. */
  async request<T>(method: Method, path: string, opts: RequestOptions<T> = {}): Promise<T> {
    const maxAttempts = opts.maxAttempts ?? 8;
    let attempts = 0;
    let limited = 0;
    for (;;) {
      try {
        return await this.call<T>(method, path, opts);
      } catch (err) {
        if (!(err instanceof WorkosCallError)) throw err;
        const f = err.failure;
        opts.onAttemptFailed?.(f);
        if (f.status === 429) {
          if (++limited > MAX_RATE_LIMITED) throw err;
          continue; // the limiter holds the next attempt back for Retry-After
        }
        if (!f.transient || ++attempts >= maxAttempts) throw err;
        await sleep(Math.min(8000, 150 * 2 ** attempts) * (0.5 + Math.random() / 2), undefined, {
          signal: this.signal,
        });
        if (method !== 'GET' && f.maybeApplied && opts.recheck) {
          const found = await opts.recheck(f);
          if (found !== null) return found;
        }
      }
    }
  }

  /** GET that answers null on 404. */
  async find<T>(path: string, query?: CallOptions['query']): Promise<T | null> {
    try {
      return await this.request<T>('GET', path, { query });
    } catch (err) {
      if (err instanceof WorkosCallError && err.failure.status === 404) return null;
      throw err;
    }
  }

  /** Every item of a WorkOS list endpoint, oldest first, 100 per page. */
  async *list<T>(path: string, query: CallOptions['query'] = {}): AsyncGenerator<T> {
    let after: string | undefined;
    do {
      const page = await this.request<{ data: T[]; list_metadata?: { after?: string | null } }>('GET', path, {
        query: { ...query, limit: 100, order: 'asc', after },
      });
      yield* page.data;
      after = page.list_metadata?.after ?? undefined;
    } while (after);
  }

  async listAll<T>(path: string, query: CallOptions['query'] = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this.list<T>(path, query)) out.push(item);
    return out;
  }
}

export const enc = encodeURIComponent;
