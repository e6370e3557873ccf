import { z } from 'zod';
import { appErrorSchema } from './errors';

// Plan, Import, Verify and Rollback operations (spread into `contract` in contract.ts; names listed in
// operations.ts). Long work runs as jobs: the *.start operations answer with the job, whose progress arrives as
// 'job.progress' events (kinds workos.plan, workos.import, workos.verify, workos.rollback). Lists are keyset-paged:
// pass `after` = the previous answer's `next` (null at the end).

const op = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const empty = z.object({}).strict();
const paging = {
  after: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
};

export const workosJobView = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.enum(['queued', 'running', 'paused', 'cancelled', 'failed', 'completed', 'interrupted']),
  done: z.number(),
  total: z.number().nullable(),
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().optional(),
  error: appErrorSchema.optional(),
  updatedAt: z.string(),
});

export const planKinds = ['role', 'organization', 'user', 'membership', 'totp'] as const;
export const planActions = ['create', 'exists', 'repair', 'conflict', 'skip'] as const;
export const opStatuses = ['pending', 'in_flight', 'done', 'failed', 'skipped'] as const;

export const workosPlanOptions = z
  .object({
    /** A user whose email is held by a WorkOS user this migration did not create: link to it and repair it, leave
     *  it out, or refuse to import until resolved. */
    conflictPolicy: z.enum(['link', 'skip', 'stop']).default('stop'),
    /** Whether the WorkOS environment allows several roles per membership (not readable through the API). */
    multipleRoles: z.boolean().default(false),
    /** Disable webhook endpoints during the import (always re-enabled afterwards, also after a crash). */
    pauseWebhooks: z.boolean().default(false),
    passwords: z.enum(['import', 'none']).default('import'),
  })
  .strict();

const byAction = z.record(z.enum(planActions), z.number());
const byStatus = z.record(z.enum(opStatuses), z.number());

export const workosPlanSummary = z.object({
  planId: z.string(),
  createdAt: z.string(),
  /** The WorkOS environment label from the Connect step; the import must be confirmed with it. */
  environment: z.string(),
  host: z.string(),
  options: z.object({
    conflictPolicy: z.enum(['link', 'skip', 'stop']),
    multipleRoles: z.boolean(),
    pauseWebhooks: z.boolean(),
    passwords: z.enum(['import', 'none']),
  }),
  counts: z.record(z.enum(planKinds), byAction),
  /** What the plan found in WorkOS. */
  live: z.object({ users: z.number(), organizations: z.number(), roles: z.number() }),
  signOff: z.object({
    signed: z.boolean(),
    intact: z.boolean(),
    reviewer: z.string().nullable(),
    at: z.string().nullable(),
  }),
  /** Why the plan may not be imported now (the WorkOS side is re-checked when the import starts). */
  blockers: z.array(z.string()),
  /** True once an import of this plan has started (its journal exists). */
  importStarted: z.boolean(),
  /**
   * The newest import job of this plan, if any. It exists before importStarted: the job first checks WorkOS and
   * writes the journal (minutes at a million users), and may be paused, fail or be interrupted while it does.
   */
  importJobId: z.string().nullable(),
});

export const workosPlanItem = z.object({
  seq: z.number(),
  kind: z.enum(planKinds),
  sourceKey: z.string(),
  action: z.enum(planActions),
  workosId: z.string().nullable(),
  detail: z.object({
    password: z.enum(['hash', 'none']).optional(),
    passwordReason: z.string().optional(),
    repairs: z.array(z.string()).optional(),
    conflict: z.enum(['email_taken', 'external_id_other_email']).optional(),
    resolution: z.enum(['link', 'skip', 'stop']).optional(),
    roleSlugs: z.array(z.string()).optional(),
    rolesDropped: z.array(z.string()).optional(),
    reason: z.string().optional(),
    workosUserId: z.string().optional(),
    workosOrgId: z.string().optional(),
    membershipStatus: z.string().optional(),
  }),
});

