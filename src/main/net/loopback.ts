import { isIP } from 'node:net';
import { AppError } from '../../shared/errors';

// Base-URL overrides exist for rehearsal mode and tests only. Anything that is not this machine is refused, so a
// tampered setting cannot send credentials or hashes to another host.
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

export function assertLoopbackUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_input', `${what}: not a valid URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('not_loopback', `${what}: only http(s) URLs are accepted.`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new AppError(
      'not_loopback',
      // The host is not echoed: a mistyped value may be a pasted secret.
      `${what}: base-URL overrides are accepted only for this machine (127.0.0.1, ::1, localhost).`,
      'Leave the override empty to use the real service, or start rehearsal mode for the local sandboxes.',
    );
  }
  if (url.username || url.password)
    throw new AppError('not_loopback', `${what}: credentials in the URL are not accepted.`);
  return url;
}
