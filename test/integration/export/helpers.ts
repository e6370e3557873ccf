import { join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { JobInfo } from '../../../src/shared/contract';
import { serveAuth0Credentials } from '../../../src/main/auth0/export/credentials-channel';
import { EXPORT_JOB_KIND } from '../../../src/main/auth0/export/job';
import { entityTables } from '../../../src/main/auth0/export/stage';
import { JobRunner } from '../../../src/main/jobs/runner';
import {
  startAuth0Sandbox,
  type Auth0Sandbox,
  type Auth0SandboxOptions,
} from '../../../src/main/sandbox/auth0/server';
import type { Tenant } from '../../../src/main/sandbox/tenant';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { createWorkspace, openWorkspaceWithKey, type Workspace } from '../../../src/main/workspace';

export const workerEntry = resolve('src/main/jobs/worker.ts');

/** Limits high enough not to slow tests, but present, so the sandbox sends x-ratelimit-* headers. */
export const FAST_LIMITS = { default: { limit: 100_000, windowMs: 1000 } };

export interface TestWorkspace {
  file: string;
  dataKey: Buffer;
}

/** A real workspace created through the OS keychain (whose entry is removed again). */
export async function createTestWorkspace(dir: string, name = 'export'): Promise<TestWorkspace> {
  const keychain = osKeychain('com.auth0-to-workos.assistant.test-export');
  const ws = await createWorkspace(join(dir, `${name}.a2w.sqlite`), { keychain, name });
  const dataKey = ws.dataKeyForWorker()!;
  const { file, id } = ws;
  ws.close();
  await keychain.delete(accounts.workspaceKey(id));
  return { file, dataKey };
}

export async function startSandbox(
  tenant: Tenant,
  opts: Partial<Auth0SandboxOptions> = {},
): Promise<Auth0Sandbox> {
  return startAuth0Sandbox({ tenant, rateLimits: FAST_LIMITS, jobProcessingMs: 200, ...opts });
}

export function credsOf(sb: Auth0Sandbox) {
  return { domain: sb.domain, clientId: sb.clientId, clientSecret: sb.clientSecret, baseUrl: sb.baseUrl };
}

export interface ExportRun {
  job: JobInfo;
  runId: string;
}

/** Runs (or resumes) an export in a real worker thread, the main thread serving the credentials. */
export async function runExport(
  tw: TestWorkspace,
  sb: Auth0Sandbox | { creds: ReturnType<typeof credsOf> },
  opts: { entities?: string[]; resumeJobId?: string; runId?: string; onEvent?: (i: JobInfo) => void } = {},
): Promise<ExportRun> {
  const ws = openWorkspaceWithKey(tw.file, tw.dataKey);
  const creds = 'creds' in sb ? sb.creds : credsOf(sb);
  const stop = serveAuth0Credentials(
    () => ws.id,
    async () => creds,
  );
  const runner = new JobRunner({ workspace: ws, workerEntry, onEvent: (i) => opts.onEvent?.(i) });
  try {
    runner.recoverInterrupted();
    const runId = opts.runId ?? crypto.randomUUID();
    const started = opts.resumeJobId
      ? await runner.resume(opts.resumeJobId)
      : await runner.start(EXPORT_JOB_KIND, {
          runId,
          entities: opts.entities ?? [
            'roles',
            'connections',
            'organizations',
            'memberships',
            'users',
            'mfa',
            'logic',
          ],
          initialIntervalMs: 0,
        });
    const job = await runner.wait(started.id);
    const params = JSON.parse(
      (ws.db.prepare('SELECT params_json FROM jobs WHERE id = ?').pluck().get(started.id) as string) ?? '{}',
    ) as { runId: string };
    return { job, runId: params.runId };
  } finally {
    await runner.close();
    stop();
    ws.close();
  }
}

export function withWorkspace<T>(tw: TestWorkspace, fn: (ws: Workspace) => T): T {
  const ws = openWorkspaceWithKey(tw.file, tw.dataKey);
  try {
    return fn(ws);
  } finally {
    ws.close();
  }
}

export const count = (db: Database, table: string): number =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

/** Every live export table's rows, sorted, for comparing two exports (ciphertexts replaced by their plaintext). */
export function snapshot(ws: Workspace): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of Object.values(entityTables).flat()) {
    const rows = ws.db.prepare(`SELECT * FROM auth0_${table} ORDER BY 1, 2, 3`).all() as Record<
      string,
      unknown
    >[];
    out[table] = rows.map((r) => {
      if (table !== 'connections' || !r.secrets_enc) return r;
      const plain = ws.cipher!.decrypt(
        { table: 'auth0_connections', column: 'secrets_enc', id: r.connection_id as string },
        r.secrets_enc as Buffer,
      );
      return { ...r, secrets_enc: plain.toString('utf8') };
    });
  }
  return out;
}

/** What a complete export of `tenant` must hold. */
export function expectedCounts(t: Tenant) {
  const mfaUsers = new Set(t.users.filter((u) => (u.multifactor ?? []).length > 0).map((u) => u.user_id));
  return {
    users: t.users.length,
    identities: t.users.reduce((n, u) => n + u.identities.length, 0),
    organizations: t.organizations.length,
    memberships: t.members.length,
    membership_roles: t.members.reduce((n, m) => n + m.roles.length, 0),
    roles: t.roles.length,
    connections: t.connections.length,
    org_connections: t.orgConnections.length,
    mfa_enrolments: t.mfa.filter((e) => mfaUsers.has(e.user_id)).length,
    custom_logic: t.actions.length + t.rules.length + t.hooks.length,
  };
}

export function liveCounts(ws: Workspace): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of Object.values(entityTables).flat()) out[table] = count(ws.db, `auth0_${table}`);
  return out;
}
