import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../shared/errors';
import type { SsoHandoff } from '../../shared/sso-report-contract';
import { CSV_HEADERS, ssoCsvRows, type ConnectionSecrets } from '../pkg/workos-cli';
import type { LocationGuard, Workspace } from '../workspace';
import { buildHandoff } from './handoff';

// The SSO hand-off as files, in the layout of WorkOS's migrations CLI: sso/saml_connections.csv and
// sso/oidc_connections.csv (rows from src/main/pkg, the same as `package export-workos-cli` writes, with the WorkOS
// organization ids filled in once imported) and sso/handoff_notes.md for the people who configure SSO.
// Connection secrets go into the CSVs only when the admin explicitly asks; the files are then as sensitive as the
// workspace and are refused on network and cloud-sync folders.

export interface SsoExportOptions {
  includeSecrets: boolean;
  guard: LocationGuard;
}

export interface SsoExportResult {
  dir: string;
  files: string[];
  counts: { saml: number; oidc: number };
  secretsIncluded: boolean;
}

function connectionSecrets(ws: Workspace): ConnectionSecrets {
  const cipher = ws.cipher;
  if (!cipher)
    throw new AppError(
      'secrets_unavailable',
      "This workspace's key is not in this computer's keychain, so connection secrets cannot be read.",
      'Export without secrets, or open the workspace on the computer that holds its key.',
    );
  const get = ws.db.prepare('SELECT secrets_enc FROM auth0_connections WHERE connection_id = ?').pluck();
  return (id) => {
    const blob = get.get(id) as Buffer | null | undefined;
    if (!blob) return null;
    const plain = cipher.decrypt({ table: 'auth0_connections', column: 'secrets_enc', id }, blob);
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  };
}

export async function exportSsoFiles(
  ws: Workspace,
  dir: string,
  opts: SsoExportOptions,
): Promise<SsoExportResult> {
  const existing = await fsp.readdir(dir).catch(() => null);
  if (existing && existing.length > 0)
    throw new AppError('invalid_input', `${dir} is not empty; choose a new folder for the SSO hand-off.`);
  if (opts.includeSecrets) await opts.guard.assert(dir, 'hash file');
  const handoff = buildHandoff(ws);
  const orgs = new Map(handoff.organizations.map((o) => [o.orgId, o]));
  const external = new Map(
    (
      ws.db.prepare('SELECT org_id, coalesce(display_name, name) AS name FROM auth0_organizations').all() as {
        org_id: string;
        name: string;
      }[]
    ).map((o) => [o.org_id, o.name]),
  );
  const rows = ssoCsvRows(
    ws,
    (orgId) =>
      external.has(orgId)
        ? {
            name: external.get(orgId)!,
            externalId: orgId,
            workosId: orgs.get(orgId)?.workosOrganizationId ?? null,
          }
        : undefined,
    opts.includeSecrets ? connectionSecrets(ws) : undefined,
  );

  await fsp.mkdir(join(dir, 'sso'), { recursive: true, mode: 0o700 });
  const write = (rel: string, body: string) => fsp.writeFile(join(dir, rel), body, { mode: 0o600 });
  const csv = (file: keyof typeof CSV_HEADERS, data: string[][]) =>
    write(file, stringify([[...CSV_HEADERS[file]], ...data]));
  await csv('sso/saml_connections.csv', rows.saml);
  await csv('sso/oidc_connections.csv', rows.oidc);
  await write('sso/handoff_notes.md', handoffNotes(handoff, opts.includeSecrets));
  const counts = { saml: rows.saml.length, oidc: rows.oidc.length };
  // A reviewer's read-only copy can export too; the audit log records it where the workspace is writable.
  if (!ws.readOnly)
    ws.audit.append({
      actor: 'admin',
      action: 'sso.files.exported',
      details: { saml: counts.saml, oidc: counts.oidc, secretsIncluded: opts.includeSecrets },
    });
  return {
    dir,
    files: ['sso/saml_connections.csv', 'sso/oidc_connections.csv', 'sso/handoff_notes.md'],
    counts,
    secretsIncluded: opts.includeSecrets,
  };
}

const md = (s: string) => s.replace(/([\\`*_[\]<>|])/g, '\\$1');

/** The notes for whoever configures SSO: per organization, what to set up and where the facts are. */
export function handoffNotes(h: SsoHandoff, secretsIncluded: boolean): string {
  const out: string[] = ['# SSO hand-off', ''];
  out.push(
    h.environment
      ? `WorkOS environment: ${md(h.environment)} (${md(h.host ?? '')}).`
      : 'The organizations have not been imported into WorkOS yet: the organizationId columns are empty.',
    '',
    secretsIncluded
      ? '**These files contain connection secrets (client secrets, private keys).** Keep them on this computer, hand them over through a secure channel, and delete them once SSO is configured.'
      : "Connection secrets (client secrets, signing and decryption keys) are not in these files. The customer's IT admin enters them in the WorkOS Admin Portal, or the migrating admin exports the files again with secrets.",
    '',
    `Enterprise connections: ${h.summary.enterprise}, handed off: ${h.summary.handedOff}.`,
    '',
    '## Enterprise connections',
    '',
  );
  for (const c of h.connections) {
    out.push(`### ${md(c.displayName ?? c.name)} (${md(c.strategy)}, ${c.protocol.toUpperCase()})`, '');
    const f = c.idp;
    const facts: [string, string | null][] = [
      ['IdP entity id', f.entityId],
      ['IdP SSO URL', f.ssoUrl],
      ['Metadata URL', f.metadataUrl],
      ['Signing certificate', f.certificate ? 'present (x509Cert column)' : null],
      ['Discovery URL', f.discoveryUrl],
      ['Issuer', f.issuer],
      ['Client id', f.clientId],
      ['Azure AD tenant', f.tenant],
      ['Domains', f.domains.join(', ') || null],
      ['Secrets held encrypted in the workspace', f.secretFields.join(', ') || null],
    ];
    for (const [k, v] of facts) if (v) out.push(`- ${k}: ${md(v)}`);
    out.push(`- Users signing in through it: ${c.users}`);
    if (c.missing.length) out.push(`- Needs attention: ${md(c.missing.join('; '))}`);
    if (c.organizations.length === 0)
      out.push('- Enabled for no organization: decide which WorkOS organization gets it.');
    for (const o of c.organizations)
      out.push(
        `- Organization ${md(o.name)} (${md(o.orgId)}${o.workosOrganizationId ? ` → WorkOS ${md(o.workosOrganizationId)}` : ''}): ${o.linkGeneratedAt ? `Admin Portal link generated ${o.linkGeneratedAt}` : 'no Admin Portal link generated yet'}`,
      );
    if (c.handled)
      out.push(`- Marked handled ${c.handled.at}${c.handled.note ? `: ${md(c.handled.note)}` : ''}`);
    out.push('');
  }
  if (h.social.length) {
    out.push('## Social providers to configure in the WorkOS dashboard', '');
    for (const s of h.social)
      out.push(
        `- ${md(s.label)} (${md(s.connection)}): ${s.users} users sign in with it; WorkOS links them by email.`,
      );
    out.push('');
  }
  const pending = h.organizations.filter((o) => o.pendingDomains.length);
  if (pending.length) {
    out.push('## Domains to verify (Admin Portal, intent domain_verification)', '');
    for (const o of pending)
      out.push(
        `- ${md(o.name)}: ${md(o.pendingDomains.join(', '))}${o.links.domain_verification ? ` (link generated ${o.links.domain_verification})` : ''}`,
      );
    out.push('');
  }
  return out.join('\n');
}
