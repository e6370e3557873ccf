import type { Database } from 'better-sqlite3';
import { ENTERPRISE_STRATEGIES, PASSWORDLESS_STRATEGIES } from '../sandbox/generator';
import { loadMetadataMapping } from './config';
import { reviewDataDigest } from './data-digest';
import { WORKOS_LIMITS } from './limits';
import { storeTotals } from './totals';
import { roleMappings } from './roles';

// Findings over the workspace, computed in SQL. Per-user findings are materialized into review_user_issues (one
// row per code and user), so the review's filters and their exact counts are index walks even at 1,000,000 users.
// Each finding says what happens to the entities involved.

export type Severity = 'error' | 'warning' | 'info';
export type FindingEntity = 'user' | 'organization' | 'role' | 'connection' | 'logic' | 'export';

export interface Finding {
  code: string;
  severity: Severity;
  entity: FindingEntity;
  title: string;
  /** What happens to the entities involved. */
  consequence: string;
  count: number;
  /** Code-specific detail: providers to configure, groups, per-strategy counts... Never personal data. */
  summary: Record<string, unknown>;
}

const SOCIAL_EXCLUDED = new Set(['auth0', ...ENTERPRISE_STRATEGIES, ...PASSWORDLESS_STRATEGIES]);
const list = (s: Iterable<string>) => [...s].map((x) => `'${x.replace(/'/g, "''")}'`).join(', ');
const ENTERPRISE_SQL = list(ENTERPRISE_STRATEGIES);
const PASSWORDLESS_SQL = list(PASSWORDLESS_STRATEGIES);
const NOT_SOCIAL_SQL = list(SOCIAL_EXCLUDED);

/** Whether the password merge step (migration 003) has stored any hash. */
function hashesMerged(db: Database): boolean {
  return Boolean(db.prepare('SELECT 1 FROM password_hashes LIMIT 1').get());
}

interface UserRule {
  code: string;
  severity: Severity;
  title: string;
  consequence: string;
  /** SELECT user_id ... (distinct) */
  select: (db: Database) => string;
  summary?: (db: Database) => Record<string, unknown>;
}

function metadataSql(db: Database, kind: 'over' | 'stringified'): string {
  const cfg = loadMetadataMapping(db);
  const facts = cfg.facts.length;
  const kv = `SELECT u.user_id, j.key AS key, j.type AS type, j.value AS value, '${cfg.appMetadataPrefix.replace(/'/g, "''")}' AS prefix
     FROM auth0_users u, json_each(u.raw_json, '$.app_metadata') j WHERE json_type(u.raw_json, '$.app_metadata') = 'object'
     UNION ALL
     SELECT u.user_id, j.key, j.type, j.value, '${cfg.userMetadataPrefix.replace(/'/g, "''")}'
     FROM auth0_users u, json_each(u.raw_json, '$.user_metadata') j WHERE json_type(u.raw_json, '$.user_metadata') = 'object'`;
  if (kind === 'stringified')
    return `SELECT DISTINCT user_id FROM (${kv}) WHERE type NOT IN ('text', 'null')`;
  return `SELECT user_id FROM (${kv}) GROUP BY user_id
    HAVING count(*) + ${facts} > ${WORKOS_LIMITS.metadataKeys}
        OR max(length(prefix) + length(key)) > ${WORKOS_LIMITS.metadataKeyLength}
        OR max(CASE WHEN type = 'text' THEN length(value) WHEN type IN ('object', 'array') THEN length(value) ELSE 0 END) > ${WORKOS_LIMITS.metadataValueLength}`;
}

