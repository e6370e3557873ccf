import { afterAll, beforeAll } from 'vitest';
import { signOff } from '../../../src/main/review/decisions';
import {
  startWorkosSandbox,
  type WorkosSandbox,
  type WorkosSandboxOptions,
} from '../../../src/main/sandbox/workos';
import { WorkosApi } from '../../../src/main/workos/api';
import { runImport, type ImportCheckpoint, type ImportSummary } from '../../../src/main/workos/import';
import type { LimiterConfig } from '../../../src/main/workos/limiter';
import {
  createPlan,
  defaultPlanOptions,
  type PlanOptions,
  type PlanRecord,
} from '../../../src/main/workos/plan';
import { runVerify, type VerifyResult } from '../../../src/main/workos/verify';
import type { Workspace } from '../../../src/main/workspace';
import { exportedTenant, mergeDirect, type Exported } from '../passwords/setup';

// A generated tenant exported from the Auth0 sandbox by the real export job, its support files merged (passwords and
// TOTP secrets), the review signed off with default decisions: the workspace an import starts from.

export const NO_LIMITS: LimiterConfig = {
  umWrites: null,
  umReads: null,
  orgDeletes: null,
  overall: null,
  concurrency: 16,
};

export async function reviewedTenant(opts: { users: number; orgs: number; seed: string }): Promise<Exported> {
  const t = await exportedTenant(opts);
  const ws = t.open();
  try {
    await mergeDirect(ws, 'passwords', t.files.passwordsPlain);
    await mergeDirect(ws, 'mfa', t.files.mfaSecrets);
    signOff(ws, 'Test Reviewer');
  } finally {
    ws.close();
  }
  return t;
}

/** A test file's reviewed tenant, opened as a workspace, and an empty WorkOS sandbox; closed after the file. */
export interface ReviewedFixture {
  t: Exported;
  ws: Workspace;
  sb: WorkosSandbox;
}

export function reviewedWorkspace(
  tenant: { users: number; orgs: number; seed: string },
  sandboxOptions: WorkosSandboxOptions = { multipleRolesEnabled: true },
): ReviewedFixture {
  const f = {} as ReviewedFixture;
  beforeAll(async () => {
    f.t = await reviewedTenant(tenant);
    f.ws = f.t.open();
    f.sb = await sandbox(sandboxOptions);
  }, 120_000);
  afterAll(async () => {
    f.ws?.close();
    await f.sb?.close();
    f.t?.cleanup();
  });
  return f;
}

export async function sandbox(opts: WorkosSandboxOptions = {}): Promise<WorkosSandbox> {
  return startWorkosSandbox({
    rateLimits: {
      userManagementWrites: null,
      userManagementReads: null,
      overall: null,
      organizationDeletes: null,
    },
    ...opts,
  });
}

export function apiFor(sb: WorkosSandbox, limits: LimiterConfig = NO_LIMITS, timeoutMs?: number): WorkosApi {
  return new WorkosApi(
    { apiKey: sb.apiKey, baseUrl: sb.baseUrl },
    { limits, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}

export async function planDirect(
  ws: Workspace,
  api: WorkosApi,
  options: Partial<PlanOptions> = {},
): Promise<PlanRecord> {
  return createPlan({
    workspace: ws,
    api,
    environment: 'test',
    options: { ...defaultPlanOptions, ...options },
  });
}

/** The import in this thread, with its checkpoint kept in memory. */
export async function importDirect(ws: Workspace, api: WorkosApi, planId: string): Promise<ImportSummary> {
  let checkpoint: ImportCheckpoint | null = null;
  return runImport({
    workspace: ws,
    api,
    planId,
    checkpoint,
    saveCheckpoint: (cp) => (checkpoint = cp),
    progress: () => undefined,
    throwIfStopped: () => undefined,
  });
}

export async function verifyDirect(
  ws: Workspace,
  api: WorkosApi,
  planId: string,
  t: Exported,
  clientId: string,
): Promise<VerifyResult> {
  return runVerify({
    workspace: ws,
    api,
    planId,
    passwords: { clientId, byUserId: new Map(Object.entries(t.tenant.plaintextPasswords ?? {})) },
    sample: 'all',
    progress: () => undefined,
    throwIfStopped: () => undefined,
  });
}

/** What the environment holds, without ids and times: for "exactly as before" comparisons. */
export function shape(sb: WorkosSandbox) {
  const s = sb.state();
  const users = new Map(s.users.map((u) => [u.id, u.email.toLowerCase()]));
  const orgs = new Map(s.organizations.map((o) => [o.id, o.external_id ?? o.name]));
  return {
    users: s.users
      .map((u) => ({
        email: u.email.toLowerCase(),
        ext: u.external_id,
        verified: u.email_verified,
        first: u.first_name,
        last: u.last_name,
        md: u.metadata,
        pw: u.passwordHashType,
      }))
      .sort((a, b) => (a.email < b.email ? -1 : 1)),
    organizations: s.organizations
      .map((o) => ({
        ext: o.external_id,
        name: o.name,
        md: o.metadata,
        domains: o.domains.map((d) => d.domain).sort(),
      }))
      .sort((a, b) => (String(a.ext) < String(b.ext) ? -1 : 1)),
    memberships: s.memberships
      .map(
        (m) =>
          `${orgs.get(m.organization_id)}|${users.get(m.user_id)}|${m.status}|${[...m.role_slugs].sort().join(',')}`,
      )
      .sort(),
    roles: s.roles.map((r) => `${r.type}:${r.slug}`).sort(),
    factors: s.authFactors.map((f) => users.get(f.user_id)).sort(),
    webhooks: s.webhookEndpoints.map((w) => `${w.id}:${w.status}`).sort(),
  };
}
