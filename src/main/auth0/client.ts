import { setTimeout as sleep } from 'node:timers/promises';
import { ManagementClient } from 'auth0';
import { decodeJwt } from 'jose';
import { AppError } from '../../shared/errors';
import { assertLoopbackUrl } from '../net/loopback';
import { readRateHeaders } from './pacer';

export { missingScopes, requiredScopes, type RequiredScope } from './scopes';

// The Auth0 Management API client. A base-URL override exists for the local sandbox only: it is accepted for
// loopback addresses and applied through the SDK's `fetch` option, so the SDK still believes it talks to
// https://{domain}/.

export interface Auth0Credentials {
  domain: string;
  clientId: string;
  clientSecret: string;
  /** Loopback only, e.g. http://127.0.0.1:4010 (the sandbox). */
  baseUrl?: string;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;

/** Validates a loopback base URL and returns it without a trailing slash. */
export function checkLoopbackBaseUrl(baseUrl: string): string {
  const url = assertLoopbackUrl(baseUrl, 'Auth0 base URL');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function normalizeDomain(domain: string): string {
  const d = domain
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '');
  if (!DOMAIN_RE.test(d))
    throw new AppError(
      'invalid_input',
      'The Auth0 domain is not a valid host name.',
      'Use the tenant domain, e.g. your-tenant.eu.auth0.com.',
    );
  return d;
}

/** A fetch that sends https://{domain}/... to the loopback base URL; plain fetch without an override. */
export function makeAuth0Fetch(domain: string, baseUrl?: string): typeof fetch {
  if (!baseUrl) return fetch;
  const base = checkLoopbackBaseUrl(baseUrl);
  const prefix = `https://${normalizeDomain(domain)}/`;
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(prefix)) {
      const target = `${base}/${url.slice(prefix.length)}`;
      return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
    }
    return fetch(input, init);
  };
}

export function createAuth0Client(creds: Auth0Credentials): ManagementClient {
  const domain = normalizeDomain(creds.domain);
  return new ManagementClient({
    domain,
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
    fetch: makeAuth0Fetch(domain, creds.baseUrl),
  });
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|ERR_OSSL|HOSTNAME_MISMATCH)/;

/** Turns a fetch failure into an AppError that names the cause without echoing any request data. */
export function networkError(err: unknown, domain: string): AppError {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  const code = e?.cause?.code ?? e?.code ?? '';
  const name = e?.name ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new AppError(
      'network',
      `The Auth0 domain ${domain} could not be resolved (DNS lookup failed).`,
      'Check the domain spelling, e.g. your-tenant.eu.auth0.com, and your network.',
    );
  }
  if (TLS_CODES.test(code)) {
    return new AppError(
      'network',
      `The TLS connection to ${domain} failed (${code}).`,
      'A proxy or firewall may intercept TLS, or the certificate is not trusted.',
    );
  }
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return new AppError(
      'network',
      `The connection to ${domain} timed out.`,
      'Check the domain and that your network can reach it.',
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'UND_ERR_SOCKET'
  ) {
    return new AppError(
      'network',
      `The host for ${domain} is unreachable (${code}).`,
      'Check the domain, the base URL and your network.',
    );
  }
  return new AppError('network', `The request to ${domain} failed${code ? ` (${code})` : ''}.`);
}

export interface TokenCheckOptions {
  /** Per attempt (default 15 s). */
  timeoutMs?: number;
  /** Attempts, including the first, when the token endpoint answers 5xx or drops the connection (default 3). */
  attempts?: number;
  /** All the waits before retries together (default 10 s): a rate-limit reset further away ends the attempts at once. */
  maxWaitMs?: number;
  /** Ends the attempts (and any wait) with the signal's reason. */
  signal?: AbortSignal;
}

/** A connection dropped after it was made: worth another attempt (refused, DNS, TLS and timeouts are not). */
const DROPPED = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

function backoffMs(attempt: number): number {
  const base = 500 * 2 ** (attempt - 1);
  return base / 2 + Math.random() * (base / 2);
}

/** How long to wait before the next attempt: Retry-After, else x-ratelimit-reset, else a jittered backoff. */
function retryDelayMs(res: Response, attempt: number): number {
  const now = Date.now();
  const h = readRateHeaders(res.headers, now);
  if (h.retryAfterMs !== null) return h.retryAfterMs;
  if (res.status === 429 && h.resetAt !== null) return Math.max(0, h.resetAt - now);
  return backoffMs(attempt);
}

