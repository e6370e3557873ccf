import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { setImmediate as yieldToServer } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import { HttpError, type SandboxRequest } from '../common/http';
import type { Auth0User, Tenant } from '../tenant';

// Users-exports jobs: pending -> processing -> completed (or failed on demand), then a gzip download behind
// a signed link that expires like Auth0's S3 link; every GET /jobs/{id} of a completed job mints a fresh one.
// The file is rendered when the job is created, in chunks streamed through gzip into a temporary file (a million
// users do not fit in one string), and served from that file; the job stays `processing` until it is written.

export interface ExportField {
  name: string;
  export_as?: string;
}

interface Job {
  id: string;
  createdAt: number;
  format: 'json' | 'csv';
  connectionId?: string;
  connectionName?: string;
  limit?: number;
  fields?: ExportField[];
  fail: boolean;
  /** The rendered gzip file, once written completely. */
  file: { path: string; size: number } | null;
  renderError?: unknown;
}

/** Users serialized per gzip write: large enough to amortize the write, small enough to keep memory flat. */
const RENDER_CHUNK = 2000;

/** What Auth0 exports when no fields are named. */
const DEFAULT_FIELDS: ExportField[] = [
  { name: 'user_id' },
  { name: 'name' },
  { name: 'email' },
  { name: 'identities[0].connection' },
  { name: 'created_at' },
  { name: 'updated_at' },
];

/** Reads `a.b[0].c` from a user. */
export function readField(user: Auth0User, path: string): unknown {
  let value: unknown = user;
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[m[1]!] : undefined;
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g))
      value = Array.isArray(value) ? value[Number(idx[1])] : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

