import { net, protocol } from 'electron';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CSP } from './security';

// The renderer is served from app://renderer/ rather than file://: with the release fuse
// grantFileProtocolExtraPrivileges off, file:// pages cannot load their own module scripts from the asar, and a
// custom scheme also lets every response carry the CSP header (frame-ancestors is ignored in a meta tag).
export const APP_ORIGIN = 'app://renderer';
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  const root = normalize(rendererDir) + sep;
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const relative = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
    const file = normalize(join(root, relative));
    // Only files inside the built renderer, only from our one host.
    if (url.host !== 'renderer' || !file.startsWith(root)) return new Response('Not found', { status: 404 });
    const type = contentTypes[extname(file)];
    if (!type) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).href).catch(() => null);
    if (!res || !res.ok) return new Response('Not found', { status: 404 });
    return new Response(res.body, {
      status: 200,
      headers: { 'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' },
    });
  });
}
