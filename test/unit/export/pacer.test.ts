import { describe, expect, it } from 'vitest';
import { orderEntities } from '../../../src/main/auth0/export/entities';
import { splitConnectionOptions } from '../../../src/main/auth0/export/secrets';
import { Pacer, readRateHeaders } from '../../../src/main/auth0/pacer';

function fakeClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
    advance: (ms: number) => (now += ms),
  };
}

const headers = (h: Record<string, string>) => new Headers(h);

describe('Pacer', () => {
  it('starts at 2 requests per second until headers say more', async () => {
    const c = fakeClock();
    const p = new Pacer({ now: c.now, sleep: c.sleep });
    for (let i = 0; i < 5; i++) await p.acquire();
    expect(c.slept).toEqual([500, 500, 500, 500]);
    expect(p.headersSeen).toBe(false);
  });

  it('spreads the remaining requests of a window over the time left in it', async () => {
    const c = fakeClock();
    const p = new Pacer({ now: c.now, sleep: c.sleep });
    await p.acquire();
    // 50 left, window resets in 1 s (Auth0 sends epoch seconds).
    p.observe(
      200,
      headers({
        'x-ratelimit-limit': '50',
        'x-ratelimit-remaining': '50',
        'x-ratelimit-reset': String((c.now() + 1000) / 1000),
      }),
    );
    expect(p.headersSeen).toBe(true);
    expect(p.currentIntervalMs).toBe(20);
  });

  it('waits for the reset when the window is spent and after a 429', async () => {
    const c = fakeClock();
    const p = new Pacer({ now: c.now, sleep: c.sleep, initialIntervalMs: 0 });
    await p.acquire();
    p.observe(
      200,
      headers({
        'x-ratelimit-limit': '10',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String((c.now() + 3000) / 1000),
      }),
    );
    await p.acquire();
    expect(c.slept.at(-1)).toBe(3000);
    p.observe(429, headers({ 'retry-after': '2' }));
    await p.acquire();
    expect(c.slept.at(-1)).toBe(2000);
    expect(p.throttled).toBe(1);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(readRateHeaders(headers({ 'retry-after': '3' }), 0).retryAfterMs).toBe(3000);
    const at = new Date(10_000).toUTCString();
    expect(readRateHeaders(headers({ 'retry-after': at }), 4_000).retryAfterMs).toBe(6_000);
    expect(readRateHeaders(headers({ 'x-ratelimit-reset': 'soon' }), 0).resetAt).toBeNull();
  });
});

describe('connection secrets split', () => {
  it('keeps client secrets, private keys and passwords out of the clear options', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----';
    const split = splitConnectionOptions({
      client_id: 'abc',
      client_secret: 's3cr3t',
      signingCert: 'MIIC-public-cert',
      decryptionKey: { key: pem, cert: 'x' },
      signing_key: { key: pem },
      tokenEndpoint: 'https://idp.example/token',
      custom: { nested: pem },
      discovery_url: 'https://idp.example/.well-known/openid-configuration',
    });
    expect(Object.keys(split.clear).sort()).toEqual([
      'client_id',
      'discovery_url',
      'signingCert',
      'tokenEndpoint',
    ]);
    expect(split.secretFields).toEqual(['client_secret', 'custom', 'decryptionKey', 'signing_key']);
    expect(JSON.stringify(split.clear)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(split.clear)).not.toContain('s3cr3t');
  });
});

describe('entity order', () => {
  it('processes organizations before memberships and users before MFA whatever the order asked', () => {
    expect(orderEntities(['mfa', 'users', 'memberships', 'organizations'])).toEqual([
      'organizations',
      'memberships',
      'users',
      'mfa',
    ]);
    expect(orderEntities()).toHaveLength(7);
  });
});