function sendS3Error(res: ServerResponse, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;
  res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

export class ExportJobs {
  private jobs = new Map<string, Job>();
  private failNext = false;
  private readonly signingKey = randomBytes(32);
  private dir: string | null = null;
  private readonly rendering = new Set<Promise<void>>();
  created = 0;
  downloads = 0;

  constructor(
    private readonly tenant: Tenant,
    private readonly baseUrl: () => string,
    private readonly processingMs: number,
    private readonly linkTtlMs: number,
  ) {}

  failNextJob(): void {
    this.failNext = true;
  }

  create(body: unknown): Record<string, unknown> {
    const b = (body ?? {}) as {
      connection_id?: unknown;
      format?: unknown;
      limit?: unknown;
      fields?: unknown;
    };
    const bad = (message: string) =>
      new HttpError(400, { statusCode: 400, error: 'Bad Request', message, errorCode: 'invalid_body' });
    const format = b.format ?? 'json';
    if (format !== 'json' && format !== 'csv')
      throw bad(
        'Payload validation error: \'No enum match for: "' + String(format) + '"\' on property format.',
      );
    if (b.limit !== undefined && !(Number.isInteger(b.limit) && (b.limit as number) >= 1))
      throw bad("Payload validation error: 'Expected type integer' on property limit.");
    let fields: ExportField[] | undefined;
    if (b.fields !== undefined) {
      if (!Array.isArray(b.fields) || b.fields.some((f) => !f || typeof (f as ExportField).name !== 'string'))
        throw bad("Payload validation error: 'Expected type array' on property fields.");
      fields = (b.fields as ExportField[]).map((f) => ({
        name: f.name,
        ...(typeof f.export_as === 'string' ? { export_as: f.export_as } : {}),
      }));
    }
    let connectionName: string | undefined;
    if (b.connection_id !== undefined) {
      const conn = this.tenant.connections.find((c) => c.id === b.connection_id);
      if (!conn)
        throw new HttpError(404, {
          statusCode: 404,
          error: 'Not Found',
          message: 'The connection does not exist.',
          errorCode: 'inexistent_connection',
        });
      connectionName = conn.name;
    }
    const job: Job = {
      id: `job_${randomBytes(8).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16)}`,
      createdAt: Date.now(),
      format,
      fail: this.failNext,
      file: null,
      ...(connectionName ? { connectionId: b.connection_id as string, connectionName } : {}),
      ...(b.limit !== undefined ? { limit: b.limit as number } : {}),
      ...(fields ? { fields } : {}),
    };
    this.failNext = false;
    this.jobs.set(job.id, job);
    if (!job.fail) {
      const p = this.render(job).then(
        (file) => void (job.file = file),
        (err: unknown) => void (job.renderError = err),
      );
      this.rendering.add(p);
      void p.finally(() => this.rendering.delete(p));
    }
    this.created++;
    return { ...this.describe(job, 'pending'), ...(fields ? { fields } : {}) };
  }

  get(id: string): Record<string, unknown> {
    const job = this.jobs.get(id);
    if (!job)
      throw new HttpError(404, {
        statusCode: 404,
        error: 'Not Found',
        message: 'The job does not exist.',
        errorCode: 'inexistent_job',
      });
    const elapsed = Date.now() - job.createdAt;
    if (elapsed < this.processingMs / 3) return this.describe(job, 'pending');
    if (job.renderError) throw job.renderError;
    if (elapsed < this.processingMs || (!job.fail && !job.file)) {
      const pct = Math.min(99, Math.floor((elapsed / this.processingMs) * 100));
      return {
        ...this.describe(job, 'processing'),
        percentage_done: pct,
        time_left_seconds: Math.max(1, Math.ceil((this.processingMs - elapsed) / 1000)),
      };
    }
    if (job.fail)
      return { ...this.describe(job, 'failed'), status_details: 'The export job failed. Please try again.' };
    const expires = Date.now() + this.linkTtlMs;
    const location = `${this.baseUrl()}/exports/${job.id}/${this.tenant.tenant.name}.${job.format === 'csv' ? 'csv' : 'json'}.gz?X-Amz-Expires=${Math.ceil(this.linkTtlMs / 1000)}&X-Amz-Date=${expires}&X-Amz-Signature=${this.sign(job.id, expires)}`;
    return { ...this.describe(job, 'completed'), location, percentage_done: 100, time_left_seconds: 0 };
  }

  /** GET /exports/{job}/{file}: 403 with S3's XML once the link has expired or was tampered with. */
  download(req: SandboxRequest, res: ServerResponse): void {
    const job = this.jobs.get(req.params.job ?? '');
    const expires = Number(req.query.get('X-Amz-Date'));
    const sig = req.query.get('X-Amz-Signature') ?? '';
    const expected = job ? this.sign(job.id, expires) : '';
    if (
      !job ||
      !job.file ||
      sig.length !== expected.length ||
      !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))
    ) {
      return sendS3Error(
        res,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    if (Date.now() > expires) return sendS3Error(res, 'AccessDenied', 'Request has expired');
    this.downloads++;
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': job.file.size });
    const file = createReadStream(job.file.path);
    file.on('error', () => res.destroy());
    res.on('close', () => file.destroy());
    file.pipe(res);
  }

  /** Waits for renders in progress and deletes the rendered files. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.rendering]);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private sign(jobId: string, expires: number): string {
    return createHmac('sha256', this.signingKey).update(`${jobId}:${expires}`).digest('hex');
  }

  private describe(job: Job, status: string): Record<string, unknown> {
    return {
      type: 'users_export',
      status,
      ...(job.connectionId ? { connection_id: job.connectionId, connection: job.connectionName } : {}),
      format: job.format,
      ...(job.limit !== undefined ? { limit: job.limit } : {}),
      created_at: new Date(job.createdAt).toISOString(),
      id: job.id,
    };
  }

  /** Writes the job's file: users serialized RENDER_CHUNK at a time into a gzip stream on disk. */
  private async render(job: Job): Promise<{ path: string; size: number }> {
    let users = this.tenant.users;
    if (job.connectionName) users = users.filter((u) => u.identities[0]?.connection === job.connectionName);
    if (job.limit !== undefined) users = users.slice(0, job.limit);
    const fields = job.fields ?? DEFAULT_FIELDS;
    this.dir ??= mkdtempSync(join(tmpdir(), 'a2w-sandbox-exports-'));
    const path = join(this.dir, `${job.id}.${job.format}.gz`);
    const gzip = createGzip();
    const out = createWriteStream(path);
    gzip.pipe(out);
    const written = once(out, 'close');
    const write = async (text: string): Promise<void> => {
      if (!gzip.write(text)) await once(gzip, 'drain');
    };
    if (job.format === 'csv') await write(stringify([fields.map((f) => f.export_as ?? f.name)]));
    for (let start = 0; start < users.length; start += RENDER_CHUNK) {
      const chunk = users.slice(start, start + RENDER_CHUNK);
      if (job.format === 'csv') {
        const rows = chunk.map((u) =>
          fields.map((f) => {
            const v = readField(u, f.name);
            return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
          }),
        );
        await write(stringify(rows));
      } else {
        let text = '';
        for (const u of chunk) {
          const out: Record<string, unknown> = {};
          for (const f of fields) {
            const v = readField(u, f.name);
            if (v !== undefined) out[f.export_as ?? f.name] = v;
          }
          text += JSON.stringify(out) + '\n';
        }
        await write(text);
      }
      await yieldToServer(); // keep answering other requests while a large file renders
    }
    gzip.end();
    await written;
    return { path, size: statSync(path).size };
  }
}
