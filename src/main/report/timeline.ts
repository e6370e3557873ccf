import type { MigrationReport } from '../../shared/sso-report-contract';
import type { Workspace } from '../workspace';

// The migration's timeline, read from the hash-chained audit log: each milestone with its time and a sentence made
// of counts. Only the fields named here are read from an entry's details (some carry file digests or run ids the
// report has no use for).

type Stage = MigrationReport['timeline'][number]['stage'];
type Details = Record<string, unknown>;
type Describe = (d: Details, actor: string) => [Stage, string] | null;

const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

const EVENTS: Record<string, Describe> = {
  'workspace.created': () => ['workspace', 'Workspace created'],
  'rehearsal.started': (d) => [
    'workspace',
    `Rehearsal started with a generated tenant (${n(d.users)} users, ${n(d.orgs)} organizations)`,
  ],
  'job.started': (d) =>
    d.kind === 'auth0.export' && d.resumedAt === undefined ? ['export', 'Export from Auth0 started'] : null,
  'export.finished': (d) => ['export', `Export finished ${d.complete ? 'complete' : 'incomplete'}`],
  'export.failed': (d) => ['export', `Export failed (${s(d.code)})`],
  'passwords.merged': (d) => [
    'passwords',
    `Password hashes merged: ${n(d.matched)} of ${n(d.lines)} lines matched a user`,
  ],
  'mfa.merged': (d) => [
    'passwords',
    `TOTP secrets merged: ${n(d.matched)} of ${n(d.lines)} lines matched a user`,
  ],
  'review.signoff': (_d, actor) => ['review', `Review signed off by ${actor}`],
  'review.reopen': (_d, actor) => ['review', `Review reopened by ${actor}`],
  'workos.plan': (d) => [
    'plan',
    `Plan created: ${n(d.create)} to create, ${n(d.exists)} existing, ${n(d.repair)} to repair, ${n(d.conflict)} conflicts, ${n(d.skip)} skipped`,
  ],
  'workos.import.started': () => ['import', 'Import into WorkOS started'],
  'workos.import.completed': (d) => [
    'import',
    `Import completed (${n(d.requests)} requests, ${n(d.rateLimited)} rate-limited answers)`,
  ],
  'workos.import.incomplete': (d) => ['import', `Import run ended with ${n(d.failed)} failed operations`],
  'workos.import.retry': (d) => ['import', `Retry of ${n(d.operations)} failed operations`],
  'workos.verify': (d) => [
    'verify',
    `Verification ${d.ok ? 'passed' : 'failed'}: ${n(d.mismatches)} mismatches, ${n(d.passwordsVerified)} of ${n(d.passwordsChecked)} known passwords signed in`,
  ],
  'workos.rollback': (d) => {
    const del = (d.deleted ?? {}) as Details;
    return [
      'rollback',
      `Rollback deleted ${n(del.users)} users and ${n(del.organizations)} organizations (${n(d.failed)} failed)`,
    ];
  },
  'sso.portalLink.generated': (d) => [
    'sso',
    `Admin Portal link (${s(d.intent)}) generated for organization ${s(d.orgId)}`,
  ],
  'sso.connection.handled': (d) => [
    'sso',
    `Connection ${s(d.connectionId)} ${d.handled ? 'marked handled' : 'no longer marked handled'}`,
  ],
  'sso.files.exported': (d) => [
    'sso',
    `SSO hand-off files written (${n(d.saml)} SAML, ${n(d.oidc)} OIDC rows${d.secretsIncluded ? ', with secrets' : ''})`,
  ],
  'report.saved': (d) => ['report', `Report saved (${s(d.format)})`],
};

export function timeline(ws: Workspace): MigrationReport['timeline'] {
  const actions = Object.keys(EVENTS);
  const rows = ws.db
    .prepare(
      `SELECT at, actor, action, details_json FROM audit_log WHERE action IN (${actions.map(() => '?').join(', ')}) ORDER BY seq`,
    )
    .all(...actions) as { at: string; actor: string; action: string; details_json: string }[];
  const out: MigrationReport['timeline'] = [];
  for (const r of rows) {
    const described = EVENTS[r.action]!(JSON.parse(r.details_json) as Details, r.actor);
    if (described) out.push({ at: r.at, stage: described[0], event: described[1] });
  }
  return out;
}
