import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createExportClient } from '../../../src/main/auth0/export/http';
import { Pacer } from '../../../src/main/auth0/pacer';
import { generateTenant } from '../../../src/main/sandbox/generator';
import type { Auth0Sandbox } from '../../../src/main/sandbox/auth0/server';
import { credsOf, startSandbox } from './helpers';

// The auth0 SDK adds an abort listener to the signal each call is given and never removes it. Handed the job's own
// signal, a million-user export piled up one per request, and every add walked the whole list: the export's time
// grew with the square of its requests. These calls go through the real SDK and the export's fetch to the sandbox.

let sb: Auth0Sandbox;

beforeAll(async () => {
  sb = await startSandbox(generateTenant({ users: 20, orgs: 2, seed: 'request-signal' }), {
    faults: { latencyMs: 150 },
  });
});
afterAll(async () => {
  await sb?.close();
});

function exportClient() {
  const job = new AbortController();
  const env = { domain: sb.domain, signal: job.signal };
  const client = createExportClient(credsOf(sb), {
    pacer: new Pacer({ initialIntervalMs: 0 }),
    signal: job.signal,
  });
  return { job, env, client };
}

describe('signals of SDK calls', () => {
  it('leave no listener on the job signal, however many calls are made', async () => {
    const { env, client } = exportClient();
    for (let i = 0; i < 12; i++) {
      const body = await call('GET /api/v2/roles', env, (abortSignal) =>
        client.roles.list({ page: 0, per_page: 5, include_totals: true }, { abortSignal }),
      );
      expect((body.response as unknown as { roles: unknown[] }).roles.length).toBeGreaterThan(0);
    }
    expect(getEventListeners(env.signal, 'abort')).toHaveLength(0);
  });

  it('follow the job signal: stopping the job ends a call in flight, and its listener goes too', async () => {
    const { job, env, client } = exportClient();
    const started = Date.now();
    const pending = call('GET /api/v2/roles', env, (abortSignal) =>
      client.roles.list({ page: 0, per_page: 5 }, { abortSignal }),
    );
    setTimeout(() => job.abort(new Error('stopped by the user')), 30);
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(140); // the sandbox answers after 150 ms
    expect(getEventListeners(env.signal, 'abort')).toHaveLength(0);
  });

  it('refuse to start once the job is stopped', async () => {
    const { job, env, client } = exportClient();
    job.abort(new Error('stopped by the user'));
    let sent = false;
    await expect(
      call('GET /api/v2/roles', env, (abortSignal) => {
        sent = !abortSignal.aborted;
        return client.roles.list({ page: 0, per_page: 5 }, { abortSignal });
      }),
    ).rejects.toThrow();
    expect(sent).toBe(false);
  });
});
