import { z } from 'zod';

// The review's and packages' operations (spread into `contract` in contract.ts; names listed in operations.ts).
// Paged queries take {filter, search, sort, offset, limit <= 500} and answer {rows, total}.

const op = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const empty = z.object({}).strict();
const id = z.string().min(1).max(512);
const person = z.string().trim().min(1).max(200);
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'),
    'must be an absolute path',
  );
const paging = {
  offset: z.number().int().min(0).max(100_000_000).default(0),
  limit: z.number().int().min(1).max(500).default(100),
};
const json = z.record(z.string(), z.unknown());

export const finding = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  entity: z.enum(['user', 'organization', 'role', 'connection', 'logic', 'export']),
  title: z.string(),
  consequence: z.string(),
  count: z.number().int(),
  summary: json,
});
export type FindingView = z.infer<typeof finding>;

export const signOffView = z.object({
  signed: z.boolean(),
  reviewer: z.string().nullable(),
  at: z.string().nullable(),
  digest: z.string().nullable(),
  intact: z.boolean(),
  history: z.array(
    z.object({
      action: z.enum(['signed', 'reopened']),
      reviewer: z.string(),
      at: z.string(),
      note: z.string().nullable(),
    }),
  ),
});

/** The part of a job's info the review shows (the full shape is jobInfo in contract.ts). */
export const reviewJob = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  message: z.string().optional(),
});
export type ReviewJobView = z.infer<typeof reviewJob>;

export const reviewSummary = z.object({
  computedAt: z.string().nullable(),
  totals: z.record(z.string(), z.number()),
  findings: z.array(finding),
  outcomes: z.object({ create: z.number(), skip: z.record(z.string(), z.number()) }).nullable(),
  signOff: signOffView,
  /** An export or merge changed the data after the findings were computed: refresh. */
  stale: z.boolean().optional(),
  /** The running refresh job (findings and outcomes are recomputed in a worker thread), if any. */
  refreshing: reviewJob.nullable().optional(),
  /** Who may record decisions here: the workspace itself, or a reviewer's copy of a redacted package. */
  access: z
    .object({
      canDecide: z.boolean(),
      reviewCopy: z.object({ workspaceName: z.string(), savedAt: z.string() }).nullable(),
    })
    .optional(),
});
export type ReviewSummaryView = z.infer<typeof reviewSummary>;

export const reviewUserRow = z.object({
  userId: z.string(),
  email: z.string().nullable(),
  connection: z.string().nullable(),
  strategy: z.string().nullable(),
  blocked: z.boolean(),
  emailVerified: z.boolean().nullable(),
  lastLogin: z.string().nullable(),
  outcome: z.enum(['create', 'skip']),
  skipReason: z.string().nullable(),
  issues: z.array(z.string()),
});
export type ReviewUserRow = z.infer<typeof reviewUserRow>;

export const reviewOrgRow = z.object({
  orgId: z.string(),
  name: z.string(),
  displayName: z.string().nullable(),
  members: z.number(),
});
export const reviewMembershipRow = z.object({
  userId: z.string(),
  email: z.string().nullable(),
  orgId: z.string(),
  orgName: z.string(),
  auth0Roles: z.array(z.string()),
});
export const reviewRoleRow = z.object({
  roleId: z.string(),
  auth0Name: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  builtIn: z.boolean(),
  source: z.enum(['built_in', 'derived', 'edited']),
  problems: z.array(z.object({ code: z.string(), detail: z.string() })),
});
export const reviewConnectionRow = z.object({
  name: z.string(),
  strategy: z.string(),
  protocol: z.string(),
  readiness: z.enum(['ready', 'needs_attention', 'not_applicable']),
  missing: z.array(z.string()),
});

const decision = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('users'),
    userIds: z.array(id).min(1).max(10_000),
    include: z.boolean().nullable(),
    note: z.string().max(500).optional(),
  }),
  z.object({ kind: z.literal('survivor'), userId: id }),
  z.object({ kind: z.literal('policy'), code: z.string().max(64), value: z.string().max(64) }),
  z.object({
    kind: z.literal('role'),
    roleId: id,
    slug: z.string().max(64).nullable(),
    name: z.string().max(64).optional(),
  }),
]);

