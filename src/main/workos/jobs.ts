import { z } from 'zod';
import { defineJob, type JobContext } from '../jobs/types';
import type { RehearsalSettings } from '../rehearsal';
import { generateTenant } from '../sandbox/generator';
import type { Workspace } from '../workspace';
import { WorkosApi } from './api';
import { requestWorkosCredentials } from './credentials-channel';
import { runImport, type ImportCheckpoint } from './import';
import { WORKOS_PUBLISHED_LIMITS, type LimiterConfig } from './limiter';
import { createPlan } from './plan';
import { runRollback } from './rollback';
import { runVerify, type KnownPasswords } from './verify';

// Plan, import, verify and rollback as jobs (worker threads with progress, pause, resume and cancel). Parameters hold
// ids and settings only; the API key comes over the credentials channel.

export const WORKOS_JOB_KINDS = {
  plan: 'workos.plan',
  import: 'workos.import',
  verify: 'workos.verify',
  rollback: 'workos.rollback',
} as const;

const limitsParam = z
  .object({
    /** 'none' lifts the client-side limits (benchmarks against a sandbox without limits). */
    limits: z.enum(['published', 'none']).optional(),
    concurrency: z.number().int().min(1).max(256).optional(),
    timeoutMs: z.number().int().min(1000).max(300_000).optional(),
  })
  .strict();

function limiterConfig(p: z.infer<typeof limitsParam>): LimiterConfig {
  const base =
    p.limits === 'none'
      ? { umWrites: null, umReads: null, orgDeletes: null, overall: null, concurrency: 32 }
      : WORKOS_PUBLISHED_LIMITS;
  return { ...base, concurrency: p.concurrency ?? base.concurrency };
}

async function connect(ctx: JobContext<z.infer<typeof limitsParam>, unknown>) {
  const creds = await requestWorkosCredentials(ctx.workspace.id);
  const api = new WorkosApi(
    { apiKey: creds.apiKey, ...(creds.baseUrl ? { baseUrl: creds.baseUrl } : {}) },
    { limits: limiterConfig(ctx.params), signal: ctx.signal, timeoutMs: ctx.params.timeoutMs },
  );
  return { api, environment: creds.environment };
}

const planParams = limitsParam
  .extend({
    conflictPolicy: z.enum(['link', 'skip', 'stop']),
    multipleRoles: z.boolean(),
    pauseWebhooks: z.boolean(),
    passwords: z.enum(['import', 'none']),
  })
  .strict();

export const workosPlanJob = defineJob<z.infer<typeof planParams>, null, { planId: string }>({
  kind: WORKOS_JOB_KINDS.plan,
  paramsSchema: planParams,
  async run(ctx) {
    const { api, environment } = await connect(ctx);
    const { conflictPolicy, multipleRoles, pauseWebhooks, passwords } = ctx.params;
    // A plan is computed again from the start after an interruption (it reads a moving environment).
    const plan = await createPlan({
      workspace: ctx.workspace,
      api,
      environment,
      options: { conflictPolicy, multipleRoles, pauseWebhooks, passwords },
      progress: (done, message) => ctx.progress({ done, total: null, message }),
      throwIfStopped: () => ctx.throwIfStopped(),
    });
    ctx.saveCheckpoint(null, {
      done: Object.values(plan.counts).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0),
      message: 'Plan ready',
    });
    return { planId: plan.planId };
  },
});

const importParams = limitsParam.extend({ planId: z.string().uuid() }).strict();

export const workosImportJob = defineJob<z.infer<typeof importParams>, ImportCheckpoint, unknown>({
  kind: WORKOS_JOB_KINDS.import,
  paramsSchema: importParams,
  async run(ctx) {
    const { api } = await connect(ctx);
    return runImport({
      workspace: ctx.workspace,
      api,
      planId: ctx.params.planId,
      checkpoint: ctx.checkpoint,
      saveCheckpoint: (cp, p) => ctx.saveCheckpoint(cp, p),
      progress: (p) => ctx.progress(p),
      throwIfStopped: () => ctx.throwIfStopped(),
    });
  },
});

const verifyParams = limitsParam
  .extend({
    planId: z.string().uuid(),
    /** Users with a known password who sign in: a number, or 'all' (the rehearsal default). */
    sample: z.union([z.number().int().min(0).max(10_000_000), z.literal('all')]).optional(),
  })
  .strict();

/** In rehearsal mode the generated tenant is regenerated from its seed: its plaintext passwords are known. */
export function rehearsalPasswords(ws: Workspace): KnownPasswords | null {
  if (!ws.rehearsal) return null;
  const s = ws.getSetting<RehearsalSettings>('rehearsal');
  if (!s?.workosClientId) return null;
  const tenant = generateTenant({ users: s.users, orgs: s.orgs, seed: s.seed });
  return { clientId: s.workosClientId, byUserId: new Map(Object.entries(tenant.plaintextPasswords ?? {})) };
}

export const workosVerifyJob = defineJob<z.infer<typeof verifyParams>, null, unknown>({
  kind: WORKOS_JOB_KINDS.verify,
  paramsSchema: verifyParams,
  async run(ctx) {
    const { api } = await connect(ctx);
    return runVerify({
      workspace: ctx.workspace,
      api,
      planId: ctx.params.planId,
      passwords: rehearsalPasswords(ctx.workspace),
      sample: ctx.params.sample ?? 'all',
      progress: (p) => ctx.progress(p),
      throwIfStopped: () => ctx.throwIfStopped(),
    });
  },
});

export const workosRollbackJob = defineJob<z.infer<typeof limitsParam>, null, unknown>({
  kind: WORKOS_JOB_KINDS.rollback,
  paramsSchema: limitsParam,
  async run(ctx) {
    const { api } = await connect(ctx);
    return runRollback({
      workspace: ctx.workspace,
      api,
      progress: (p) => ctx.progress(p),
      throwIfStopped: () => ctx.throwIfStopped(),
    });
  },
});

export const workosJobDefinitions = {
  [workosPlanJob.kind]: workosPlanJob,
  [workosImportJob.kind]: workosImportJob,
  [workosVerifyJob.kind]: workosVerifyJob,
  [workosRollbackJob.kind]: workosRollbackJob,
};
