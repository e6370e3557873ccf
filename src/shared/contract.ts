import { z } from 'zod';
import { appErrorSchema } from './errors';
import type { EventName, OperationName } from './operations';
import { stepIds } from './steps';
import { reviewContract } from './review-contract';
import { passwordsOperations } from './passwords-contract';
import { workosOperations } from './workos-contract';
import { ssoReportOperations } from './sso-report-contract';

// The whole IPC surface: every operation's input and output schema and every event's payload schema.
// Main validates each input against it before a handler runs; the renderer's typed client is derived from it.

const empty = z.object({}).strict();
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');

// Auth0 tenant domains (acme.eu.auth0.com, login.acme.com) or a loopback host:port in rehearsal mode.
export const auth0Domain = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(253)
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/,
    'not a valid domain name',
  );
export const clientId = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'a client id has letters, digits, _ and - only');
const secret = z.string().min(1).max(4096);
export const environmentLabel = z.string().trim().min(1).max(64);
export const loopbackUrl = z.string().url().max(256);

export const stepState = z.enum(['done', 'current', 'available', 'locked', 'unavailable']);
export const wizardStatus = z.object({
  current: z.enum(stepIds),
  steps: z.array(
    z.object({
      id: z.enum(stepIds),
      state: stepState,
      // Why a step is locked or not available yet, in words for the admin.
      reason: z.string().optional(),
    }),
  ),
});
export type WizardStatus = z.infer<typeof wizardStatus>;

export const workspaceSummary = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  createdAt: z.string(),
  readOnly: z.boolean(),
  secretsAvailable: z.boolean(),
  // Facts the admin must see on opening: missing key, tampered audit log, read-only reasons.
  warnings: z.array(z.string()),
  audit: z.object({
    ok: z.boolean(),
    entries: z.number().int(),
    head: z.string(),
    problem: z.string().optional(),
  }),
  rehearsal: z.boolean(),
});
export type WorkspaceSummary = z.infer<typeof workspaceSummary>;

export const recentWorkspace = z.object({
  path: z.string(),
  name: z.string(),
  lastOpenedAt: z.string(),
  exists: z.boolean(),
});

export const credentialsStatus = z.object({
  auth0: z
    .object({
      domain: z.string(),
      clientId: z.string(),
      baseUrl: z.string().optional(),
      hasSecret: z.boolean(),
    })
    .nullable(),
  workos: z
    .object({ environment: z.string(), baseUrl: z.string().optional(), hasKey: z.boolean() })
    .nullable(),
  // The outcome of the last connection test of these settings, if any (cleared when they change).
  lastTest: z.lazy(() => connectionTest).nullable(),
});
export type CredentialsStatus = z.infer<typeof credentialsStatus>;

export const jobState = z.enum([
  'queued',
  'running',
  'paused',
  'cancelled',
  'failed',
  'completed',
  'interrupted',
]);
export const jobInfo = z.object({
  id: z.string(),
  kind: z.string(),
  state: jobState,
  done: z.number(),
  total: z.number().nullable(),
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().optional(),
  error: appErrorSchema.optional(),
  updatedAt: z.string(),
});
export type JobInfo = z.infer<typeof jobInfo>;

export const requiredScopeInfo = z.object({
  scope: z.string(),
  neededFor: z.string(),
  optional: z.boolean().optional(),
});
export const connectionTest = z.object({
  testedAt: z.string(),
  auth0: z.object({
    ok: z.boolean(),
    granted: z.array(z.string()),
    missing: z.array(requiredScopeInfo),
    error: appErrorSchema.optional(),
  }),
  workos: z.object({
    ok: z.boolean(),
    report: z
      .object({
        host: z.string(),
        environment: z.enum(['production', 'staging', 'unknown']),
        rehearsal: z.boolean(),
        organizations: z.object({ firstPage: z.number(), more: z.boolean() }),
        users: z.object({ firstPage: z.number(), more: z.boolean() }),
        environmentRoles: z.array(z.string()).nullable(),
      })
      .optional(),
    error: appErrorSchema.optional(),
  }),
});
export type ConnectionTest = z.infer<typeof connectionTest>;

// What the renderer may know about running sandboxes: addresses and file locations, never their secrets.
export const rehearsalStatus = z.object({
  rehearsal: z.boolean(),
  running: z.boolean(),
  settings: z
    .object({ users: z.number(), orgs: z.number(), seed: z.string(), supportFilesDir: z.string() })
    .nullable(),
  sandboxes: z
    .object({
      auth0: z.object({ domain: z.string(), baseUrl: z.string(), clientId: z.string() }),
      workos: z.object({ baseUrl: z.string() }),
      tenant: z.object({ name: z.string(), users: z.number(), organizations: z.number() }),
      files: z.record(z.string(), z.string()).optional(),
    })
    .nullable(),
});
export type RehearsalStatus = z.infer<typeof rehearsalStatus>;

