import type { MigrationReport } from '../../shared/sso-report-contract';

// The report as Markdown, for a ticket, a change record or an auditor. Same content as the JSON form.

const esc = (v: unknown): string => String(v ?? '—').replace(/([\\`*_[\]<>|])/g, '\\$1');
const num = (v: number | null | undefined): string => (v == null ? '—' : v.toLocaleString('en-US'));

function table(head: string[], rows: (string | number | null | undefined)[][]): string[] {
  if (rows.length === 0) return ['_None._', ''];
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (typeof c === 'number' ? num(c) : esc(c))).join(' | ')} |`),
    '',
  ];
}

/** A record of records (kind -> action -> n) as one table with a column per inner key. */
function matrix(title: string, m: Record<string, Record<string, number>> | null): string[] {
  if (!m) return ['_Not done yet._', ''];
  const cols = [...new Set(Object.values(m).flatMap((r) => Object.keys(r)))];
  return table(
    [title, ...cols],
    Object.entries(m).map(([k, r]) => [k, ...cols.map((c) => r[c] ?? null)]),
  );
}

export function reportMarkdown(r: MigrationReport): string {
  const out: string[] = [];
  const line = (...l: string[]) => out.push(...l);
  line(
    `# Migration report: ${esc(r.workspace.name)}${r.workspace.rehearsal ? ' (REHEARSAL)' : ''}`,
    '',
    `Generated ${r.generatedAt} by ${esc(r.tool.name)} ${esc(r.tool.version)}.`,
    '',
    `- Auth0 tenant: ${esc(r.tenant.auth0Domain)}`,
    `- WorkOS environment: ${esc(r.tenant.workosEnvironment)} (${esc(r.tenant.workosHost)})`,
    `- Workspace: ${esc(r.workspace.id)}, created ${r.workspace.createdAt}`,
    '',
    '## Timeline',
    '',
    ...table(
      ['When', 'Stage', 'What'],
      r.timeline.map((t) => [t.at, t.stage, t.event]),
    ),
    '## Export completeness',
    '',
    ...table(
      ['Entity', 'Exported', 'Expected', 'Complete', 'Source', 'Note'],
      r.completeness.map((c) => [
        c.entity,
        c.exported,
        c.expected,
        c.complete ? 'yes' : 'NO',
        c.source,
        c.note,
      ]),
    ),
    '## Counts at each stage',
    '',
    '### Exported from Auth0',
    '',
    ...table(['Entity', 'Count'], Object.entries(r.stages.exported)),
    '### Merged from the support files',
    '',
    ...table(
      ['File', ...Object.keys(r.stages.merged.passwords ?? r.stages.merged.mfa ?? {})],
      (['passwords', 'mfa'] as const)
        .filter((k) => r.stages.merged[k])
        .map((k) => [k, ...Object.values(r.stages.merged[k]!)]),
    ),
    '### Review',
    '',
    `Users to migrate: ${num(r.stages.review.toMigrate)}.`,
    '',
    ...table(['Left out because', 'Users'], Object.entries(r.stages.review.skipped ?? {})),
    '### Plan',
    '',
    ...matrix('Entity', r.stages.planned),
    '### Import journal',
    '',
    ...matrix('Entity', r.stages.imported),
    '### Verification',
    '',
    ...matrix('Entity', r.stages.verified),
    '## Findings',
    '',
    ...table(
      ['Severity', 'Finding', 'Count'],
      r.findings.map((f) => [f.severity, f.title, f.count]),
    ),
    '## Decisions',
    '',
    r.decisions.signed
      ? `Signed off by ${esc(r.decisions.reviewer)} at ${r.decisions.signedAt}; decisions digest \`${r.decisions.digest}\` (${r.decisions.intact ? 'intact' : 'CHANGED SINCE THE SIGN-OFF'}).`
      : 'The review is not signed off.',
    '',
    `Explicit user decisions: ${num(r.decisions.userDecisions.included)} included, ${num(r.decisions.userDecisions.excluded)} excluded. Duplicate-email survivors chosen: ${num(r.decisions.survivors)}. Role mappings edited: ${num(r.decisions.roleMappings)}.`,
    '',
    'Policies set in the review (the others kept their defaults):',
    '',
    ...table(['Policy', 'Value'], Object.entries(r.decisions.policies)),
    ...table(
      ['When', 'Sign-off history', 'Reviewer'],
      r.decisions.history.map((h) => [h.at, h.action, h.reviewer]),
    ),
    '## Import results',
    '',
  );
  if (r.import) {
    const i = r.import;
    line(
      `Plan ${esc(i.planId)} into ${esc(i.environment)}: ${num(i.failed)} failed operations, ${num(i.linked)} users linked to existing WorkOS users, ${num(i.requests)} requests, ${num(i.rateLimited)} rate-limited answers.`,
      '',
      ...table(
        ['Entity', 'Created', 'Repaired', 'Skipped'],
        [...new Set([...Object.keys(i.created), ...Object.keys(i.repaired), ...Object.keys(i.skipped)])].map(
          (k) => [k, i.created[k] ?? 0, i.repaired[k] ?? 0, i.skipped[k] ?? 0],
        ),
      ),
      ...(i.failures.length
        ? table(
            ['Entity', 'Failure code', 'Count'],
            i.failures.map((f) => [f.kind, f.code, f.count]),
          )
        : []),
    );
  } else line('_Nothing imported yet._', '');
  line('## Verification', '');
  if (r.verification) {
    const v = r.verification;
    line(
      `${v.ok ? 'Passed' : 'FAILED'} at ${v.at}: ${num(v.mismatches)} mismatches; ${num(v.passwords.verified)} of ${num(v.passwords.checked)} known passwords signed in.${v.rolledBackSince ? ' The import was rolled back after this verification.' : ''}`,
      '',
    );
  } else line('_Not verified yet._', '');
  if (r.rollback)
    line(
      '## Rollback',
      '',
      `At ${esc(r.rollback.at)}: deleted ${Object.entries(r.rollback.deleted)
        .map(([k, v]) => `${num(v)} ${k}`)
        .join(', ')}; ${num(r.rollback.alreadyGone)} already gone, ${num(r.rollback.failed)} failed.`,
      '',
    );
  line(
    '## What did not move, and why',
    '',
    ...table(
      ['What', 'Count', 'What to do', 'Detail'],
      r.notMoved.map((m) => [
        m.title,
        m.count,
        m.action,
        Object.entries(m.detail)
          .map(([k, v]) => `${k}: ${num(v)}`)
          .join(', '),
      ]),
    ),
    'Sessions and refresh tokens do not move: everyone signs in again once.',
    '',
    '## SSO hand-off',
    '',
    `${num(r.sso.handedOff)} of ${num(r.sso.enterprise)} enterprise connections handed off; ${num(r.sso.linksGenerated)} Admin Portal links generated; ${num(r.sso.pendingDomains)} domains waiting for verification; ${num(r.sso.socialProviders)} social providers to configure (${num(r.sso.socialUsers)} users).`,
    '',
    '## Audit log',
    '',
    `${num(r.audit.entries)} entries; head hash \`${r.audit.headHash}\`; chain ${r.audit.chainOk ? 'verified' : `BROKEN: ${esc(r.audit.problem)}`}.`,
    '',
  );
  return out.join('\n');
}