const decisionChange = z.object({
  kind: z.enum(['user', 'survivor', 'policy', 'role', 'metadata_mapping']),
  target: z.string(),
  from: z.string(),
  to: z.string(),
});
export const decisionFilePreview = z.object({
  workspaceName: z.string(),
  signer: z.string(),
  fingerprint: z.string(),
  createdAt: z.string(),
  signOff: z.object({ reviewer: z.string(), note: z.string().nullable(), at: z.string() }).nullable(),
  changes: z.array(decisionChange),
  fileDigest: z.string(),
});
export type DecisionFilePreviewView = z.infer<typeof decisionFilePreview>;
const decisionFileText = z
  .string()
  .min(2)
  .max(8 * 1024 * 1024);

const packageInfo = z.object({
  kind: z.enum(['encrypted', 'redacted']),
  workspaceName: z.string(),
  createdAt: z.string(),
  counts: z.record(z.string(), z.number()),
  path: z.string(),
  bytes: z.number(),
});

export const reviewContract = {
  'review.summary': op(empty, reviewSummary),
  /** Starts (or joins) the review.refresh job; progress arrives as job.progress events. */
  'review.refresh': op(empty, z.object({ job: reviewJob })),
  'review.users': op(
    z
      .object({
        filter: z.string().max(64).optional(),
        search: z.string().max(320).optional(),
        sort: z.enum(['user_id', 'email']).default('user_id'),
        desc: z.boolean().default(false),
        ...paging,
      })
      .strict(),
    z.object({ rows: z.array(reviewUserRow), total: z.number() }),
  ),
  'review.user': op(
    z.object({ userId: id }).strict(),
    z.object({ auth0: json, workos: json, issues: z.array(z.string()) }),
  ),
  'review.organizations': op(
    z
      .object({
        search: z.string().max(200).optional(),
        filter: z.enum(['without_members']).optional(),
        ...paging,
      })
      .strict(),
    z.object({ rows: z.array(reviewOrgRow), total: z.number() }),
  ),
  'review.organization': op(
    z.object({ orgId: id }).strict(),
    z.object({ auth0: json, workos: json.nullable() }),
  ),
  'review.memberships': op(
    z.object({ orgId: id.optional(), ...paging }).strict(),
    z.object({ rows: z.array(reviewMembershipRow), total: z.number() }),
  ),
  'review.roles': op(empty, z.object({ rows: z.array(reviewRoleRow), total: z.number() })),
  'review.connections': op(empty, z.object({ rows: z.array(reviewConnectionRow), total: z.number() })),
  'review.decide': op(z.object({ reviewer: person, decision }).strict(), reviewSummary),
  'review.signOff': op(
    z.object({ reviewer: person, note: z.string().max(500).optional() }).strict(),
    signOffView,
  ),
  'review.reopen': op(
    z.object({ reviewer: person, note: z.string().max(500).optional() }).strict(),
    signOffView,
  ),
  'review.exportCsv': op(
    z.object({ what: z.enum(['findings', 'reenrolment', 'providers']) }).strict(),
    z.object({ fileName: z.string(), csv: z.string(), rows: z.number() }),
  ),
  /** This account's reviewer signing key (created in the OS keychain on first use): its fingerprint. */
  'review.reviewerKey': op(empty, z.object({ fingerprint: z.string() })),
  /** In a reviewer's copy: the signed decision file (decisions + sign-off), as text to save. */
  'review.exportDecisions': op(
    z.object({ signer: person }).strict(),
    z.object({
      fileName: z.string(),
      text: z.string(),
      fingerprint: z.string(),
      decisions: z.number(),
      signedOff: z.boolean(),
    }),
  ),
  /** In the original workspace: verifies a decision file and lists what applying it changes (refuses with why). */
  'review.previewDecisions': op(z.object({ text: decisionFileText }).strict(), decisionFilePreview),
  /** Applies it, given the signer's key fingerprint as confirmed with the reviewer. */
  'review.applyDecisions': op(
    z.object({ text: decisionFileText, fingerprint: z.string().min(8).max(100) }).strict(),
    z.object({ applied: decisionFilePreview, signedOff: z.boolean(), summary: reviewSummary }),
  ),
  'package.save': op(
    z
      .object({
        out: absolutePath,
        mode: z.enum(['redacted', 'encrypted']),
        passphrase: z.string().min(12).max(1024).optional(),
      })
      .strict(),
    packageInfo,
  ),
  'package.open': op(
    z
      .object({ file: absolutePath, folder: absolutePath, passphrase: z.string().max(1024).optional() })
      .strict(),
    z.object({ workspacePath: z.string(), package: packageInfo }),
  ),
} as const;

export const reviewOperationNames = Object.keys(reviewContract) as (keyof typeof reviewContract)[];
