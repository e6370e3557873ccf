import type { MigrationReport } from '../../shared/sso-report-contract';
import { migrationReport } from '../../shared/sso-report-contract';
import { mergeStatus } from '../passwords/results';
import { signOffState } from '../review/decisions';
import { computeFindings, storedFindings, type Finding } from '../review/findings';
import { outcomeCounts, totals } from '../review/queries';
import { storedReview } from '../review/review';
import { buildHandoff } from '../sso/handoff';
import { importedPlan } from '../sso/organizations';
import { journalCounts } from '../workos/journal';
import { latestPlan } from '../workos/plan';
import { latestRollback } from '../workos/rollback';
import { latestVerification } from '../workos/verify';
import type { Workspace } from '../workspace';
import { timeline } from './timeline';

// The migration report, built from the workspace alone: what was exported, merged, decided, planned, imported and
// verified, what did not move and why, and the audit log's head hash. It holds counts, ids, names of things and
// times; never a secret, a password hash or an email address (any string that looks like one is withheld).

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
export const EMAIL_WITHHELD = '[email address withheld]';

/** Every string in the value with email-like text replaced (reviewer names and notes are typed by people). */
function withoutEmails<T>(value: T): T {
  if (typeof value === 'string') return value.replace(EMAIL, EMAIL_WITHHELD) as T;
  if (Array.isArray(value)) return value.map(withoutEmails) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [withoutEmails(k), withoutEmails(v)]),
    ) as T;
  return value;
}

const numbers = (o: object | null | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => typeof v === 'number')) as Record<
    string,
    number
  >;

const count = (ws: Workspace, sql: string, ...args: unknown[]): number =>
  ws.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;

// What cannot move to WorkOS, from the review's findings, with what the admin must do about it.
const NOT_MOVED: { code: string; action: string }[] = [
  {
    code: 'sms_mfa_reenrol',
    action: 'Re-enrol with an authenticator app (TOTP) or sign in with Magic Auth.',
  },
  { code: 'push_mfa_reenrol', action: 'Re-enrol with an authenticator app (TOTP).' },
  {
    code: 'passkey_users',
    action: 'Enrol a passkey again in WorkOS (passkeys are bound to the old origin).',
  },
  {
    code: 'custom_logic',
    action: 'Rewrite the Actions, Rules and Hooks (WorkOS Actions, webhooks or your backend).',
  },
  { code: 'users_without_hash', action: 'Set a password with a reset email, or sign in with Magic Auth.' },
  { code: 'unimportable_hashes', action: 'Set a password with a reset email, or sign in with Magic Auth.' },
  { code: 'users_without_email', action: 'Not migrated: WorkOS users need an email address.' },
];

export interface ReportOptions {
  version: string;
}

/**
 * The findings and outcome counts as of now. A writable workspace's stored ones while no export or merge came after
 * them (the report handler has the review refresh job bring them up to date first, off the main thread: both are a
 * pass over every user), else recomputed here. A read-only workspace cannot rewrite its per-user index: it reports
 * the findings stored at its last review.
 */
function reviewOf(ws: Workspace): { findings: Finding[]; outcomes: ReturnType<typeof outcomeCounts> } {
  if (!ws.readOnly)
    return storedReview(ws) ?? { findings: computeFindings(ws.db), outcomes: outcomeCounts(ws) };
  const stored = storedFindings(ws.db).findings;
  return {
    findings: stored.length ? stored : computeFindings(ws.db, { materialize: false }),
    outcomes: outcomeCounts(ws),
  };
}

