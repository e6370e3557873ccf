import {
  GenericServerException,
  RateLimitExceededException,
  UnauthorizedException,
  WorkOS,
} from '@workos-inc/node';
import { AppError } from '../../shared/errors';
import { assertLoopbackUrl } from '../net/loopback';

// The WorkOS API client. WorkOS's own host unless a base URL is given, which is accepted for loopback
// addresses only (the local sandbox in rehearsal mode and tests) and passed to the SDK as
// apiHostname/port/https. The API key never appears in an error, a log line or a report.

export const WORKOS_API_HOST = 'api.workos.com';

export interface WorkosConnection {
  apiKey: string;
  /** Loopback only, e.g. http://127.0.0.1:4020 (the sandbox). */
  baseUrl?: string;
}

export interface WorkosClientOptions {
  /** The SDK's retries of 408/429/5xx and network errors; default the SDK's 3. */
  maxRetries?: number;
  /** Per-request timeout in milliseconds; default the SDK's 60 s. */
  timeoutMs?: number;
}

/** Where requests go, for messages: `api.workos.com` or `127.0.0.1:4020`. */
export function workosHost(conn: Pick<WorkosConnection, 'baseUrl'>): string {
  return conn.baseUrl ? assertLoopbackUrl(conn.baseUrl, 'WorkOS base URL').host : WORKOS_API_HOST;
}

export function createWorkosClient(conn: WorkosConnection, opts: WorkosClientOptions = {}): WorkOS {
  if (!conn.apiKey || !conn.apiKey.trim())
    throw new AppError(
      'credentials_missing',
      'No WorkOS API key was given.',
      'Enter the secret key (sk_...) of the WorkOS environment.',
    );
  const target = conn.baseUrl ? assertLoopbackUrl(conn.baseUrl, 'WorkOS base URL') : null;
  if (target && target.pathname.replace(/\/+$/, '') !== '')
    throw new AppError(
      'invalid_input',
      'WorkOS base URL: give the scheme, host and port only, without a path.',
    );
  return new WorkOS({
    apiKey: conn.apiKey.trim(),
    ...(target
      ? {
          apiHostname: target.hostname,
          https: target.protocol === 'https:',
          ...(target.port ? { port: Number(target.port) } : {}),
        }
      : {}),
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
  });
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|ERR_OSSL|HOSTNAME_MISMATCH)/;
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'EPIPE',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/** The system error code deepest in a cause chain (the SDK wraps fetch's TypeError, which wraps the socket error). */
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

/**
 * Turns anything the SDK throws into an AppError naming the cause and the WorkOS request id when there is
 * one. Never includes the SDK's message text: it can carry request data.
 */
export function workosError(err: unknown, host: string): AppError {
  if (err instanceof AppError) return err;
  const requestId = (err as { requestID?: unknown })?.requestID;
  const rid = typeof requestId === 'string' && requestId ? ` (request id ${requestId})` : '';
  if (err instanceof UnauthorizedException)
    return new AppError(
      'credentials_invalid',
      `WorkOS at ${host} refused the API key (401 Unauthorized)${rid}.`,
      'Check that it is the secret key (sk_...) of the intended environment and that it has not been revoked.',
    );
  if (err instanceof RateLimitExceededException)
    return new AppError(
      'remote_error',
      `WorkOS at ${host} is rate limiting this key (429)${rid}.`,
      err.retryAfter ? `Try again in ${err.retryAfter} s.` : 'Try again in a minute.',
    );
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number') {
    if (status === 408)
      return new AppError(
        'network',
        `The request to WorkOS at ${host} timed out.`,
        'Check your network and try again.',
      );
    if (status === 403)
      return new AppError(
        'credentials_invalid',
        `WorkOS at ${host} answered 403 Forbidden${rid}.`,
        'The key may lack a permission this step needs.',
      );
    const code = err instanceof GenericServerException && err.code ? ` ${err.code}` : '';
    return new AppError('remote_error', `WorkOS at ${host} answered ${status}${code}${rid}.`);
  }
  const code = causeCode(err);
  if (TLS_CODES.test(code))
    return new AppError(
      'network',
      `The TLS connection to ${host} failed (${code}).`,
      'A proxy or firewall may intercept TLS, or the certificate is not trusted.',
    );
  if (DNS_CODES.has(code))
    return new AppError(
      'network',
      `${host} could not be resolved (DNS lookup failed).`,
      'Check your network and DNS settings.',
    );
  if (TIMEOUT_CODES.has(code))
    return new AppError(
      'network',
      `The connection to ${host} timed out.`,
      'Check your network and that it can reach WorkOS.',
    );
  if (UNREACHABLE_CODES.has(code))
    return new AppError(
      'network',
      `WorkOS at ${host} is unreachable (${code}).`,
      'Check the base URL (rehearsal mode: is the sandbox running?) and your network.',
    );
  return new AppError('network', `The request to WorkOS at ${host} failed${code ? ` (${code})` : ''}.`);
}

export interface WorkosAccessReport {
  /** `api.workos.com`, or host:port of a loopback override. */
  host: string;
  /** From the key's prefix: sk_live_ is production, sk_test_ is a staging/test environment. */
  environment: 'production' | 'staging' | 'unknown';
  /** True when talking to a loopback base URL (the sandbox) rather than WorkOS. */
  rehearsal: boolean;
  /** First page (up to 10) of organizations, and whether there are more. */
  organizations: { firstPage: number; more: boolean };
  /** First page (up to 10) of users, and whether there are more. */
  users: { firstPage: number; more: boolean };
  /** Environment role slugs, or null when the key may not read them. */
  environmentRoles: string[] | null;
}

function environmentOf(apiKey: string): WorkosAccessReport['environment'] {
  if (apiKey.startsWith('sk_live_')) return 'production';
  if (apiKey.startsWith('sk_test_')) return 'staging';
  return 'unknown';
}

/**
 * Proves the key works with authenticated reads and returns what can be shown about the environment
 * without secrets. Errors: credentials_missing, credentials_invalid (401/403), network (unreachable, DNS,
 * timeout, TLS), remote_error, not_loopback / invalid_input for a bad base URL.
 */
export async function checkWorkosAccess(
  conn: WorkosConnection,
  opts: WorkosClientOptions = {},
): Promise<WorkosAccessReport> {
  const host = workosHost(conn);
  // One attempt by default: the Connect step should answer in seconds, not after the SDK's back-off.
  const workos = createWorkosClient(conn, { maxRetries: 0, timeoutMs: 15_000, ...opts });
  try {
    const orgs = await workos.organizations.listOrganizations({ limit: 10 });
    const users = await workos.userManagement.listUsers({ limit: 10 });
    let environmentRoles: string[] | null = null;
    try {
      environmentRoles = (await workos.authorization.listEnvironmentRoles()).data.map((r) => r.slug);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (status !== 403 && status !== 404) throw err;
    }
    return {
      host,
      environment: environmentOf(conn.apiKey.trim()),
      rehearsal: Boolean(conn.baseUrl),
      organizations: { firstPage: orgs.data.length, more: Boolean(orgs.listMetadata.after) },
      users: { firstPage: users.data.length, more: Boolean(users.listMetadata.after) },
      environmentRoles,
    };
  } catch (err) {
    throw workosError(err, host);
  }
}