const userRules: UserRule[] = [
  {
    code: 'users_without_email',
    severity: 'warning',
    title: 'Users without an email address',
    consequence: 'Not migrated: WorkOS users need an email address.',
    select: () => 'SELECT user_id FROM auth0_users WHERE email IS NULL',
  },
  {
    code: 'duplicate_emails',
    severity: 'warning',
    title: 'Duplicate email addresses across connections',
    consequence:
      'One account per email survives in WorkOS (the admin chooses; default: verified, then most recent login); the others are merged into it and their Auth0 ids kept in its metadata.',
    select: () =>
      `SELECT user_id FROM auth0_users WHERE email_lower IN
         (SELECT email_lower FROM auth0_users WHERE email_lower IS NOT NULL GROUP BY email_lower HAVING count(*) > 1)`,
    summary: (db) => ({
      groups: db
        .prepare(
          'SELECT count(*) FROM (SELECT 1 FROM auth0_users WHERE email_lower IS NOT NULL GROUP BY email_lower HAVING count(*) > 1)',
        )
        .pluck()
        .get(),
      extraAccounts: db
        .prepare(
          'SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM auth0_users WHERE email_lower IS NOT NULL GROUP BY email_lower HAVING n > 1)',
        )
        .pluck()
        .get(),
      decided: db.prepare('SELECT count(*) FROM review_survivors').pluck().get(),
    }),
  },
  {
    code: 'federated_users',
    severity: 'info',
    title: 'Enterprise (federated) users',
    consequence: 'Migrated; they sign in through SSO once the connection is configured in WorkOS.',
    select: () => `SELECT user_id FROM auth0_users WHERE strategy IN (${ENTERPRISE_SQL})`,
    summary: (db) => ({ providers: providerList(db, `strategy IN (${ENTERPRISE_SQL})`) }),
  },
  {
    code: 'social_users',
    severity: 'info',
    title: 'Social sign-in users',
    consequence:
      'Migrated; they keep signing in with the same provider once it is configured in WorkOS (linked by email).',
    select: () => `SELECT user_id FROM auth0_users WHERE strategy NOT IN (${NOT_SOCIAL_SQL})`,
    summary: (db) => ({ providers: providerList(db, `strategy NOT IN (${NOT_SOCIAL_SQL})`) }),
  },
  {
    code: 'passwordless_users',
    severity: 'warning',
    title: 'Passwordless (email or SMS code) users',
    consequence:
      'Email users are migrated and sign in with Magic Auth; SMS users have no email and are not migrated.',
    select: () => `SELECT user_id FROM auth0_users WHERE strategy IN (${PASSWORDLESS_SQL})`,
    summary: (db) => ({ providers: providerList(db, `strategy IN (${PASSWORDLESS_SQL})`) }),
  },
  {
    code: 'blocked_users',
    severity: 'warning',
    title: 'Blocked users',
    consequence: 'WorkOS has no blocked state; the blocked_users policy decides (default: not migrated).',
    select: () => 'SELECT user_id FROM auth0_users WHERE blocked = 1',
  },
  {
    code: 'unverified_emails',
    severity: 'info',
    title: 'Unverified email addresses',
    consequence: 'Migrated with email_verified = false (carried exactly); WorkOS asks them to verify.',
    select: () => 'SELECT user_id FROM auth0_users WHERE email IS NOT NULL AND email_verified IS NOT 1',
  },
  {
    code: 'users_without_hash',
    severity: 'warning',
    title: 'Database users without a password hash',
    consequence: 'Migrated without a password: they set one with a reset email or sign in with Magic Auth.',
    select: () =>
      'SELECT user_id FROM auth0_users u WHERE is_database = 1 AND NOT EXISTS (SELECT 1 FROM password_hashes h WHERE h.user_id = u.user_id)',
    summary: (db) => ({ passwordFileMerged: hashesMerged(db) }),
  },
  {
    code: 'unimportable_hashes',
    severity: 'error',
    title: 'Password hashes WorkOS cannot import',
    consequence: 'Imported without a password: these users reset it or use Magic Auth.',
    select: () => 'SELECT user_id FROM password_hashes WHERE importable = 0',
    summary: (db) => ({
      byAlgorithm: Object.fromEntries(
        (
          db
            .prepare(
              'SELECT algorithm, count(*) AS n FROM password_hashes WHERE importable = 0 GROUP BY algorithm',
            )
            .all() as { algorithm: string; n: number }[]
        ).map((r) => [r.algorithm, r.n]),
      ),
    }),
  },
  {
    code: 'sms_mfa_reenrol',
    severity: 'warning',
    title: 'SMS MFA users who must re-enrol',
    consequence:
      'WorkOS has no SMS factor: they re-enrol with an authenticator app (TOTP) or use Magic Auth.',
    select: () => "SELECT DISTINCT user_id FROM auth0_mfa_enrolments WHERE type IN ('phone', 'sms', 'voice')",
  },
  {
    code: 'push_mfa_reenrol',
    severity: 'warning',
    title: 'Push (Guardian) MFA users who must re-enrol',
    consequence: 'Guardian push cannot move: they re-enrol with an authenticator app (TOTP).',
    select: () => "SELECT DISTINCT user_id FROM auth0_mfa_enrolments WHERE type IN ('push', 'guardian')",
  },
  {
    code: 'passkey_users',
    severity: 'warning',
    title: 'Passkey / WebAuthn users',
    consequence: 'Passkeys are bound to the old origin: they enrol again in WorkOS.',
    select: () =>
      "SELECT DISTINCT user_id FROM auth0_mfa_enrolments WHERE type IN ('webauthn-roaming', 'webauthn-platform', 'passkey')",
  },
  {
    code: 'metadata_over_limits',
    severity: 'warning',
    title: 'Metadata over WorkOS limits',
    consequence: `Values that do not fit (more than ${WORKOS_LIMITS.metadataKeys} keys, keys over ${WORKOS_LIMITS.metadataKeyLength} or values over ${WORKOS_LIMITS.metadataValueLength} characters) are left out and listed per user; nothing is cut.`,
    select: (db) => metadataSql(db, 'over'),
  },
  {
    code: 'metadata_not_strings',
    severity: 'info',
    title: 'Metadata values that are not strings',
    consequence: 'Stored in WorkOS as JSON text (WorkOS metadata values are strings).',
    select: (db) => metadataSql(db, 'stringified'),
  },
  {
    code: 'users_without_organization',
    severity: 'info',
    title: 'Users in no organization',
    consequence: 'Migrated as users without a membership (policy users_without_organization).',
    select: () =>
      'SELECT user_id FROM auth0_users u WHERE NOT EXISTS (SELECT 1 FROM auth0_memberships m WHERE m.user_id = u.user_id)',
  },
  {
    code: 'multi_org_users',
    severity: 'info',
    title: 'Users in several organizations',
    consequence: 'One WorkOS membership per organization, each with the union of the roles held there.',
    select: () => 'SELECT user_id FROM auth0_memberships GROUP BY user_id HAVING count(*) > 1',
  },
];

