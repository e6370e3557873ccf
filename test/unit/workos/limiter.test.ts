import { RateLimitExceededException } from '@workos-inc/node';
import { describe, expect, it } from 'vitest';
import { describeFailure, groupOf } from '../../../src/main/workos/api';
import { WorkosLimiter } from '../../../src/main/workos/limiter';
import { pickSingleRole } from '../../../src/main/workos/plan';

const rules = (limit: number, windowMs: number, concurrency = 50) => ({
  umWrites: { limit, windowMs },
  umReads: null,
  orgDeletes: null,
  overall: null,
  concurrency,
});

describe('WorkosLimiter', () => {
  it('never lets more than `limit` requests start within any window', async () => {
    const limiter = new WorkosLimiter(rules(5, 200));
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run('um_write', async () => {
          started.push(Date.now());
        }),
      ),
    );
    started.sort((a, b) => a - b);
    for (let i = 0; i + 5 < started.length; i++)
      expect(started[i + 5]! - started[i]!).toBeGreaterThanOrEqual(200);
    // ...and keeps the pace: 20 requests at 5 per 200 ms take three windows, not much more.
    expect(started.at(-1)! - started[0]!).toBeLessThan(900);
  });

  it('bounds requests in flight', async () => {
    const limiter = new WorkosLimiter(rules(1000, 1000, 3));
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limiter.run('um_write', async () => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 10));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('pauses a bucket for Retry-After on a 429, lowers its limit, and recovers as answers succeed', async () => {
    const limiter = new WorkosLimiter(rules(100, 1000));
    limiter.rateLimited('um_write', 1);
    expect(limiter.stats().factors.um_write).toBeCloseTo(0.9);
    const t0 = Date.now();
    await limiter.run('um_write', async () => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    // Other buckets are not held back.
    const t1 = Date.now();
    await limiter.run('um_read', async () => undefined);
    expect(Date.now() - t1).toBeLessThan(100);
    for (let i = 0; i < 100; i++) limiter.succeeded('um_write');
    expect(limiter.stats().factors.um_write).toBe(1);
    expect(limiter.stats().rateLimited).toBe(1);
  });

  it('stops waiting when its signal aborts', async () => {
    const limiter = new WorkosLimiter(rules(1, 60_000));
    await limiter.run('um_write', async () => undefined);
    const controller = new AbortController();
    const waiting = limiter.run('um_write', async () => 'ran', controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('failures and groups', () => {
  it('reduces SDK errors to status, codes and request id, in our own words', () => {
    const limited = describeFailure(new RateLimitExceededException('slow down', 'req_1', 7));
    expect(limited).toMatchObject({
      status: 429,
      retryAfter: 7,
      requestId: 'req_1',
      transient: true,
      maybeApplied: false,
    });
    const bad = describeFailure({
      status: 400,
      requestID: 'req_2',
      code: 'user_creation_error',
      errors: [{ code: 'email_not_available' }],
      message: 'ann@example.com is taken',
    });
    expect(bad).toMatchObject({
      status: 400,
      code: 'user_creation_error',
      subCodes: ['email_not_available'],
      transient: false,
    });
    expect(bad.message).not.toContain('@');
    const dropped = describeFailure(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
    );
    expect(dropped).toMatchObject({ status: null, code: 'ECONNRESET', transient: true, maybeApplied: true });
    expect(describeFailure({ status: 503 })).toMatchObject({ transient: true, maybeApplied: true });
  });

  it('puts each call in the bucket WorkOS limits it by', () => {
    expect(groupOf('POST', '/user_management/users')).toBe('um_write');
    expect(groupOf('GET', '/user_management/users')).toBe('um_read');
    expect(groupOf('DELETE', '/organizations/org_1')).toBe('org_delete');
    expect(groupOf('POST', '/organizations')).toBe('other');
  });

  it('keeps one role where a membership may hold only one: admin, else a non-default role', () => {
    expect(pickSingleRole(['admin', 'billing', 'member'])).toBe('admin');
    expect(pickSingleRole(['billing', 'member'])).toBe('billing');
    expect(pickSingleRole(['member'])).toBe('member');
  });
});
