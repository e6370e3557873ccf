import { z } from 'zod';

// The SSO hand-off and the migration report (spread into `contract` in contract.ts; names listed in operations.ts).
// Nothing here carries a secret: connections show which secret fields exist (names only) and whether a certificate
// is present; an Admin Portal link is returned once, to be shown to the admin, and never stored.

const op = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const empty = z.object({}).strict();
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');
const id = z.string().trim().min(1).max(256);

export const portalIntent = z.enum(['sso', 'domain_verification']);
export type PortalIntent = z.infer<typeof portalIntent>;

export const ssoIdpFacts = z.object({
  entityId: z.string().nullable(),
  ssoUrl: z.string().nullable(),
  metadataUrl: z.string().nullable(),
  /** Whether a signing certificate is present (the certificate itself is public but long; the CSV carries it). */
  certificate: z.boolean(),
  discoveryUrl: z.string().nullable(),
  issuer: z.string().nullable(),
  clientId: z.string().nullable(),
  /** Azure AD tenant domain or id. */
  tenant: z.string().nullable(),
  domains: z.array(z.string()),
  /** Names of the secret options the workspace holds encrypted (client_secret, decryptionKey...), never values. */
  secretFields: z.array(z.string()),
});

export const ssoConnectionOrg = z.object({
  orgId: z.string(),
  name: z.string(),
  /** The WorkOS organization the import created or matched; null before the import. */
  workosOrganizationId: z.string().nullable(),
  /** When an Admin Portal link with intent sso was last generated for this organization. */
  linkGeneratedAt: z.string().nullable(),
});

export const ssoConnection = z.object({
  connectionId: z.string(),
  name: z.string(),
  displayName: z.string().nullable(),
  strategy: z.string(),
  /** other: an enterprise strategy with no WorkOS protocol of its own (AD/LDAP connector, IP ranges). */
  protocol: z.enum(['saml', 'oidc', 'other']),
  readiness: z.enum(['ready', 'needs_attention']),
  /** Options the connection lacks for WorkOS (alternatives joined by |), or 'options' when Auth0 withheld them. */
  missing: z.array(z.string()),
  idp: ssoIdpFacts,
  /** Auth0 users who sign in through this connection. */
  users: z.number(),
  organizations: z.array(ssoConnectionOrg),
  handled: z.object({ at: z.string(), note: z.string().nullable() }).nullable(),
  /** A link was generated for every organization it is enabled for, or the admin marked it handled. */
  handedOff: z.boolean(),
});

export const ssoOrganization = z.object({
  orgId: z.string(),
  name: z.string(),
  workosOrganizationId: z.string().nullable(),
  /** Names of the enterprise connections enabled for it. */
  connections: z.array(z.string()),
  pendingDomains: z.array(z.string()),
  links: z.object({ sso: z.string().nullable(), domain_verification: z.string().nullable() }),
});

export const socialProvider = z.object({
  connection: z.string(),
  strategy: z.string(),
  label: z.string(),
  users: z.number(),
});

export const ssoHandoff = z.object({
  environment: z.string().nullable(),
  host: z.string().nullable(),
  /** Whether organizations were imported (portal links need WorkOS organization ids). */
  imported: z.boolean(),
  connections: z.array(ssoConnection),
  organizations: z.array(ssoOrganization),
  social: z.array(socialProvider),
  summary: z.object({
    enterprise: z.number(),
    handedOff: z.number(),
    linksGenerated: z.number(),
    pendingDomains: z.number(),
    socialUsers: z.number(),
  }),
  done: z.boolean(),
});
export type SsoHandoff = z.infer<typeof ssoHandoff>;

export const portalLink = z.object({
  /** The link itself: a bearer secret for the customer's IT admin, shown once and never stored or logged. */
  link: z.string(),
  orgId: z.string(),
  workosOrganizationId: z.string(),
  intent: portalIntent,
  generatedAt: z.string(),
});

// ---- the migration report

const countRecord = z.record(z.string(), z.number());

export const reportStage = z.enum([
  'workspace',
  'export',
  'passwords',
  'review',
  'plan',
  'import',
  'verify',
  'rollback',
  'sso',
  'report',
]);

