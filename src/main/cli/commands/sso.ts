import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Output } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';
import type { Run } from './plan';

// `sso --workspace PATH [--portal-links [--yes]] [--export DIR [--include-secrets]] [--json]`: the SSO hand-off.
// Lists the enterprise connections per organization with their IdP facts, the social providers to configure and the
// domains to verify. --portal-links generates the missing Admin Portal links in WorkOS (a network write, confirmed
// at a prompt or with --yes) and prints them: they are bearer secrets for each organization's IT admin and are
// printed once, never stored. --export writes WorkOS's CLI SSO files; secrets only with --include-secrets.

type Handoff = Output<'sso.handoff'>;
type Link = Output<'sso.generateLink'> & { name: string };

async function confirm(question: string, yes: boolean, what: string): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY)
    throw new AppError(
      'invalid_input',
      `${what} needs a confirmation.`,
      'Pass --yes, or run it in a terminal.',
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} Type yes to go on: `)).trim().toLowerCase();
    if (answer !== 'yes') throw new AppError('cancelled', `${what} was not confirmed; nothing was written.`);
  } finally {
    rl.close();
  }
}

/** The links an organization still lacks: sso where an enterprise connection is enabled, domain verification
 *  where domains are pending. */
export function missingLinks(
  h: Handoff,
): { orgId: string; name: string; intent: 'sso' | 'domain_verification' }[] {
  const out: { orgId: string; name: string; intent: 'sso' | 'domain_verification' }[] = [];
  for (const o of h.organizations) {
    if (!o.workosOrganizationId) continue;
    if (o.connections.length && !o.links.sso) out.push({ orgId: o.orgId, name: o.name, intent: 'sso' });
    if (o.pendingDomains.length && !o.links.domain_verification)
      out.push({ orgId: o.orgId, name: o.name, intent: 'domain_verification' });
  }
  return out;
}

export async function generateMissingLinks(ctx: CliContext, h: Handoff): Promise<Link[]> {
  const links: Link[] = [];
  for (const m of missingLinks(h)) {
    const l = await callOperation(ctx.dispatch, 'sso.generateLink', {
      orgId: m.orgId,
      intent: m.intent,
      confirm: true,
    });
    links.push({ ...l, name: m.name });
  }
  return links;
}

export function describeHandoff(h: Handoff): string {
  const lines = [
    `Enterprise connections: ${h.summary.handedOff} of ${h.summary.enterprise} handed off${h.environment ? ` (WorkOS environment "${h.environment}")` : ''}.`,
  ];
  if (!h.imported)
    lines.push('The organizations are not imported yet: Admin Portal links need the import first.');
  for (const c of h.connections) {
    lines.push(
      '',
      `${c.handedOff ? '✓' : '•'} ${c.name} (${c.strategy}, ${c.protocol.toUpperCase()}, ${c.users} users)`,
    );
    const f = c.idp;
    for (const [k, v] of [
      ['entity id', f.entityId],
      ['SSO URL', f.ssoUrl],
      ['metadata', f.metadataUrl],
      ['certificate', f.certificate ? 'present' : null],
      ['discovery', f.discoveryUrl],
      ['client id', f.clientId],
      ['domains', f.domains.join(', ') || null],
    ] as const)
      if (v) lines.push(`    ${k}: ${v}`);
    if (c.missing.length) lines.push(`    needs attention: ${c.missing.join('; ')}`);
    for (const o of c.organizations)
      lines.push(
        `    org ${o.name} (${o.orgId}${o.workosOrganizationId ? ` → ${o.workosOrganizationId}` : ''}): ${o.linkGeneratedAt ? `link generated ${o.linkGeneratedAt}` : 'no link yet'}`,
      );
    if (c.organizations.length === 0) lines.push('    enabled for no organization');
    if (c.handled)
      lines.push(`    marked handled ${c.handled.at}${c.handled.note ? `: ${c.handled.note}` : ''}`);
  }
  if (h.social.length)
    lines.push(
      '',
      'Social providers to configure in the WorkOS dashboard:',
      ...h.social.map((s) => `  ${s.label} (${s.connection}): ${s.users} users`),
    );
  const pending = h.organizations.filter((o) => o.pendingDomains.length);
  if (pending.length)
    lines.push(
      '',
      'Domains to verify:',
      ...pending.map((o) => `  ${o.name}: ${o.pendingDomains.join(', ')}`),
    );
  return lines.join('\n');
}

export function registerSso(program: Command, run: Run): void {
  program
    .command('sso')
    .description(
      'the SSO hand-off: enterprise connections per organization, Admin Portal links, WorkOS CLI files',
    )
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--portal-links', 'generate the missing Admin Portal links in WorkOS and print them')
    .option('--yes', 'confirm generating links (and writing secrets with --include-secrets) without a prompt')
    .option(
      '--export <dir>',
      'write sso/saml_connections.csv, sso/oidc_connections.csv and sso/handoff_notes.md',
    )
    .option(
      '--include-secrets',
      'put connection secrets into the exported CSVs (clear text: handle with care)',
    )
    .action(function (this: Command) {
      const o = this.opts<{
        workspace: string;
        portalLinks?: boolean;
        yes?: boolean;
        export?: string;
        includeSecrets?: boolean;
      }>();
      return run(async (ctx) => {
        if (o.includeSecrets && !o.export)
          throw new AppError('invalid_input', '--include-secrets only goes with --export DIR.');
        await ctx.openWorkspace(o.workspace);
        let h = await callOperation(ctx.dispatch, 'sso.handoff', {});
        let links: Link[] = [];
        if (o.portalLinks) {
          const todo = missingLinks(h);
          if (!h.imported)
            throw new AppError(
              'not_found',
              'Nothing has been imported yet.',
              'Admin Portal links need the import first.',
            );
          if (todo.length) {
            await confirm(
              `Generate ${todo.length} Admin Portal link(s) in WorkOS environment "${h.environment}"?`,
              Boolean(o.yes),
              'Generating Admin Portal links',
            );
            links = await generateMissingLinks(ctx, h);
            h = await callOperation(ctx.dispatch, 'sso.handoff', {});
          }
        }
        let exported: Output<'sso.exportFiles'> | null = null;
        if (o.export) {
          if (o.includeSecrets) {
            process.stderr.write(
              'warning: the exported CSVs will hold client secrets and private keys in clear text.\n',
            );
            await confirm('Write connection secrets into the files?', Boolean(o.yes), 'Exporting secrets');
          }
          exported = await callOperation(ctx.dispatch, 'sso.exportFiles', {
            folder: resolve(o.export),
            includeSecrets: Boolean(o.includeSecrets),
            confirmSecrets: Boolean(o.includeSecrets),
          });
        }
        ctx.result({ ok: true, handoff: h, links, exported }, () =>
          [
            describeHandoff(h),
            ...(links.length
              ? [
                  '',
                  "Admin Portal links (bearer secrets: send each only to that organization's IT admin; they expire):",
                  ...links.map((l) => `  ${l.name} [${l.intent}]: ${l.link}`),
                ]
              : []),
            ...(exported
              ? [
                  '',
                  `Wrote ${exported.files.join(', ')} in ${exported.dir}${exported.secretsIncluded ? ' (WITH SECRETS)' : ''}.`,
                ]
              : []),
          ].join('\n'),
        );
      })();
    });
}
