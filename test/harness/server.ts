import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { createDispatcher } from '../../src/main/api/dispatch';
import { createHandlers } from '../../src/main/api/handlers';
import { createAppServices, type AppServices } from '../../src/main/services';
import { osKeychain } from '../../src/main/secrets/keychain';
import { createLocationGuard } from '../../src/main/workspace/location-guard';

// The UI test harness: serves the built renderer on 127.0.0.1 and binds the real contract handlers over a
// same-origin WebSocket, so Playwright drives the real UI against the real services (SQLite, OS keychain,
// location guard) in plain Chromium. Only a page that knows the per-run token (given in the URL fragment)
// can call an operation.

const ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_RENDERER_DIR = join(ROOT, 'out', 'renderer');
const WS_PATH = '/__harness/ws';
const API_PATH = '/__harness/api.js';
const MAX_MESSAGE_BYTES = 1 << 20;

export interface HarnessDialogs {
  /** What workspace.chooseFolder answers: a path, or null for "cancelled". */
  folder: string | null;
  /** What workspace.chooseFile answers (main answers null for a path that does not exist). */
  file: string | null;
  /** What a save dialog (report.save) answers: a path, or null for "cancelled". */
  saveFile: string | null;
}

export interface HarnessOptions {
  userDataDir: string;
  /** OS keychain service name; use a unique one per test run and clear it afterwards (clearKeychainService). */
  keychainService: string;
  port?: number;
  dialogs?: Partial<HarnessDialogs>;
  /** The home folder the location guard resolves sync-folder roots against (default: the real one). */
  homeDir?: string;
  /** Built renderer to serve (default: out/renderer from `npm run build`). */
  rendererDir?: string;
  /** Job worker entry (default: the TypeScript source, like the rest of main under the harness). */
  workerEntry?: string;
  /**
   * Rehearsal sandbox process entry (default: the TypeScript source, run through tsx like the worker, so the
   * harness serves current main code without a main-side rebuild; out/main/sandbox-host.js would need one).
   */
  sandboxEntry?: string;
}

export interface Harness {
  /** Open this in the browser: the origin plus the token in the fragment. */
  url: string;
  origin: string;
  token: string;
  /** Mutable: set what the next Browse… click answers. */
  dialogs: HarnessDialogs;
  /** URLs app.openExternal was asked to open (the harness never opens a browser, and answers opened: false). */
  externalRequests: string[];
  services: AppServices;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** The renderer's index.html with the harness client loaded before the app's own script. */
export function injectHarnessScript(html: string): string {
  const appScript = /<script\b[^>]*\btype="module"/.exec(html);
  if (!appScript)
    throw new Error('The built index.html has no module script to load the harness client before.');
  return `${html.slice(0, appScript.index)}<script src="${API_PATH}"></script>\n    ${html.slice(appScript.index)}`;
}

/** The page's own CSP (from its meta tag) plus what only a header can carry. */
export function cspHeader(html: string): string {
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  if (!meta?.[1]) throw new Error('The built index.html has no Content-Security-Policy meta tag.');
  return `${meta[1]}; frame-ancestors 'none'`;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Constant-time token check (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | null): boolean {
  return given !== null && timingSafeEqual(digest(expected), digest(given));
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const rendererDir = opts.rendererDir ?? DEFAULT_RENDERER_DIR;
  const indexFile = join(rendererDir, 'index.html');
  if (!existsSync(indexFile)) {
    throw new Error(`The built renderer is missing (${indexFile}): run \`npm run build\` first.`);
  }
  const sourceHtml = readFileSync(indexFile, 'utf8');
  const indexHtml = injectHarnessScript(sourceHtml);
  const csp = cspHeader(sourceHtml);
  const clientJs = readFileSync(join(__dirname, 'browser-api.js'), 'utf8');

  const token = randomBytes(32).toString('hex');
  const dialogs: HarnessDialogs = {
    folder: opts.dialogs?.folder ?? null,
    file: opts.dialogs?.file ?? null,
    saveFile: opts.dialogs?.saveFile ?? null,
  };
  const externalRequests: string[] = [];
  const services = createAppServices({
    userDataDir: opts.userDataDir,
    keychain: osKeychain(opts.keychainService),
    host: 'harness',
    dialogs: {
      chooseFolder: async () => dialogs.folder,
      chooseFile: async () => dialogs.file,
      chooseSaveFile: async () => dialogs.saveFile,
    },
    openExternal: async (url) => {
      externalRequests.push(url);
      return false;
    },
    workerEntry: opts.workerEntry ?? join(ROOT, 'src', 'main', 'jobs', 'worker.ts'),
    sandboxEntry: opts.sandboxEntry ?? join(ROOT, 'src', 'main', 'sandbox', 'host.ts'),
    ...(opts.homeDir ? { guard: createLocationGuard({ homedir: () => opts.homeDir as string }) } : {}),
  });
  const dispatch = createDispatcher(createHandlers(services));

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, {
      'Content-Type': type,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      ...(type.startsWith('text/html') ? { 'Content-Security-Policy': csp } : {}),
    });
    res.end(body);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'Method not allowed');
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://harness').pathname);
    if (pathname === '/' || pathname === '/index.html')
      return send(res, 200, MIME['.html'] as string, indexHtml);
    if (pathname === API_PATH) return send(res, 200, MIME['.js'] as string, clientJs);
    const file = resolve(rendererDir, `.${pathname}`);
    const rel = relative(rendererDir, file);
    if (rel.startsWith('..') || rel.includes(`${sep}..`) || pathname.includes('\0')) {
      return send(res, 404, 'text/plain', 'Not found');
    }
    const type = MIME[extname(file)];
    const body = type ? await readFile(file).catch(() => null) : null;
    if (!type || !body) return send(res, 404, 'text/plain', 'Not found');
    return send(res, 200, type, body);
  };

  const server = createServer((req, res) => {
    serve(req, res).catch(() => send(res, 500, 'text/plain', 'Harness error'));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const allowed =
      url.pathname === WS_PATH &&
      req.headers.host === `127.0.0.1:${port}` &&
      req.headers.origin === origin &&
      tokenMatches(token, url.searchParams.get('token'));
    if (!allowed) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (data) => void onMessage(ws, data.toString()));
    });
  });

  const onMessage = async (ws: WebSocket, text: string) => {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      ws.close(1003, 'not JSON');
      return;
    }
    const { id, name, input } = (msg ?? {}) as { id?: unknown; name?: unknown; input?: unknown };
    if (typeof id !== 'number' || typeof name !== 'string') {
      ws.close(1008, 'expected {id, name, input}');
      return;
    }
    const result = await dispatch(name, input);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
  };

  const offEvents = services.events.on((event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  let closed = false;
  return {
    url: `${origin}/#harness-token=${token}`,
    origin,
    token,
    dialogs,
    externalRequests,
    services,
    async close() {
      if (closed) return;
      closed = true;
      offEvents();
      for (const ws of clients) ws.terminate();
      await new Promise<void>((ok) => wss.close(() => ok()));
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await services.close();
    },
  };
}