function providerList(
  db: Database,
  where: string,
): { connection: string; strategy: string; users: number }[] {
  return db
    .prepare(
      `SELECT coalesce(connection, '') AS connection, coalesce(strategy, '') AS strategy, count(*) AS users
       FROM auth0_users WHERE ${where} GROUP BY 1, 2 ORDER BY 1`,
    )
    .all() as { connection: string; strategy: string; users: number }[];
}

export const userFindingCodes = userRules.map((r) => r.code);
export const userRuleCount = userRules.length;

export interface RefreshProgress {
  /** Called after each step with the number of steps done (rules here). */
  step?: (done: number, message: string) => void;
  /** Throws to stop between steps (a job asked to pause or cancel). */
  check?: () => void;
}

/**
 * Recomputes review_user_issues rule by rule. Each rule is its own transaction, which also stores that rule's new
 * count in review_findings: a reader (the review's tables, in another thread) sees each filter's rows and total
 * change together, and no write lock is held for the whole pass.
 *
 * A rule's users are first collected into a temporary table, which is this connection's own and takes no lock on
 * the workspace; only the difference is then written under the write lock. At a million users a rule's query takes
 * up to 6 s, and other writers (an export's batches, the app's main thread) waited up to 10 s for a rule; measured
 * now, they wait at most 0.63 s, whether every row is new or little changed (docs/review-packages.md).
 */
export function materializeUserIssues(db: Database, progress: RefreshProgress = {}): void {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS rule_users (user_id TEXT PRIMARY KEY) WITHOUT ROWID');
  const clear = db.prepare('DELETE FROM temp.rule_users');
  const gone = db.prepare(
    'DELETE FROM review_user_issues WHERE code = ? AND user_id NOT IN (SELECT user_id FROM temp.rule_users)',
  );
  const add = db.prepare(
    'INSERT OR IGNORE INTO review_user_issues (code, user_id) SELECT ?, user_id FROM temp.rule_users',
  );
  const collected = db.prepare('SELECT count(*) FROM temp.rule_users').pluck();
  const setCount = db.prepare(
    "UPDATE review_findings SET count = @n, summary_json = json_set(summary_json, '$.count', @n) WHERE code = @code",
  );
  try {
    userRules.forEach((r, i) => {
      progress.check?.();
      clear.run();
      const sel = r.select(db);
      if (sel)
        db.prepare(`INSERT OR IGNORE INTO temp.rule_users (user_id) SELECT user_id FROM (${sel})`).run();
      db.transaction(() => {
        gone.run(r.code);
        add.run(r.code);
        setCount.run({ n: collected.get() as number, code: r.code });
      })();
      progress.step?.(i + 1, r.title);
    });
  } finally {
    db.exec('DROP TABLE IF EXISTS temp.rule_users');
  }
}

type ConnectionReadiness = 'ready' | 'needs_attention' | 'not_applicable';