export const workosImportStatus = z.object({
  planId: z.string(),
  environment: z.string(),
  job: workosJobView.nullable(),
  /** Journal rows per entity and status. */
  counts: z.record(z.enum(planKinds), byStatus),
  total: z.number(),
  settled: z.number(),
  failed: z.number(),
  /** Limiter counters of the last run: requests per bucket, 429s, current phase and its request rate. */
  stats: z
    .object({
      requests: z.record(z.string(), z.number()),
      rateLimited: z.number(),
      phase: z.number().optional(),
      label: z.string().optional(),
      phaseRequestsPerSecond: z.number().optional(),
      /** The write limit that phase runs against, per second (user-management writes: 50/s). */
      limitPerSecond: z.number().nullable(),
    })
    .nullable(),
  pausedWebhooks: z.number(),
});

export const workosFailure = z.object({
  opId: z.number(),
  kind: z.string(),
  sourceKey: z.string(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  requestId: z.string().nullable(),
  attempts: z.number(),
  updatedAt: z.string(),
});

const presence = z.object({ expected: z.number(), found: z.number(), mismatched: z.number().optional() });
export const workosVerifyResult = z.object({
  verifyId: z.string(),
  planId: z.string(),
  ok: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string(),
  counts: z.object({
    users: presence,
    organizations: presence,
    memberships: presence,
    roles: presence,
    totp: presence,
    passwords: z.object({ checked: z.number(), verified: z.number(), skippedReason: z.string().optional() }),
    mismatches: z.number(),
  }),
});

export const workosMismatch = z.object({
  seq: z.number(),
  kind: z.string(),
  sourceKey: z.string(),
  field: z.string(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
});

const deleteCounts = z.object({
  users: z.number(),
  organizations: z.number(),
  memberships: z.number(),
  totp: z.number(),
});
export const workosRollbackPreview = z.object({
  toDelete: deleteCounts,
  goneWithParent: z.object({ memberships: z.number(), totp: z.number() }),
  notDeletable: z.object({ roles: z.array(z.string()) }),
  repairedLeftAlone: z.number(),
});
export const workosRollbackResult = z.object({
  rollbackId: z.string(),
  deleted: deleteCounts,
  alreadyGone: z.number(),
  failed: z.number(),
  preview: workosRollbackPreview,
});

const page = <T extends z.ZodType>(row: T) => z.object({ rows: z.array(row), next: z.number().nullable() });

export const workosOperations = {
  'workos.plan.create': op(workosPlanOptions, workosJobView),
  'workos.plan.get': op(empty, workosPlanSummary.nullable()),
  'workos.plan.items': op(
    z
      .object({ kind: z.enum(planKinds).optional(), action: z.enum(planActions).optional(), ...paging })
      .strict(),
    page(workosPlanItem),
  ),
  /** confirmEnvironment must equal the plan's environment label: nothing is written without naming it. */
  'workos.import.start': op(
    z.object({ planId: z.string().uuid(), confirmEnvironment: z.string().min(1).max(64) }).strict(),
    workosJobView,
  ),
  'workos.import.status': op(empty, workosImportStatus.nullable()),
  'workos.import.failures': op(z.object(paging).strict(), page(workosFailure).extend({ total: z.number() })),
  'workos.import.failuresCsv': op(empty, z.object({ csv: z.string(), rows: z.number() })),
  'workos.import.retryFailed': op(empty, workosJobView),
  'workos.verify.start': op(
    z
      .object({ sample: z.union([z.number().int().min(0).max(10_000_000), z.literal('all')]).optional() })
      .strict(),
    workosJobView,
  ),
  'workos.verify.get': op(empty, workosVerifyResult.nullable()),
  'workos.verify.mismatches': op(z.object(paging).strict(), page(workosMismatch)),
  'workos.rollback.preview': op(empty, workosRollbackPreview),
  /** confirm must repeat the preview's number of users and organizations to delete. */
  'workos.rollback.start': op(
    z
      .object({ confirmUsers: z.number().int().min(0), confirmOrganizations: z.number().int().min(0) })
      .strict(),
    workosJobView,
  ),
  'workos.rollback.get': op(empty, workosRollbackResult.nullable()),
  'workos.rollback.repaired': op(
    z.object(paging).strict(),
    page(
      z.object({
        opId: z.number(),
        kind: z.string(),
        sourceKey: z.string(),
        workosId: z.string().nullable(),
      }),
    ),
  ),
};

export const workosOperationNames = Object.keys(workosOperations) as (keyof typeof workosOperations)[];