export function buildReport(ws: Workspace, opts: ReportOptions): MigrationReport {
  const run = ws.db
    .prepare(
      "SELECT run_id, tenant_domain FROM auth0_export_runs WHERE state IN ('complete', 'incomplete') ORDER BY started_at DESC LIMIT 1",
    )
    .get() as { run_id: string; tenant_domain: string | null } | undefined;
  const plan = importedPlan(ws);
  const latest = latestPlan(ws);
  const { findings, outcomes } = reviewOf(ws);
  const signOff = signOffState(ws);
  const verify = latestVerification(ws);
  const rollback = latestRollback(ws);
  const audit = ws.audit.verify();

  const completeness = run
    ? (
        ws.db
          .prepare(
            'SELECT entity, exported, expected, complete, source, note FROM auth0_export_completeness WHERE run_id = ? ORDER BY entity',
          )
          .all(run.run_id) as {
          entity: string;
          exported: number;
          expected: number | null;
          complete: number;
          source: string;
          note: string | null;
        }[]
      ).map((c) => ({ ...c, complete: c.complete === 1 }))
    : [];

  const passwords = mergeStatus(ws.db, 'passwords').latest;
  const mfa = mergeStatus(ws.db, 'mfa').latest;

  let importSection: MigrationReport['import'] = null;
  let imported: Record<string, Record<string, number>> | null = null;
  if (plan) {
    imported = journalCounts(ws, plan.planId);
    const byKind = (where: string) =>
      Object.fromEntries(
        (
          ws.db
            .prepare(
              `SELECT substr(kind, 1, instr(kind, '.') - 1) AS k, count(*) AS n FROM workos_journal
               WHERE plan_id = ? AND ${where} GROUP BY k ORDER BY k`,
            )
            .all(plan.planId) as { k: string; n: number }[]
        ).map((r) => [r.k, r.n]),
      );
    const stats = ws.db
      .prepare('SELECT stats_json FROM workos_import_stats WHERE plan_id = ?')
      .pluck()
      .get(plan.planId) as string | undefined;
    const s = stats
      ? (JSON.parse(stats) as { requests?: Record<string, number>; rateLimited?: number })
      : null;
    importSection = {
      planId: plan.planId,
      environment: plan.environment,
      created: byKind("status = 'done' AND created = 1"),
      repaired: byKind("status = 'done' AND kind LIKE '%.repair'"),
      linked: count(
        ws,
        "SELECT count(*) FROM workos_journal WHERE plan_id = ? AND status = 'done' AND kind = 'user.link'",
        plan.planId,
      ),
      skipped: byKind("status = 'skipped'"),
      failed: count(
        ws,
        "SELECT count(*) FROM workos_journal WHERE plan_id = ? AND status = 'failed'",
        plan.planId,
      ),
      failures: ws.db
        .prepare(
          `SELECT substr(kind, 1, instr(kind, '.') - 1) AS kind, coalesce(error_code, 'unknown') AS code, count(*) AS count
             FROM workos_journal WHERE plan_id = ? AND status = 'failed' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
        )
        .all(plan.planId) as { kind: string; code: string; count: number }[],
      requests: s?.requests ? Object.values(s.requests).reduce((a, b) => a + b, 0) : null,
      rateLimited: s?.rateLimited ?? null,
    };
  }

  const verified = verify
    ? Object.fromEntries(
        Object.entries(verify.counts)
          .filter(([, v]) => typeof v === 'object')
          .map(([k, v]) => [k, numbers(v as object)]),
      )
    : null;

  const byCode = new Map(findings.map((f) => [f.code, f]));
  const notMoved: MigrationReport['notMoved'] = NOT_MOVED.flatMap(({ code, action }) => {
    const f = byCode.get(code);
    if (!f || f.count === 0) return [];
    const detail =
      code === 'unimportable_hashes'
        ? numbers(f.summary.byAlgorithm as object)
        : code === 'custom_logic'
          ? numbers(f.summary)
          : {};
    return [{ code, title: f.title, count: f.count, action, detail }];
  });
  const skipped = Object.entries(outcomes.skip).filter(([reason]) => reason !== 'merged_into_survivor');
  if (skipped.length)
    notMoved.push({
      code: 'users_not_migrated',
      title: 'Users the review left out',
      count: skipped.reduce((n, [, c]) => n + c, 0),
      action: 'Left in Auth0 by a review decision or policy; see the review for each one.',
      detail: Object.fromEntries(skipped),
    });

  const handoff = buildHandoff(ws);
  const report: MigrationReport = {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    tool: { name: 'Auth0 to WorkOS Migration Assistant', version: opts.version },
    workspace: { id: ws.id, name: ws.name, createdAt: ws.createdAt, rehearsal: ws.rehearsal },
    tenant: {
      auth0Domain: run?.tenant_domain ?? null,
      workosEnvironment: plan?.environment ?? latest?.environment ?? null,
      workosHost: plan?.host ?? latest?.host ?? null,
    },
    timeline: timeline(ws),
    completeness,
    stages: {
      exported: totals(ws.db),
      merged: {
        passwords: passwords ? numbers(passwords.counts) : null,
        mfa: mfa ? numbers(mfa.counts) : null,
      },
      review: { toMigrate: outcomes.create, skipped: outcomes.skip },
      planned: latest ? latest.counts : null,
      imported,
      verified,
    },
    findings: findings.map(({ code, severity, title, count }) => ({ code, severity, title, count })),
    decisions: {
      signed: signOff.signed,
      reviewer: signOff.reviewer,
      signedAt: signOff.at,
      digest: signOff.digest,
      intact: signOff.intact,
      history: signOff.history.map(({ action, reviewer, at }) => ({ action, reviewer, at })),
      policies: Object.fromEntries(
        (
          ws.db.prepare('SELECT code, value FROM review_policies ORDER BY code').all() as {
            code: string;
            value: string;
          }[]
        ).map((p) => [p.code, p.value]),
      ),
      userDecisions: {
        included: count(ws, 'SELECT count(*) FROM review_user_decisions WHERE include = 1'),
        excluded: count(ws, 'SELECT count(*) FROM review_user_decisions WHERE include = 0'),
      },
      survivors: count(ws, 'SELECT count(*) FROM review_survivors'),
      roleMappings: count(ws, 'SELECT count(*) FROM review_role_map'),
    },
    import: importSection,
    verification: verify
      ? {
          ok: verify.ok,
          at: verify.finishedAt,
          mismatches: verify.counts.mismatches,
          passwords: { checked: verify.counts.passwords.checked, verified: verify.counts.passwords.verified },
          rolledBackSince: false,
        }
      : null,
    rollback: rollback
      ? {
          at: rollbackFinishedAt(ws),
          deleted: numbers(rollback.deleted),
          alreadyGone: rollback.alreadyGone,
          failed: rollback.failed,
        }
      : null,
    notMoved,
    sso: {
      enterprise: handoff.summary.enterprise,
      handedOff: handoff.summary.handedOff,
      linksGenerated: handoff.summary.linksGenerated,
      socialProviders: handoff.social.length,
      socialUsers: handoff.summary.socialUsers,
      pendingDomains: handoff.summary.pendingDomains,
    },
    audit: {
      entries: audit.entries,
      headHash: audit.head,
      chainOk: audit.ok,
      problem: audit.problem ?? null,
    },
  };
  // Whether the verification still describes WorkOS: a later rollback undid what it checked.
  if (report.verification && report.rollback?.at && report.rollback.at > report.verification.at)
    report.verification.rolledBackSince = true;
  return migrationReport.parse(withoutEmails(report));
}

function rollbackFinishedAt(ws: Workspace): string | null {
  return (
    (ws.db
      .prepare(
        'SELECT finished_at FROM workos_rollbacks WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1',
      )
      .pluck()
      .get() as string | undefined) ?? null
  );
}