/** Connections by protocol and readiness (cheap: reads the connections table alone). */
export function connectionFindings(db: Database): Finding {
  const rows = db
    .prepare(
      'SELECT name, strategy, options_json, options_missing, secret_fields FROM auth0_connections ORDER BY name',
    )
    .all() as {
    name: string;
    strategy: string;
    options_json: string | null;
    options_missing: number;
    secret_fields: string | null;
  }[];
  const out: {
    name: string;
    strategy: string;
    protocol: string;
    readiness: ConnectionReadiness;
    missing: string[];
  }[] = [];
  for (const c of rows) {
    const o = (c.options_json ? JSON.parse(c.options_json) : {}) as Record<string, unknown>;
    const secrets = new Set<string>(c.secret_fields ? (JSON.parse(c.secret_fields) as string[]) : []);
    const has = (k: string) => (o[k] !== undefined && o[k] !== null && o[k] !== '') || secrets.has(k);
    let protocol: string;
    let need: string[] = [];
    if (c.strategy === 'auth0') protocol = 'database';
    else if (PASSWORDLESS_STRATEGIES.has(c.strategy)) protocol = 'passwordless';
    else if (c.strategy === 'samlp' || c.strategy === 'adfs' || c.strategy === 'pingfederate') {
      protocol = 'saml';
      need =
        c.strategy === 'adfs'
          ? ['adfs_server|fedMetadataXml']
          : ['signInEndpoint|metadataUrl', 'signingCert|cert|metadataUrl'];
    } else if (
      c.strategy === 'oidc' ||
      c.strategy === 'okta' ||
      c.strategy === 'waad' ||
      c.strategy === 'google-apps'
    ) {
      protocol = 'oidc';
      need = [
        'client_id',
        'client_secret',
        c.strategy === 'waad' ? 'tenant_domain|tenant_id' : 'discovery_url|issuer|domain',
      ];
    } else protocol = 'social';
    const missing = c.options_missing ? ['options'] : need.filter((alts) => !alts.split('|').some(has));
    const readiness: ConnectionReadiness =
      protocol === 'database' || protocol === 'passwordless'
        ? 'not_applicable'
        : missing.length
          ? 'needs_attention'
          : 'ready';
    out.push({ name: c.name, strategy: c.strategy, protocol, readiness, missing });
  }
  const byProtocol: Record<string, number> = {};
  for (const c of out) byProtocol[c.protocol] = (byProtocol[c.protocol] ?? 0) + 1;
  return {
    code: 'connections',
    severity: out.some((c) => c.readiness === 'needs_attention') ? 'warning' : 'info',
    entity: 'connection',
    title: 'Connections by protocol and readiness',
    consequence:
      'Enterprise connections are recreated in WorkOS (SAML/OIDC, via the Admin Portal or the CSV files); social providers are configured in WorkOS; database and passwordless connections have no WorkOS counterpart.',
    count: out.length,
    summary: {
      byProtocol,
      connections: out,
      needsAttention: out.filter((c) => c.readiness === 'needs_attention').length,
    },
  };
}

function count(db: Database, sql: string, ...args: unknown[]): number {
  return db
    .prepare(sql)
    .pluck()
    .get(...args) as number;
}

/** Role names that need attention; depends on the role-mapping decisions too. */
export function roleNameFinding(db: Database): Finding {
  const roles = roleMappings(db);
  const roleProblems = roles.filter((r) => r.problems.some((p) => p.code !== 'role_slug_derived'));
  return {
    code: 'role_name_problems',
    severity: 'warning',
    entity: 'role',
    title: 'Role names that need attention',
    consequence:
      'Mapped explicitly: onto a WorkOS built-in role, or to a derived slug with a suffix where two names collide; edit the mapping to change it.',
    count: roleProblems.length,
    summary: {
      roles: roleProblems.map((r) => ({
        roleId: r.roleId,
        name: r.auth0Name,
        slug: r.slug,
        problems: r.problems.map((p) => p.code),
      })),
    },
  };
}

