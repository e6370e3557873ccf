import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback proxy in front of the Auth0 sandbox that can replace the users-export download with a crafted file
// (truncated gzip, malformed line) or make the first download link an expired one, so the real export job meets
// what Auth0 and S3 can do to it.

export interface ExportProxy {
  baseUrl: string;
  /** Serve this body (gzip bytes) instead of the sandbox's file. */
  replaceFile(body: Buffer | null): void;
  /** The next `n` download links answer 403 like an expired S3 link. */
  expireNextLinks(n: number): void;
  stats: { expiredServed: number; replacedServed: number };
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startExportProxy(target: string): Promise<ExportProxy> {
  let file: Buffer | null = null;
  let expire = 0;
  const stats = { expiredServed: 0, replacedServed: 0 };
  let self = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      if (url.startsWith('/__expired')) {
        stats.expiredServed++;
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        );
        return;
      }
      if (url.startsWith('/__file')) {
        stats.replacedServed++;
        res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': file!.length });
        res.end(file);
        return;
      }
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host') headers[k] = v;
      const upstream = await fetch(target + url, {
        method: req.method,
        headers,
        ...(body.length ? { body: new Uint8Array(body) } : {}),
      });
      let out = Buffer.from(await upstream.arrayBuffer());
      if (/^\/api\/v2\/jobs\/[^/]+$/.test(url.split('?')[0]!) && req.method === 'GET') {
        const job = JSON.parse(out.toString('utf8')) as { location?: string };
        if (job.location) {
          if (expire > 0) {
            expire--;
            job.location = `${self}/__expired`;
          } else if (file) job.location = `${self}/__file`;
          else job.location = job.location.replace(target, self);
          out = Buffer.from(JSON.stringify(job));
        }
      }
      const h: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) h[k] = v;
      });
      res.writeHead(upstream.status, { ...h, 'content-length': out.length });
      res.end(out);
    })().catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: self,
    replaceFile: (b) => (file = b),
    expireNextLinks: (n) => (expire = n),
    stats,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
