import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startHarness } from '../../harness/server';
import { expect, test } from './fixtures';

// The harness is a door into the app's services: only the page that was given the per-run token gets in.
type Opened = { ok: true; ws: WebSocket } | { ok: false; status: number | undefined };

function connect(url: string, origin: string | undefined): Promise<Opened> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ ok: true, ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ ok: false, status: res.statusCode }));
    ws.once('error', () => resolve({ ok: false, status: undefined }));
  });
}

function call(ws: WebSocket, id: number, name: string, input: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (msg.id === id) resolve(msg.result);
    });
    ws.send(JSON.stringify({ id, name, input }));
  });
}

function rawStatus(origin: string, path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}/`, { path }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

test('the WebSocket refuses a missing or wrong token and a foreign origin', async ({ run }) => {
  const harness = await run.start();
  const ws = (token: string | null) =>
    `${harness.origin.replace('http', 'ws')}/__harness/ws${token === null ? '' : `?token=${token}`}`;
  const wrong = harness.token.replace(/^./, (c) => (c === '0' ? '1' : '0'));

  expect(await connect(ws(null), harness.origin)).toEqual({ ok: false, status: 401 });
  expect(await connect(ws(wrong), harness.origin)).toEqual({ ok: false, status: 401 });
  expect(await connect(ws(harness.token.slice(0, 10)), harness.origin)).toEqual({ ok: false, status: 401 });
  expect(await connect(ws(harness.token), 'http://evil.example')).toEqual({ ok: false, status: 401 });
  expect(await connect(ws(harness.token), undefined)).toEqual({ ok: false, status: 401 });

  const good = await connect(ws(harness.token), harness.origin);
  expect(good.ok).toBe(true);
  if (!good.ok) return;
  expect(await call(good.ws, 1, 'app.info', {})).toMatchObject({ ok: true, value: { host: 'harness' } });
  expect(await call(good.ws, 2, 'no.such.operation', {})).toMatchObject({
    ok: false,
    error: { code: 'invalid_input' },
  });
  expect(await call(good.ws, 3, 'workspace.open', { path: 42 })).toMatchObject({
    ok: false,
    error: { code: 'invalid_input' },
  });
  good.ws.close();
});

test('it serves the built renderer with the harness client first, the CSP as a header, and nothing outside', async ({
  run,
  request,
}) => {
  const harness = await run.start();
  const index = await request.get(`${harness.origin}/`);
  expect(index.status()).toBe(200);
  const csp = index.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  const html = await index.text();
  expect(html.indexOf('/__harness/api.js')).toBeGreaterThan(0);
  expect(html.indexOf('/__harness/api.js')).toBeLessThan(html.indexOf('type="module"'));
  expect(html).not.toContain(harness.token);
  expect((await request.get(`${harness.origin}/__harness/api.js`)).status()).toBe(200);
  // Raw paths (a URL parser would normalise the dots away before they reach the server).
  for (const path of [
    '/../../package.json',
    '/%2e%2e/%2e%2e/package.json',
    '/assets/..%2f..%2f..%2fpackage.json',
  ]) {
    expect(await rawStatus(harness.origin, path), path).toBe(404);
  }
  expect((await request.post(`${harness.origin}/`)).status()).toBe(405);
});

test('it refuses to start without a built renderer, saying how to build it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a2w-empty-'));
  try {
    await expect(
      startHarness({
        userDataDir: join(dir, 'ud'),
        keychainService: 'com.auth0-to-workos.test.unused',
        rendererDir: dir,
      }),
    ).rejects.toThrow('run `npm run build` first');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
