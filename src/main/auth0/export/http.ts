import { setTimeout as sleep } from 'node:timers/promises';
import { ManagementClient } from 'auth0';
import { AppError } from '../../../shared/errors';
import { makeAuth0Fetch, networkError, type Auth0Credentials } from '../client';
import { Pacer } from '../pacer';

// The Management API client the export uses: the auth0 SDK over a fetch that paces every request from the
// rate-limit headers and retries 429, 5xx and dropped connections itself.
//
// The SDK's own retries are switched off (maxRetries: 0) on purpose: they would run underneath the pacer, so a
// 429 burst would be retried without the pacer learning of it and the request rate would overshoot exactly when
// Auth0 asks us to slow down. One retry loop that also feeds the pacer keeps the rate honest.

export interface ExportHttpOptions {
  pacer: Pacer;
  signal?: AbortSignal;
  /** Attempts per request, including the first (default 8). */
  maxAttempts?: number;
  /** Called before a retry, for progress messages; never with request data. */
  onRetry?: (info: { status: number | null; attempt: number; waitMs: number }) => void;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

function backoffMs(attempt: number): number {
  const base = Math.min(8000, 250 * 2 ** (attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'JobStopped');
}

/** A fetch that waits for the pacer's turn, reports every response to it and retries transient failures. */
export function pacedFetch(base: typeof fetch, opts: ExportHttpOptions): typeof fetch {
  const attempts = opts.maxAttempts ?? 8;
  return async (input, init) => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      opts.signal?.throwIfAborted();
      await opts.pacer.acquire(opts.signal);
      let res: Response;
      try {
        const signal =
          init?.signal && opts.signal
            ? AbortSignal.any([init.signal, opts.signal])
            : (init?.signal ?? opts.signal);
        res = await base(input, { ...init, ...(signal ? { signal } : {}) });
      } catch (err) {
        if (opts.signal?.aborted || isAbort(err)) throw err;
        lastError = err;
        if (attempt === attempts) break;
        const waitMs = backoffMs(attempt);
        opts.onRetry?.({ status: null, attempt, waitMs });
        await sleep(waitMs, undefined, opts.signal ? { signal: opts.signal } : {});
        continue;
      }
      opts.pacer.observe(res.status, res.headers);
      if (!RETRY_STATUS.has(res.status) || attempt === attempts) return res;
      await res.body?.cancel().catch(() => undefined);
      // 429: the pacer now blocks until the reset; 5xx: back off exponentially.
      const waitMs = res.status === 429 ? 0 : backoffMs(attempt);
      opts.onRetry?.({ status: res.status, attempt, waitMs });
      if (waitMs > 0) await sleep(waitMs, undefined, opts.signal ? { signal: opts.signal } : {});
    }
    throw lastError;
  };
}

export function createExportClient(creds: Auth0Credentials, opts: ExportHttpOptions): ManagementClient {
  const domain = creds.domain.trim().toLowerCase();
  return new ManagementClient({
    domain,
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
    fetch: pacedFetch(makeAuth0Fetch(domain, creds.baseUrl), opts),
    maxRetries: 0,
    timeoutInSeconds: 60,
  });
}

const SCOPE_HINT =
  'In the Auth0 dashboard open Applications > APIs > Auth0 Management API > Machine to Machine Applications, grant the scope to this application, then resume the export.';

/** Turns an SDK or network failure into an error that names the endpoint, the status and what to do. */
export function describeApiError(err: unknown, endpoint: string, domain: string): unknown {
  if (err instanceof AppError || isAbort(err)) return err;
  const e = err as { statusCode?: unknown; body?: unknown; name?: string };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : null;
  if (status === null) {
    const cause = (err as { cause?: unknown })?.cause;
    return networkError(cause ?? err, domain);
  }
  const body = (e.body ?? {}) as { errorCode?: unknown; error?: unknown; message?: unknown };
  const code =
    typeof body.errorCode === 'string' ? body.errorCode : typeof body.error === 'string' ? body.error : '';
  const at = `${endpoint} answered HTTP ${status}${code ? ` (${code.slice(0, 60)})` : ''}`;
  if (status === 401) {
    return new AppError(
      'credentials_invalid',
      `${at}.`,
      'Check the client ID and secret in the Connect step.',
    );
  }
  if (status === 403) {
    const msg = typeof body.message === 'string' ? body.message : '';
    const scope = /expected any of: ([\w:, ]+)/.exec(msg)?.[1]?.trim();
    return new AppError('scope_missing', `${at}${scope ? `: the token lacks ${scope}` : ''}.`, SCOPE_HINT);
  }
  if (status === 429) {
    return new AppError(
      'remote_error',
      `${at} repeatedly, even after waiting for the rate-limit reset.`,
      'Another client may be using the same rate limit. Resume the export later: it continues where it stopped.',
    );
  }
  if (status >= 500) {
    return new AppError(
      'remote_error',
      `${at} after several attempts.`,
      'Auth0 may be degraded (check status.auth0.com). Resume the export later: it continues where it stopped.',
    );
  }
  return new AppError(
    'remote_error',
    `${at}.`,
    'Report this with the endpoint and status; resume once resolved.',
  );
}

/**
 * Runs one SDK call and rethrows its failure described with the endpoint. The call gets a signal of its own that
 * follows the job's: the auth0 SDK adds an abort listener to the signal a call is given and never removes it. On the
 * job's own signal those piled up, one per request, and Node walks the whole list on every add: at a million users
 * (some 135,000 requests) the export spent most of its 28 minutes there. AbortSignal.any would leak instead: Node
 * keeps a composite signal alive while it has a listener, and the SDK's is never removed (pacedFetch's composite is
 * fine: fetch drops its listener with the request). The forwarding listener here goes when the call ends.
 */
export async function call<T>(
  endpoint: string,
  job: { domain: string; signal: AbortSignal },
  fn: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const own = new AbortController();
  const forward = (): void => own.abort(job.signal.reason);
  if (job.signal.aborted) forward();
  else job.signal.addEventListener('abort', forward, { once: true });
  try {
    return await fn(own.signal);
  } catch (err) {
    throw describeApiError(err, endpoint, job.domain);
  } finally {
    job.signal.removeEventListener('abort', forward);
  }
}
