import { RateLimitExceededException } from '@workos-inc/node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NO_RATE_LIMITS,
  startWorkosSandbox,
  type WorkosSandbox,
  type WorkosSandboxOptions,
} from '../../src/main/sandbox/workos';
import { createWorkosClient } from '../../src/main/workos/client';

// Rate limits, faults and Idempotency-Key replay, seen through the SDK's own retry logic.

const open: WorkosSandbox[] = [];
async function sandboxWith(opts: WorkosSandboxOptions): Promise<WorkosSandbox> {
  const s = await startWorkosSandbox(opts);
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) {
    expect(s.stats().specViolations).toEqual([]);
    await s.close();
  }
});

const emails = (n: number, tag: string): string[] =>
  Array.from({ length: n }, (_, i) => `${tag}${i}@example.com`);

describe('rate limits', () => {
  it('answers 429 rate_limit_exceeded with Retry-After once /user_management writes pass the limit', async () => {
    // A long window: the first request also pays for loading the OpenAPI spec.
    const s = await sandboxWith({ rateLimits: { userManagementWrites: { limit: 3, windowMs: 30_000 } } });
    const noRetry = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl }, { maxRetries: 0 });
    for (const email of emails(3, 'a')) await noRetry.userManagement.createUser({ email });
    const err = await noRetry.userManagement.createUser({ email: 'over@example.com' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RateLimitExceededException);
    expect(err).toMatchObject({ status: 429 });
    expect((err as RateLimitExceededException).retryAfter).toBeGreaterThanOrEqual(1);
    expect((err as RateLimitExceededException).retryAfter).toBeLessThanOrEqual(30);
    expect((err as RateLimitExceededException).requestID).toMatch(/^[0-9a-f-]{36}$/);
    // Reads have their own bucket.
    expect((await noRetry.userManagement.listUsers()).data).toHaveLength(3);

    const raw = await fetch(`${s.baseUrl}/user_management/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'raw@example.com' }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(raw.headers.get('x-request-id')).toBeTruthy();
    expect(await raw.json()).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(s.stats().rateLimited).toBe(2);
    expect(s.state().users).toHaveLength(3);
  });

  it("lets the SDK's own retries, which honour Retry-After, get every write through exactly once", async () => {
    const s = await sandboxWith({ rateLimits: { userManagementWrites: { limit: 4, windowMs: 1000 } } });
    const workos = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl });
    const started = Date.now();
    const users = await Promise.all(
      emails(8, 'r').map((email) => workos.userManagement.createUser({ email })),
    );
    expect(new Set(users.map((u) => u.id)).size).toBe(8);
    expect(s.state().users).toHaveLength(8);
    expect(s.stats().rateLimited).toBeGreaterThanOrEqual(4);
    expect(s.stats().byStatus[429]).toBe(s.stats().rateLimited);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('limits every request of one key overall, organization deletes separately, and lifts limits on demand', async () => {
    const s = await sandboxWith({
      rateLimits: {
        overall: { limit: 5, windowMs: 60_000 },
        organizationDeletes: { limit: 1, windowMs: 60_000 },
      },
    });
    const workos = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl }, { maxRetries: 0 });
    const a = await workos.organizations.createOrganization({ name: 'A' });
    const b = await workos.organizations.createOrganization({ name: 'B' });
    await workos.organizations.deleteOrganization(a.id);
    const deleteLimited = await workos.organizations.deleteOrganization(b.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(deleteLimited).toBeInstanceOf(RateLimitExceededException);
    await workos.organizations.listOrganizations();
    await workos.organizations.listOrganizations();
    // Five requests counted against the overall limit (a request refused by its group's limit is not): the sixth is refused.
    const overall = await workos.organizations.listOrganizations().then(
      () => null,
      (e: unknown) => e,
    );
    expect(overall).toMatchObject({ status: 429 });
    expect(overall).toBeInstanceOf(RateLimitExceededException);

    s.setRateLimits(NO_RATE_LIMITS);
    for (let i = 0; i < 20; i++) await workos.organizations.listOrganizations();
    await workos.organizations.deleteOrganization(b.id);
    expect(s.state().organizations).toHaveLength(0);
  });
});

describe('faults', () => {
  it('survives injected 500/503 answers through SDK retries, creating each user once', async () => {
    const s = await sandboxWith({ faults: { errorRate: 0.25, seed: 'errors' }, rateLimits: NO_RATE_LIMITS });
    const workos = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl }, { maxRetries: 8 });
    await Promise.all(emails(12, 'f').map((email) => workos.userManagement.createUser({ email })));
    expect(s.state().users).toHaveLength(12);
    const stats = s.stats();
    expect(stats.faults.errors).toBeGreaterThan(0);
    expect((stats.byStatus[500] ?? 0) + (stats.byStatus[503] ?? 0)).toBe(stats.faults.errors);
  });

  it('survives dropped connections, and writes whose answer was lost after they were applied', async () => {
    const s = await sandboxWith({
      faults: { dropRate: 0.2, dropAfterCommitRate: 0.3, seed: 'drops' },
      rateLimits: NO_RATE_LIMITS,
    });
    const workos = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl }, { maxRetries: 8 });
    const users = await Promise.all(
      emails(12, 'd').map((email) => workos.userManagement.createUser({ email })),
    );
    // Retries carry the SDK's Idempotency-Key, so a write applied before its answer was lost is not repeated.
    expect(s.state().users).toHaveLength(12);
    expect(new Set(users.map((u) => u.id)).size).toBe(12);
    const stats = s.stats();
    expect(stats.faults.drops).toBeGreaterThan(0);
    expect(stats.faults.droppedAfterCommit).toBeGreaterThan(0);
    expect(stats.idempotentReplays).toBeGreaterThanOrEqual(stats.faults.droppedAfterCommit);
  });

  it('adds latency, and setFaults changes faults at runtime', async () => {
    const s = await sandboxWith({});
    const workos = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl }, { maxRetries: 0 });
    s.setFaults({ latencyMs: 250 });
    let t = Date.now();
    await workos.organizations.listOrganizations();
    expect(Date.now() - t).toBeGreaterThanOrEqual(240);
    s.setFaults({});
    t = Date.now();
    await workos.organizations.listOrganizations();
    expect(Date.now() - t).toBeLessThan(240);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first answer for the same key and body, and refuses the key with another body', async () => {
    const s = await sandboxWith({});
    const post = (body: unknown): Promise<Response> =>
      fetch(`${s.baseUrl}/organizations`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${s.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'import-op-1',
        },
        body: JSON.stringify(body),
      });
    const first = await post({ name: 'Once' });
    const second = await post({ name: 'Once' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    expect(s.state().organizations).toHaveLength(1);
    const other = await post({ name: 'Different' });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ code: 'idempotency_key_reused' });

    // The SDK passes an explicit key through: the importer can make retries after a restart idempotent.
    const workos = createWorkosClient({ apiKey: s.apiKey, baseUrl: s.baseUrl });
    const a = await workos.organizations.createOrganization(
      { name: 'Keyed' },
      { idempotencyKey: 'journal-42' },
    );
    const b = await workos.organizations.createOrganization(
      { name: 'Keyed' },
      { idempotencyKey: 'journal-42' },
    );
    expect(b.id).toBe(a.id);
    expect(s.state().organizations).toHaveLength(2);
  });
});
