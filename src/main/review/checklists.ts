import { stringify } from 'csv-stringify/sync';
import type { HasDb } from './mapping';
import { storedFindings } from './findings';

// CSV exports for the admin: the findings, the re-enrolment checklist (who must set up MFA again and why) and
// the provider checklist (what to configure in WorkOS). These files are for the admin and hold email addresses.

export interface CsvExport {
  fileName: string;
  csv: string;
  rows: number;
}

export function findingsCsv(ws: HasDb): CsvExport {
  const { findings } = storedFindings(ws.db);
  const rows = findings.map((f) => [f.code, f.severity, f.entity, f.count, f.title, f.consequence]);
  return {
    fileName: 'findings.csv',
    csv: stringify([['code', 'severity', 'entity', 'count', 'title', 'consequence'], ...rows]),
    rows: rows.length,
  };
}

export function reenrolmentCsv(ws: HasDb): CsvExport {
  const rows = ws.db
    .prepare(
      `SELECT u.user_id, u.email, group_concat(DISTINCT e.type) AS factors FROM auth0_mfa_enrolments e
       JOIN auth0_users u ON u.user_id = e.user_id
       WHERE e.type IN ('phone', 'sms', 'voice', 'push', 'guardian', 'webauthn-roaming', 'webauthn-platform', 'passkey')
       GROUP BY u.user_id ORDER BY u.user_id`,
    )
    .all() as { user_id: string; email: string | null; factors: string }[];
  const why = (f: string) =>
    f
      .split(',')
      .map((t) =>
        t === 'phone' || t === 'sms' || t === 'voice'
          ? 'SMS/voice: WorkOS has no SMS factor; enrol an authenticator app (TOTP)'
          : t === 'push' || t === 'guardian'
            ? 'Guardian push: enrol an authenticator app (TOTP)'
            : 'Passkey: enrol again in WorkOS (bound to the old origin)',
      )
      .join('; ');
  return {
    fileName: 'reenrolment-checklist.csv',
    csv: stringify([
      ['auth0_user_id', 'email', 'auth0_factors', 'action'],
      ...rows.map((r) => [r.user_id, r.email ?? '', r.factors, why(r.factors)]),
    ]),
    rows: rows.length,
  };
}

export function providersCsv(ws: HasDb): CsvExport {
  const rows = ws.db
    .prepare(
      `SELECT c.name, c.strategy, (SELECT count(*) FROM auth0_users u WHERE u.connection = c.name) AS users,
         (SELECT count(*) FROM auth0_org_connections oc WHERE oc.connection_id = c.connection_id) AS orgs
       FROM auth0_connections c WHERE c.strategy NOT IN ('auth0', 'email', 'sms') ORDER BY c.name`,
    )
    .all() as { name: string; strategy: string; users: number; orgs: number }[];
  const enterprise = new Set([
    'samlp',
    'oidc',
    'waad',
    'adfs',
    'okta',
    'google-apps',
    'pingfederate',
    'ad',
    'office365',
    'ip',
  ]);
  return {
    fileName: 'provider-checklist.csv',
    csv: stringify([
      ['connection', 'strategy', 'kind', 'users', 'organizations', 'configure_in_workos'],
      ...rows.map((r) => [
        r.name,
        r.strategy,
        enterprise.has(r.strategy) ? 'enterprise' : 'social',
        r.users,
        r.orgs,
        enterprise.has(r.strategy)
          ? 'SSO connection for each organization using it (Admin Portal or sso/*.csv)'
          : `Social login provider "${r.strategy}" in the WorkOS dashboard`,
      ]),
    ]),
    rows: rows.length,
  };
}
