import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSignal } from '../../../src/main/auth0/export/env';
import { createExportClient } from '../../../src/main/auth0/export/http';
import { Pacer } from '../../../src/main/auth0/pacer';
import { generateTenant } from '../../../src/main/sandbox/generator';
import type { Auth0Sandbox } from '../../../src/main/sandbox/auth0/server';
import { credsOf, startSandbox } from './helpers';

// The auth0 SDK adds an abort listener to the signal each call is given and never removes it. Handed the job's own
// signal, a million-user export piled up one per request, and every add walked the whole list: the export's time
// grew with the square of its requests. These calls go through the real SDK and the export's fetch to the sandbox.

let sb: Auth0Sandbox;

beforeAll(async () => {
  sb = await startSandbox(generateTenant({ users: 20, orgs: 2, seed: 'request-signal' }));
});
afterAll(async () => {
  await sb?.close();
});

describe('signals of SDK calls', () => {
  it('leave no listener on the job signal, however many calls are made', async () => {
    const job = new AbortController();
    const client = createExportClient(credsOf(sb), {
      pacer: new Pacer({ initialIntervalMs: 0 }),
      signal: job.signal,
    });
    for (let i = 0; i < 40; i++) {
      const page = await client.roles.list(
        { page: 0, per_page: 5, include_totals: true },
        { abortSignal: requestSignal({ signal: job.signal }) },
      );
      expect((page.response as unknown as { roles: unknown[] }).roles.length).toBeGreaterThan(0);
    }
    expect(getEventListeners(job.signal, 'abort').length).toBeLessThan(3);
  });

  it('still follow the job signal: a stopped job stops its calls with its own reason', async () => {
    const job = new AbortController();
    const client = createExportClient(credsOf(sb), {
      pacer: new Pacer({ initialIntervalMs: 0 }),
      signal: job.signal,
    });
    const signal = requestSignal({ signal: job.signal });
    const stopped = new Error('stopped by the user');
    job.abort(stopped);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(stopped);
    await expect(client.roles.list({ page: 0, per_page: 5 }, { abortSignal: signal })).rejects.toThrow();
  });
});