/** Every finding with its exact count. Recomputes the per-user materialization first unless told not to (read-only). */
export function computeFindings(
  db: Database,
  opts: { materialize?: boolean; progress?: RefreshProgress } = {},
): Finding[] {
  if (opts.materialize !== false) materializeUserIssues(db, opts.progress);
  const userCount = (code: string) =>
    count(db, 'SELECT count(*) FROM review_user_issues WHERE code = ?', code);
  const findings: Finding[] = userRules.map((r) => ({
    code: r.code,
    severity: r.severity,
    entity: 'user',
    title: r.title,
    consequence: r.consequence,
    count: userCount(r.code),
    summary: r.summary?.(db) ?? {},
  }));

  findings.push({
    code: 'organizations_without_members',
    severity: 'warning',
    entity: 'organization',
    title: 'Organizations without members',
    consequence: 'Created in WorkOS, empty.',
    count: count(
      db,
      'SELECT count(*) FROM auth0_organizations o WHERE NOT EXISTS (SELECT 1 FROM auth0_memberships m WHERE m.org_id = o.org_id)',
    ),
    summary: {},
  });
  findings.push({
    code: 'organizations_without_domains',
    severity: 'info',
    entity: 'organization',
    title: 'Organizations without domains',
    consequence:
      'Created without domains (Auth0 keeps domains only on enterprise connections enabled for the organization).',
    count: count(
      db,
      `SELECT count(*) FROM auth0_organizations o WHERE NOT EXISTS (
         SELECT 1 FROM auth0_org_connections oc JOIN auth0_connections c ON c.connection_id = oc.connection_id
         WHERE oc.org_id = o.org_id AND json_valid(c.options_json) AND json_array_length(c.options_json, '$.domain_aliases') > 0)`,
    ),
    summary: {},
  });
  findings.push(roleNameFinding(db));
  findings.push(connectionFindings(db));
  const logic = db.prepare('SELECT kind, count(*) AS n FROM auth0_custom_logic GROUP BY kind').all() as {
    kind: string;
    n: number;
  }[];
  findings.push({
    code: 'custom_logic',
    severity: 'warning',
    entity: 'logic',
    title: 'Actions, Rules and Hooks to rewrite',
    consequence: 'Not migrated: Auth0 code must be rewritten (WorkOS Actions, webhooks or your backend).',
    count: logic.reduce((n, r) => n + r.n, 0),
    summary: Object.fromEntries(logic.map((r) => [r.kind, r.n])),
  });
  const run = db
    .prepare('SELECT run_id, state FROM auth0_export_runs ORDER BY started_at DESC LIMIT 1')
    .get() as { run_id: string; state: string } | undefined;
  const incomplete = run
    ? (db
        .prepare(
          'SELECT entity, exported, expected, note FROM auth0_export_completeness WHERE run_id = ? AND complete = 0 ORDER BY entity',
        )
        .all(run.run_id) as {
        entity: string;
        exported: number;
        expected: number | null;
        note: string | null;
      }[])
    : [];
  findings.push({
    code: 'export_incomplete',
    severity: 'error',
    entity: 'export',
    title: 'Incomplete export',
    consequence: 'What was not exported cannot be migrated: run the export again before importing.',
    count: !run ? 1 : run.state !== 'complete' ? Math.max(1, incomplete.length) : incomplete.length,
    summary: { runState: run?.state ?? 'none', entities: incomplete },
  });
  return findings;
}

export const FINDINGS_DATA_DIGEST = 'review.findingsDataDigest';

/** Computes and stores the findings (review_findings) and the data digest they were computed from; returns them. */
export function refreshFindings(db: Database, progress?: RefreshProgress): Finding[] {
  // The data as the pass starts: an export or a merge that commits while the rules run leaves the stored findings
  // marked stale rather than passing for current.
  const digest = reviewDataDigest({ db });
  const findings = computeFindings(db, { progress });
  const at = new Date().toISOString();
  db.transaction(() => {
    db.prepare('DELETE FROM review_findings').run();
    const ins = db.prepare(
      'INSERT INTO review_findings (code, severity, count, summary_json, computed_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const f of findings) ins.run(f.code, f.severity, f.count, JSON.stringify({ ...f }), at);
    db.prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    ).run(FINDINGS_DATA_DIGEST, JSON.stringify(digest), at);
    storeTotals(db, at);
  })();
  return findings;
}

/** The stored findings (from the last refresh, or from a package); empty when never computed. */
export function storedFindings(db: Database): { findings: Finding[]; computedAt: string | null } {
  const rows = db.prepare('SELECT summary_json, computed_at FROM review_findings').all() as {
    summary_json: string;
    computed_at: string;
  }[];
  const order = new Map<string, number>();
  const sev: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  const findings = rows.map((r) => JSON.parse(r.summary_json) as Finding);
  findings.forEach((f, i) => order.set(f.code, i));
  findings.sort((a, b) => sev[a.severity] - sev[b.severity] || a.code.localeCompare(b.code));
  return { findings, computedAt: rows[0]?.computed_at ?? null };
}