export const migrationReport = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  tool: z.object({ name: z.string(), version: z.string() }),
  workspace: z.object({ id: z.string(), name: z.string(), createdAt: z.string(), rehearsal: z.boolean() }),
  tenant: z.object({
    auth0Domain: z.string().nullable(),
    workosEnvironment: z.string().nullable(),
    workosHost: z.string().nullable(),
  }),
  timeline: z.array(z.object({ at: z.string(), stage: reportStage, event: z.string() })),
  completeness: z.array(
    z.object({
      entity: z.string(),
      exported: z.number(),
      expected: z.number().nullable(),
      complete: z.boolean(),
      source: z.string(),
      note: z.string().nullable(),
    }),
  ),
  stages: z.object({
    exported: countRecord,
    merged: z.object({ passwords: countRecord.nullable(), mfa: countRecord.nullable() }),
    review: z.object({ toMigrate: z.number().nullable(), skipped: countRecord.nullable() }),
    planned: z.record(z.string(), countRecord).nullable(),
    imported: z.record(z.string(), countRecord).nullable(),
    verified: z.record(z.string(), countRecord).nullable(),
  }),
  findings: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['error', 'warning', 'info']),
      title: z.string(),
      count: z.number(),
    }),
  ),
  decisions: z.object({
    signed: z.boolean(),
    reviewer: z.string().nullable(),
    signedAt: z.string().nullable(),
    digest: z.string().nullable(),
    intact: z.boolean(),
    history: z.array(z.object({ action: z.string(), reviewer: z.string(), at: z.string() })),
    policies: z.record(z.string(), z.string()),
    userDecisions: z.object({ included: z.number(), excluded: z.number() }),
    survivors: z.number(),
    roleMappings: z.number(),
  }),
  import: z
    .object({
      planId: z.string(),
      environment: z.string(),
      created: countRecord,
      repaired: countRecord,
      linked: z.number(),
      skipped: countRecord,
      failed: z.number(),
      failures: z.array(z.object({ kind: z.string(), code: z.string(), count: z.number() })),
      requests: z.number().nullable(),
      rateLimited: z.number().nullable(),
    })
    .nullable(),
  verification: z
    .object({
      ok: z.boolean(),
      at: z.string(),
      mismatches: z.number(),
      passwords: z.object({ checked: z.number(), verified: z.number() }),
      rolledBackSince: z.boolean(),
    })
    .nullable(),
  rollback: z
    .object({ at: z.string().nullable(), deleted: countRecord, alreadyGone: z.number(), failed: z.number() })
    .nullable(),
  notMoved: z.array(
    z.object({
      code: z.string(),
      title: z.string(),
      count: z.number(),
      action: z.string(),
      detail: countRecord,
    }),
  ),
  sso: z.object({
    enterprise: z.number(),
    handedOff: z.number(),
    linksGenerated: z.number(),
    socialProviders: z.number(),
    socialUsers: z.number(),
    pendingDomains: z.number(),
  }),
  audit: z.object({
    entries: z.number(),
    headHash: z.string(),
    chainOk: z.boolean(),
    problem: z.string().nullable(),
  }),
});
export type MigrationReport = z.infer<typeof migrationReport>;

export const reportFormat = z.enum(['md', 'json']);

export const ssoReportOperations = {
  'sso.handoff': op(empty, ssoHandoff),
  /** A network write to WorkOS (POST /portal/generate_link): confirm must be true. */
  'sso.generateLink': op(
    z.object({ orgId: id, intent: portalIntent, confirm: z.literal(true) }).strict(),
    portalLink,
  ),
  'sso.markHandled': op(
    z
      .object({ connectionId: id, handled: z.boolean(), note: z.string().trim().max(500).optional() })
      .strict(),
    ssoHandoff,
  ),
  /** Writes sso/saml_connections.csv, sso/oidc_connections.csv and sso/handoff_notes.md into an empty folder.
   *  Secrets only with includeSecrets and confirmSecrets both true. */
  'sso.exportFiles': op(
    z
      .object({
        folder: absolutePath,
        includeSecrets: z.boolean().default(false),
        confirmSecrets: z.boolean().default(false),
      })
      .strict(),
    z.object({
      dir: z.string(),
      files: z.array(z.string()),
      counts: z.object({ saml: z.number(), oidc: z.number() }),
      secretsIncluded: z.boolean(),
    }),
  ),
  'report.get': op(empty, migrationReport),
  /** Asks where to save (a save dialog) and writes the report there; saved false when the admin cancelled. */
  'report.save': op(
    z.object({ format: reportFormat }).strict(),
    z.object({
      saved: z.boolean(),
      path: z.string().nullable(),
      format: reportFormat,
      savedAt: z.string().nullable(),
    }),
  ),
};