/** A 429 whose reset has already passed is still not asked again at once. */
const MIN_RETRY_DELAY_MS = 50;

async function waitOrStop(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    throw signal?.reason ?? err;
  }
}

/**
 * Fetches a client-credentials token and returns the granted scopes from its `scope` claim. A 429 (the token
 * endpoint's limit is shared with every client of the tenant) is waited out for up to maxWaitMs in all, a 5xx or a
 * dropped connection is retried a few times, honouring Retry-After / x-ratelimit-reset; hard failures (401, DNS,
 * refused, TLS, timeout) answer at once.
 * Errors: network (DNS, unreachable, timeout, TLS), credentials_invalid (access_denied), remote_error.
 */
export async function fetchGrantedScopes(
  creds: Auth0Credentials,
  opts: TokenCheckOptions = {},
): Promise<string[]> {
  const domain = normalizeDomain(creds.domain);
  const doFetch = makeAuth0Fetch(domain, creds.baseUrl);
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: creds.clientId,
    client_secret: creds.clientSecret,
    audience: `https://${domain}/api/v2/`,
  });
  const attempts = Math.max(1, opts.attempts ?? 3);
  const maxWaitMs = opts.maxWaitMs ?? 10_000;
  let res: Response;
  // A 429 means other clients hold the tenant's token limit for now: it is waited out, up to maxWaitMs in all, rather
  // than given up on after a few quick attempts inside the same busy second. Server errors get `attempts` tries.
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 15_000);
    try {
      res = await doFetch(`https://${domain}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
        signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const code = (err as { cause?: { code?: string } })?.cause?.code ?? '';
      if (!DROPPED.has(code) || attempt >= attempts) throw networkError(err, domain);
      await waitOrStop(backoffMs(attempt), opts.signal);
      continue;
    }
    if (!(res.status === 429 || res.status >= 500)) break;
    if (res.status >= 500 && attempt >= attempts) break;
    const delay = Math.max(MIN_RETRY_DELAY_MS, retryDelayMs(res, attempt));
    if (waited + delay > maxWaitMs) break;
    waited += delay;
    await res.body?.cancel().catch(() => undefined);
    await waitOrStop(delay, opts.signal);
  }
  let json: Record<string, unknown> = {};
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    // a non-JSON answer is reported by status below
  }
  if (!res.ok) {
    const oauthError = typeof json.error === 'string' ? json.error : '';
    if ((res.status === 401 || res.status === 403) && oauthError === 'access_denied') {
      const desc = typeof json.error_description === 'string' ? json.error_description : '';
      if (desc.startsWith('Service not enabled')) {
        throw new AppError(
          'credentials_invalid',
          'Auth0 refused the Management API audience for this domain (access_denied).',
          'Use the tenant domain (not a custom domain) and authorize the application for the Management API.',
        );
      }
      throw new AppError(
        'credentials_invalid',
        `Auth0 rejected the client ID or client secret (HTTP ${res.status} access_denied).`,
        'Copy both again from the machine-to-machine application settings.',
      );
    }
    if (oauthError === 'unauthorized_client') {
      throw new AppError(
        'credentials_invalid',
        'The application may not use the client-credentials grant (unauthorized_client).',
        'Enable the Client Credentials grant for this application.',
      );
    }
    throw new AppError(
      'remote_error',
      `Auth0 answered the token request with HTTP ${res.status}${oauthError ? ` (${oauthError})` : ''}.`,
      res.status === 429
        ? "Another client is using this tenant's token rate limit. Try again in a minute."
        : res.status >= 500
          ? 'Auth0 may be degraded (check status.auth0.com). Try again later.'
          : undefined,
    );
  }
  if (typeof json.access_token !== 'string')
    throw new AppError('remote_error', 'Auth0 answered the token request without an access token.');
  let scope: unknown;
  try {
    scope = decodeJwt(json.access_token).scope;
  } catch {
    throw new AppError('remote_error', 'Auth0 returned an access token that is not a JWT.');
  }
  const text = typeof scope === 'string' ? scope : typeof json.scope === 'string' ? json.scope : '';
  return text.split(' ').filter(Boolean);
}
