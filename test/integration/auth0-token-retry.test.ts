import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { fetchGrantedScopes } from '../../src/main/auth0/client';
import {
  AUTH0_SANDBOX_SCOPES,
  startAuth0Sandbox,
  type Auth0Sandbox,
} from '../../src/main/sandbox/auth0/server';
import { generateTenant } from '../../src/main/sandbox/generator';

// The token request of the Connect step and the export against the Auth0 sandbox with a limit on the token group:
// 429 and 5xx are retried (at most three attempts, after the reset the headers name), hard failures answer at once,
// and a stop ends a wait.

let sb: Auth0Sandbox;
const creds = (over: { clientSecret?: string } = {}) => ({
  domain: sb.domain,
  clientId: sb.clientId,
  clientSecret: sb.clientSecret,
  baseUrl: sb.baseUrl,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  sb = await startAuth0Sandbox({ tenant: generateTenant({ users: 5, orgs: 1, seed: 'token-retry' }) });
});
afterAll(() => sb?.close());
afterEach(() => {
  sb.setRateLimits({});
  sb.setFaults({});
});

describe('fetchGrantedScopes retries', () => {
  it('waits for the token limit to reset and succeeds', async () => {
    sb.setRateLimits({ token: { limit: 1, windowMs: 1000 } });
    await fetchGrantedScopes(creds());
    const before = sb.stats();
    const started = performance.now();
    const granted = await fetchGrantedScopes(creds());
    expect(granted.sort()).toEqual([...AUTH0_SANDBOX_SCOPES].sort());
    const after = sb.stats();
    expect(after.rateLimited - before.rateLimited).toBeGreaterThanOrEqual(1);
    expect(after.requests - before.requests).toBeGreaterThanOrEqual(2);
    expect(after.requests - before.requests).toBeLessThanOrEqual(3);
    // It waited for the reset the headers named rather than hammering the endpoint.
    expect(performance.now() - started).toBeGreaterThan(100);
  });

  it('gives up at once when the reset is further away than it may wait, with a hint', async () => {
    sb.setRateLimits({ token: { limit: 1, windowMs: 60_000 } });
    await fetchGrantedScopes(creds());
    const before = sb.stats().requests;
    const started = performance.now();
    const err = await failure(fetchGrantedScopes(creds()));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(sb.stats().requests - before).toBe(1);
    expect(err.code).toBe('remote_error');
    expect(err.message).toMatch(/HTTP 429/);
    expect(err.hint).toMatch(/rate limit/);
  });

  it('retries 5xx at most three times', async () => {
    sb.setFaults({ errorRate: 1 });
    const before = sb.stats().requests;
    const err = await failure(fetchGrantedScopes(creds()));
    expect(err.message).toMatch(/HTTP 50[03]/);
    expect(sb.stats().requests - before).toBe(3);
  });

  it('retries a dropped connection, then names it', async () => {
    sb.setFaults({ dropRate: 1 });
    const before = sb.stats().requests;
    const err = await failure(fetchGrantedScopes(creds()));
    expect(err.code).toBe('network');
    expect(sb.stats().requests - before).toBe(3);
  });

  it('does not retry a wrong secret', async () => {
    const before = sb.stats().requests;
    const started = performance.now();
    const err = await failure(fetchGrantedScopes(creds({ clientSecret: 'wrong-secret' })));
    expect(err.code).toBe('credentials_invalid');
    expect(sb.stats().requests - before).toBe(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('ends a wait for the reset when stopped, with the stop reason', async () => {
    sb.setRateLimits({ token: { limit: 1, windowMs: 5000 } });
    await fetchGrantedScopes(creds());
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    setTimeout(() => controller.abort(reason), 200);
    const started = performance.now();
    await expect(fetchGrantedScopes(creds(), { signal: controller.signal })).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