// The Auth0 export: per-entity progress while it runs, the completeness table and what changed once it ends.
export const exportEntity = z.enum([
  'roles',
  'connections',
  'organizations',
  'memberships',
  'users',
  'mfa',
  'logic',
]);
export const exportStatus = z.object({
  run: z
    .object({
      runId: z.string(),
      jobId: z.string().nullable(),
      state: z.enum(['running', 'paused', 'interrupted', 'complete', 'incomplete', 'failed', 'cancelled']),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      tenantDomain: z.string().nullable(),
      error: appErrorSchema.optional(),
    })
    .nullable(),
  job: jobInfo.nullable(),
  entities: z.array(
    z.object({
      entity: exportEntity,
      label: z.string(),
      state: z.enum(['pending', 'running', 'done']),
      exported: z.number(),
      expected: z.number().nullable(),
    }),
  ),
  completeness: z.array(
    z.object({
      entity: exportEntity,
      label: z.string(),
      exported: z.number(),
      expected: z.number().nullable(),
      source: z.string(),
      complete: z.boolean(),
      note: z.string().nullable(),
    }),
  ),
  changes: z.array(
    z.object({ table: z.string(), added: z.number(), removed: z.number(), changed: z.number() }),
  ),
  /** The last run that ended complete, if any. */
  lastComplete: z.object({ runId: z.string(), finishedAt: z.string() }).nullable(),
});
export type ExportStatus = z.infer<typeof exportStatus>;

const op = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const contract = {
  'app.info': op(
    empty,
    z.object({
      version: z.string(),
      platform: z.string(),
      userDataDir: z.string(),
      host: z.enum(['electron', 'harness', 'cli']),
    }),
  ),
  'app.openExternal': op(
    z.object({ url: z.string().url().max(2048) }).strict(),
    z.object({ opened: z.boolean() }),
  ),
  'workspace.create': op(
    z.object({ folder: absolutePath, name: z.string().trim().min(1).max(100) }).strict(),
    workspaceSummary,
  ),
  'workspace.open': op(z.object({ path: absolutePath }).strict(), workspaceSummary),
  'workspace.close': op(empty, z.object({ closed: z.boolean() })),
  'workspace.current': op(empty, workspaceSummary.nullable()),
  'workspace.recent': op(empty, z.array(recentWorkspace)),
  'workspace.forget': op(z.object({ path: absolutePath }).strict(), z.array(recentWorkspace)),
  'workspace.defaultFolder': op(empty, z.object({ folder: z.string() })),
  'workspace.chooseFolder': op(empty, z.object({ folder: z.string().nullable() })),
  'workspace.chooseFile': op(
    // What the file is for decides the dialog's filter: a workspace, Auth0's support file, or a PGP private key.
    z.object({ purpose: z.enum(['workspace', 'support-file', 'pgp-key']).default('workspace') }).strict(),
    z.object({ path: z.string().nullable() }),
  ),
  'wizard.status': op(empty, wizardStatus),
  'credentials.status': op(empty, credentialsStatus),
  'credentials.setAuth0': op(
    z
      .object({
        domain: auth0Domain,
        clientId,
        clientSecret: secret.optional(),
        baseUrl: loopbackUrl.optional(),
      })
      .strict(),
    credentialsStatus,
  ),
  'credentials.setWorkos': op(
    z
      .object({ environment: environmentLabel, apiKey: secret.optional(), baseUrl: loopbackUrl.optional() })
      .strict(),
    credentialsStatus,
  ),
  'credentials.delete': op(z.object({ which: z.enum(['auth0', 'workos']) }).strict(), credentialsStatus),
  'credentials.test': op(empty, connectionTest),
  'rehearsal.start': op(
    z
      .object({
        folder: absolutePath,
        name: z.string().trim().min(1).max(100).default('Rehearsal'),
        users: z.number().int().min(10).max(200_000).default(2_000),
        orgs: z.number().int().min(1).max(20_000).default(40),
        seed: z
          .string()
          .trim()
          .min(1)
          .max(64)
          .regex(/^[\w.-]+$/, 'letters, digits, dot, dash and underscore only')
          .optional(),
      })
      .strict(),
    z.object({ workspace: workspaceSummary, status: rehearsalStatus }),
  ),
  'rehearsal.status': op(empty, rehearsalStatus),
  'rehearsal.resume': op(empty, rehearsalStatus),
  'rehearsal.stop': op(empty, rehearsalStatus),
  'jobs.list': op(empty, z.array(jobInfo)),
  'jobs.pause': op(z.object({ id: z.string().max(64) }).strict(), jobInfo),
  'jobs.resume': op(z.object({ id: z.string().max(64) }).strict(), jobInfo),
  'jobs.cancel': op(z.object({ id: z.string().max(64) }).strict(), jobInfo),
  'export.start': op(z.object({ entities: z.array(exportEntity).max(7).optional() }).strict(), exportStatus),
  'export.status': op(empty, exportStatus),
  ...passwordsOperations,
  ...workosOperations,
  ...reviewContract,
  ...ssoReportOperations,
} satisfies Record<OperationName, { input: z.ZodType; output: z.ZodType }>;

// Compile-time check that the contract names exactly the operations listed in operations.ts.
type _ExactlyTheOperations = [keyof typeof contract] extends [OperationName]
  ? [OperationName] extends [keyof typeof contract]
    ? true
    : never
  : never;
const _exact: _ExactlyTheOperations = true;
void _exact;

export const events = {
  'job.progress': jobInfo,
  'workspace.changed': workspaceSummary.nullable(),
} satisfies Record<EventName, z.ZodType>;

export type Contract = typeof contract;
export type Input<K extends OperationName> = z.input<Contract[K]['input']>;
export type Output<K extends OperationName> = z.output<Contract[K]['output']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

// The result envelope that crosses IPC: a value or a typed error, never a thrown stack.
export type Result<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof appErrorSchema> };

// What the preload exposes as window.api and the harness client reproduces.
export interface Api {
  invoke<K extends OperationName>(name: K, input: Input<K>): Promise<Result<Output<K>>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
  /** The local path of a dropped file (Electron only: browsers do not reveal paths). */
  pathForFile?(file: File): string;
}
