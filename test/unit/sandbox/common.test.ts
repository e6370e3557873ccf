import { afterEach, describe, expect, it } from 'vitest';
import {
  Prng,
  RateLimiter,
  Router,
  sendJson,
  startHttpServer,
  type SandboxServer,
} from '../../../src/main/sandbox/common';

let server: SandboxServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('sandbox common', () => {
  it('routes with params, rate-limits per group with Auth0 headers, and injects faults', async () => {
    const router = new Router().get(
      '/things/:id',
      (req, res) => sendJson(res, 200, { id: req.params.id }),
      'things',
    );
    server = await startHttpServer({ router, rateLimits: { things: { limit: 2, windowMs: 60_000 } } });
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const a = await fetch(`${server.baseUrl}/things/a%7Cb`);
    expect(await a.json()).toEqual({ id: 'a|b' });
    expect(a.headers.get('x-ratelimit-limit')).toBe('2');
    expect(a.headers.get('x-ratelimit-remaining')).toBe('1');
    await fetch(`${server.baseUrl}/things/x`);
    const limited = await fetch(`${server.baseUrl}/things/x`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect((await limited.json()).error).toBe('Too Many Requests');
    expect((await fetch(`${server.baseUrl}/nope`)).status).toBe(404);

    server.setRateLimits({});
    server.setFaults({ errorRate: 1 });
    expect([500, 503]).toContain((await fetch(`${server.baseUrl}/things/x`)).status);
    server.setFaults({ dropRate: 1 });
    await expect(fetch(`${server.baseUrl}/things/x`)).rejects.toThrow();
    server.setFaults({ latencyMs: 150 });
    const t0 = Date.now();
    expect((await fetch(`${server.baseUrl}/things/x`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(server.stats().faults.drops).toBe(1);
  });

  it('PRNG is deterministic per seed', () => {
    const a = new Prng('s');
    const b = new Prng('s');
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(new Prng('t').nextUint32()).not.toBe(xs[0]);
  });

  it('rate limiter windows reset', () => {
    let now = 0;
    const rl = new RateLimiter({ default: { limit: 1, windowMs: 1000 } }, () => now);
    expect(rl.take('x')?.limited).toBe(false);
    expect(rl.take('x')?.limited).toBe(true);
    now = 1000;
    expect(rl.take('x')?.limited).toBe(false);
  });
});
