import { createReadStream, createWriteStream, promises as fsp, type WriteStream } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../shared/errors';
import {
  iterateUserOutcomes,
  iterateWorkosMemberships,
  iterateWorkosOrganizations,
  workosRoles,
  type HasDb,
} from '../review/mapping';
import type { Workspace } from '../workspace';

// WorkOS's migrations CLI package (REFERENCE.md): a directory with manifest.json and CSVs, so that
// `npx workos migrations import-package DIR` can import what we exported, and such a directory can be read into
// a workspace. We never write secrets into it (no password hashes, TOTP secrets or SSO client secrets:
// `secretsRedacted: true`); the app's own import carries those from the encrypted workspace instead.

export const CSV_HEADERS = {
  'users.csv': [
    'email',
    'password',
    'password_hash',
    'password_hash_type',
    'first_name',
    'last_name',
    'email_verified',
    'external_id',
    'metadata',
    'org_id',
    'org_external_id',
    'org_name',
    'role_slugs',
  ],
  'organizations.csv': ['org_id', 'org_external_id', 'org_name', 'domains', 'metadata'],
  'organization_memberships.csv': [
    'email',
    'external_id',
    'user_id',
    'org_id',
    'org_external_id',
    'org_name',
    'role_slugs',
    'metadata',
  ],
  'role_definitions.csv': ['role_slug', 'role_name', 'role_type', 'permissions', 'org_id', 'org_external_id'],
  'user_role_assignments.csv': ['email', 'user_id', 'external_id', 'role_slug', 'org_id', 'org_external_id'],
  'totp_secrets.csv': ['email', 'totp_secret', 'totp_issuer', 'totp_user'],
  'sso/saml_connections.csv': [
    'name',
    'organizationName',
    'organizationId',
    'organizationExternalId',
    'domains',
    'idpEntityId',
    'idpUrl',
    'x509Cert',
    'idpMetadataUrl',
    'customEntityId',
    'customAcsUrl',
    'idpIdAttribute',
    'emailAttribute',
    'firstNameAttribute',
    'lastNameAttribute',
    'nameAttribute',
    'idpInitiatedEnabled',
    'requestSigningKey',
    'assertionEncryptionKey',
    'nameIdEncryptionKey',
    'externalId',
  ],
  'sso/oidc_connections.csv': [
    'name',
    'organizationName',
    'organizationId',
    'organizationExternalId',
    'domains',
    'clientId',
    'clientSecret',
    'discoveryEndpoint',
    'customRedirectUri',
    'externalId',
  ],
  'sso/proxy_routes.csv': [
    'externalId',
    'organizationExternalId',
    'provider',
    'protocol',
    'sourceAcsUrl',
    'sourceEntityId',
    'sourceRedirectUri',
    'customAcsUrl',
    'customEntityId',
    'customRedirectUri',
    'workosConnectionId',
    'workosAcsUrl',
    'cutoverState',
    'notes',
  ],
} as const;
type CsvFile = keyof typeof CSV_HEADERS;

const SAML = new Set(['samlp', 'adfs', 'pingfederate']);
const OIDC = new Set(['oidc', 'okta', 'waad', 'google-apps']);
const MAX_FILE = 4 * 1024 * 1024 * 1024;

class CsvOut {
  private s: WriteStream;
  rows = 0;
  constructor(file: string, header: readonly string[]) {
    this.s = createWriteStream(file, { mode: 0o600 });
    this.s.write(stringify([header as string[]]));
  }
  async row(values: (string | number | boolean | null)[]): Promise<void> {
    this.rows++;
    if (!this.s.write(stringify([values.map((v) => (v === null ? '' : String(v)))])))
      await new Promise<void>((r) => this.s.once('drain', () => r()));
  }
  close(): Promise<void> {
    return new Promise((res, rej) => this.s.end((e?: Error | null) => (e ? rej(e) : res())));
  }
}

interface ConnRow {
  connection_id: string;
  name: string;
  strategy: string;
  options_json: string | null;
}

export interface SsoOrgRef {
  name: string;
  externalId: string | null;
  /** The WorkOS organization id once the organization is imported (the organizationId column). */
  workosId?: string | null;
}

export interface SsoCsvRows {
  saml: string[][];
  oidc: string[][];
}

/** A connection's decrypted secret options (src/main/auth0/export/secrets.ts), or null when it has none. */
export type ConnectionSecrets = (connectionId: string) => Record<string, unknown> | null;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
/** A key given either as a PEM string or as Auth0's {key, cert} pair. */
const keyOf = (v: unknown): string =>
  typeof v === 'string' ? v : v && typeof v === 'object' ? text((v as { key?: unknown }).key) : '';

/**
 * The rows of sso/saml_connections.csv and sso/oidc_connections.csv: one per (organization, enterprise connection
 * enabled for it), in the columns of CSV_HEADERS. Secret columns stay empty unless `secrets` is given.
 */
export function ssoCsvRows(
  ws: HasDb,
  orgOf: (auth0OrgId: string) => SsoOrgRef | undefined,
  secrets?: ConnectionSecrets,
): SsoCsvRows {
  const rows: SsoCsvRows = { saml: [], oidc: [] };
  const conns = ws.db
    .prepare(
      `SELECT c.connection_id, c.name, c.strategy, c.options_json, oc.org_id FROM auth0_org_connections oc
       JOIN auth0_connections c ON c.connection_id = oc.connection_id ORDER BY oc.org_id, c.name`,
    )
    .all() as (ConnRow & { org_id: string })[];
  for (const c of conns) {
    const o = (c.options_json ? JSON.parse(c.options_json) : {}) as Record<string, unknown>;
    const secret =
      (SAML.has(c.strategy) || OIDC.has(c.strategy)) && secrets ? secrets(c.connection_id) : null;
    const org = orgOf(c.org_id);
    const domains = Array.isArray(o.domain_aliases) ? (o.domain_aliases as string[]).join(',') : '';
    const fields = (o.fieldsMap ?? {}) as Record<string, string>;
    if (SAML.has(c.strategy)) {
      rows.saml.push([
        c.name,
        org?.name ?? '',
        org?.workosId ?? '',
        org?.externalId ?? '',
        domains,
        text(o.entityId),
        text(o.signInEndpoint),
        text(o.signingCert ?? o.cert),
        text(o.metadataUrl ?? o.adfs_server),
        '',
        '',
        '',
        text(fields.email),
        text(fields.given_name),
        text(fields.family_name),
        text(fields.name),
        '',
        keyOf(secret?.signingKey),
        keyOf(secret?.decryptionKey),
        '',
        c.connection_id,
      ]);
    } else if (OIDC.has(c.strategy)) {
      const discovery =
        text(o.discovery_url) ||
        (c.strategy === 'waad' && text(o.tenant_domain)
          ? `https://login.microsoftonline.com/${text(o.tenant_domain)}/v2.0/.well-known/openid-configuration`
          : '');
      rows.oidc.push([
        c.name,
        org?.name ?? '',
        org?.workosId ?? '',
        org?.externalId ?? '',
        domains,
        text(o.client_id),
        text(secret?.client_secret),
        discovery,
        '',
        c.connection_id,
      ]);
    }
  }
  return rows;
}

export interface WorkosCliExportResult {
  dir: string;
  counts: Record<string, number>;
  files: string[];
}

/** Writes the WorkOS CLI directory for the workspace's mapping (decisions applied). `dir` must not exist or be empty. */
export async function exportWorkosCliDir(ws: HasDb, dir: string): Promise<WorkosCliExportResult> {
  const existing = await fsp.readdir(dir).catch(() => null);
  if (existing && existing.length > 0)
    throw new AppError(
      'invalid_input',
      `${dir} is not empty; choose a new folder for the WorkOS CLI package.`,
    );
  await fsp.mkdir(join(dir, 'sso'), { recursive: true, mode: 0o700 });
  await fsp.mkdir(join(dir, 'raw'), { recursive: true, mode: 0o700 });
  const out = Object.fromEntries(
    Object.entries(CSV_HEADERS).map(([f, h]) => [f, new CsvOut(join(dir, f), h)]),
  ) as Record<CsvFile, CsvOut>;
  const warnings = createWriteStream(join(dir, 'warnings.jsonl'), { mode: 0o600 });
  const skipped = createWriteStream(join(dir, 'skipped_users.jsonl'), { mode: 0o600 });
  let warningCount = 0;

  // Organizations (small enough to keep names in memory: the membership rows need them).
  const orgName = new Map<string, { name: string; externalId: string | null }>();
  for (const o of iterateWorkosOrganizations(ws)) {
    orgName.set(o.sourceOrgId, { name: o.name, externalId: o.externalId });
    await out['organizations.csv'].row([
      '',
      o.externalId,
      o.name,
      o.domains.map((d) => d.domain).join(','),
      JSON.stringify(o.metadata),
    ]);
    for (const p of o.problems) {
      warnings.write(
        JSON.stringify({
          entity: 'organization',
          external_id: o.externalId,
          code: p.code,
          detail: p.detail,
        }) + '\n',
      );
      warningCount++;
    }
  }
  for (const r of workosRoles(ws.db))
    await out['role_definitions.csv'].row([r.slug, r.name, 'environment', '', '', '']);

  // Users and memberships walk the same user order, so each user's rows can be written together.
  const memberships = iterateWorkosMemberships(ws);
  let pending = memberships.next();
  let users = 0;
  let skippedCount = 0;
  let membershipCount = 0;
  for (const o of iterateUserOutcomes(ws)) {
    if (o.kind === 'skip') {
      skipped.write(
        JSON.stringify({
          external_id: o.sourceUserId,
          reason: o.reason,
          ...(o.mergedInto ? { merged_into: o.mergedInto } : {}),
        }) + '\n',
      );
      skippedCount++;
      continue;
    }
    const u = o.record;
    users++;
    for (const p of u.problems) {
      warnings.write(
        JSON.stringify({
          entity: 'user',
          external_id: u.externalId ?? u.sourceUserId,
          code: p.code,
          source: p.source,
          detail: p.detail,
        }) + '\n',
      );
      warningCount++;
    }
    const base = [
      '',
      '',
      '',
      u.firstName,
      u.lastName,
      u.emailVerified,
      u.externalId,
      JSON.stringify(u.metadata),
    ] as const;
    let any = false;
    while (!pending.done && pending.value.sourceUserId === u.sourceUserId) {
      const m = pending.value;
      const org = orgName.get(m.sourceOrgId);
      any = true;
      membershipCount++;
      await out['users.csv'].row([
        u.email,
        ...base,
        '',
        m.orgExternalId,
        org?.name ?? '',
        m.roleSlugs.join(','),
      ]);
      await out['organization_memberships.csv'].row([
        u.email,
        u.externalId,
        '',
        '',
        m.orgExternalId,
        org?.name ?? '',
        m.roleSlugs.join(','),
        '',
      ]);
      for (const slug of m.roleSlugs)
        await out['user_role_assignments.csv'].row([u.email, '', u.externalId, slug, '', m.orgExternalId]);
      pending = memberships.next();
    }
    if (!any) await out['users.csv'].row([u.email, ...base, '', '', '', '']);
  }

  // SSO: one row per (organization, enterprise connection enabled for it); secrets are never written here.
  const sso = ssoCsvRows(ws, (orgId) => orgName.get(orgId));
  for (const r of sso.saml) await out['sso/saml_connections.csv'].row(r);
  for (const r of sso.oidc) await out['sso/oidc_connections.csv'].row(r);
  const raw = createWriteStream(join(dir, 'raw', 'auth0-connections.jsonl'), { mode: 0o600 });
  for (const c of ws.db
    .prepare('SELECT connection_id, name, strategy, options_json FROM auth0_connections ORDER BY name')
    .all() as ConnRow[])
    raw.write(
      JSON.stringify({
        id: c.connection_id,
        name: c.name,
        strategy: c.strategy,
        options: c.options_json ? JSON.parse(c.options_json) : null,
      }) + '\n',
    );
  await new Promise<void>((r) => raw.end(() => r()));
  await fsp.writeFile(
    join(dir, 'sso', 'handoff_notes.md'),
    '# SSO hand-off\n\nConnection secrets (client secrets, signing and decryption keys) are not in this package.\n' +
      "Enter them in the WorkOS Admin Portal for each organization, or use the app's import, which reads them from the encrypted workspace.\n",
    { mode: 0o600 },
  );
  for (const c of Object.values(out)) await c.close();
  await new Promise<void>((r) => warnings.end(() => r()));
  await new Promise<void>((r) => skipped.end(() => r()));

  const tenant = ws.db
    .prepare('SELECT tenant_domain FROM auth0_export_runs ORDER BY started_at DESC LIMIT 1')
    .pluck()
    .get() as string | undefined;
  const files = [
    ...Object.keys(CSV_HEADERS),
    'warnings.jsonl',
    'skipped_users.jsonl',
    'sso/handoff_notes.md',
    'raw/auth0-connections.jsonl',
  ].sort();
  const counts = {
    users,
    organizations: out['organizations.csv'].rows,
    organization_memberships: membershipCount,
    role_definitions: out['role_definitions.csv'].rows,
    user_role_assignments: out['user_role_assignments.csv'].rows,
    totp_secrets: 0,
    saml_connections: out['sso/saml_connections.csv'].rows,
    oidc_connections: out['sso/oidc_connections.csv'].rows,
    skipped_users: skippedCount,
  };
  const manifest = {
    schemaVersion: 1,
    provider: 'auth0',
    sourceTenant: tenant ?? null,
    generatedAt: new Date().toISOString(),
    entitiesRequested: ['users', 'organizations', 'memberships', 'roles', 'sso'],
    entitiesExported: counts,
    files,
    importability: { passwordHashes: false, totpSecrets: false, ssoSecrets: false },
    secretsRedacted: true,
    warnings: warningCount,
    metadata: { tool: 'auth0-to-workos-assistant', format: 'workos-migrations-cli' },
  };
  await fsp.writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return { dir, counts, files: ['manifest.json', ...files] };
}

// ---- reading

function refused(what: string, hint?: string): AppError {
  return new AppError('invalid_input', what, hint);
}

/** A file of the package: a regular file (no symlink) inside `dir`, under the size cap; null if absent. */
async function packageFile(dir: string, rel: string): Promise<string | null> {
  const root = await fsp.realpath(dir);
  const p = resolve(root, rel);
  if (!p.startsWith(root + sep)) throw refused(`${rel} points outside the package folder.`);
  const st = await fsp.lstat(p).catch(() => null);
  if (!st) return null;
  if (st.isSymbolicLink()) throw refused(`${rel} in the package is a symbolic link; links are refused.`);
  if (!st.isFile()) throw refused(`${rel} in the package is not a regular file.`);
  if (st.size > MAX_FILE) throw refused(`${rel} in the package is larger than 4 GB.`);
  const real = await fsp.realpath(p);
  if (relative(root, real).startsWith('..')) throw refused(`${rel} resolves outside the package folder.`);
  return p;
}

type Row<F extends CsvFile> = Record<(typeof CSV_HEADERS)[F][number], string>;

async function* readCsv<F extends CsvFile>(
  dir: string,
  rel: F,
): AsyncGenerator<{ row: Row<F>; line: number }> {
  const p = await packageFile(dir, rel);
  if (!p) return;
  const expected = [...CSV_HEADERS[rel]] as string[];
  const parser = createReadStream(p).pipe(
    parse({ bom: true, relax_column_count: false, max_record_size: 1024 * 1024 }),
  );
  let header: string[] | null = null;
  let line = 0;
  try {
    for await (const rec of parser as AsyncIterable<string[]>) {
      line++;
      if (!header) {
        // Older packages name the SSO column importedId instead of externalId.
        const got = rec.map((h) => (h === 'importedId' && rel.startsWith('sso/') ? 'externalId' : h));
        if (got.join(',') !== expected.join(','))
          throw refused(
            `${rel} line 1: the columns are not those of the WorkOS migrations CLI.`,
            `Expected: ${expected.join(', ')}.`,
          );
        header = expected;
        continue;
      }
      yield { row: Object.fromEntries(header.map((h, i) => [h, rec[i] ?? ''])) as Row<F>, line };
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw refused(`${rel} line ${line + 1}: not valid CSV.`);
  }
}

function json(text: string, where: string): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw refused(`${where}: metadata is not a JSON object.`);
}

// Facts the mapping derives again from the rows; auth0_merged_user_ids stays metadata (the merge already happened).
const FACTS = new Set(['auth0_user_id', 'auth0_connection', 'auth0_created_at', 'auth0_identities']);

/**
 * Reads a WorkOS CLI directory into an empty, writable workspace, as Auth0-shaped rows the review and mapping
 * work on. The manifest's counts must match the files (a manifest that lies is refused).
 */
export async function importWorkosCliDir(
  ws: Workspace,
  dir: string,
): Promise<{ counts: Record<string, number> }> {
  ws.assertWritable();
  const st = await fsp.lstat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new AppError('not_found', `${dir} is not a folder.`);
  const mf = await packageFile(dir, 'manifest.json');
  if (!mf) throw refused('The folder has no manifest.json: it is not a WorkOS migrations CLI package.');
  let manifest: { schemaVersion?: unknown; entitiesExported?: Record<string, unknown> };
  try {
    manifest = JSON.parse(await fsp.readFile(mf, 'utf8')) as typeof manifest;
  } catch {
    throw refused('manifest.json is not valid JSON.');
  }
  if (manifest.schemaVersion !== 1) throw refused('manifest.json: schemaVersion is not 1.');
  if ((ws.db.prepare('SELECT count(*) FROM auth0_users').pluck().get() as number) > 0)
    throw refused('The workspace already holds users; read a package into a new workspace.');

  const db = ws.db;
  const users = new Map<
    string,
    { email: string; first: string; last: string; verified: boolean; metadata: Record<string, unknown> }
  >();
  const orgs = new Map<string, { name: string; domains: string; metadata: Record<string, unknown> }>();
  const members = new Map<string, { userId: string; orgId: string; slugs: string[] }>();
  const roles: { slug: string; name: string }[] = [];
  const counts: Record<string, number> = {};
  const userKey = (r: { external_id: string; email: string }) =>
    r.external_id || `workos-cli|${r.email.toLowerCase()}`;

  counts.users = 0;
  for await (const { row, line } of readCsv(dir, 'users.csv')) {
    if (!row.email) throw refused(`users.csv line ${line}: email is empty.`);
    const id = userKey(row);
    if (!users.has(id)) {
      users.set(id, {
        email: row.email,
        first: row.first_name,
        last: row.last_name,
        verified: row.email_verified === 'true',
        metadata: json(row.metadata, `users.csv line ${line}`),
      });
    }
    if (row.org_external_id)
      members.set(`${id}\u0000${row.org_external_id}`, {
        userId: id,
        orgId: row.org_external_id,
        slugs: row.role_slugs ? row.role_slugs.split(',') : [],
      });
  }
  counts.users = users.size;
  for await (const { row, line } of readCsv(dir, 'organizations.csv')) {
    const id = row.org_external_id || row.org_id;
    if (!id) throw refused(`organizations.csv line ${line}: the organization has no id.`);
    orgs.set(id, {
      name: row.org_name,
      domains: row.domains,
      metadata: json(row.metadata, `organizations.csv line ${line}`),
    });
  }
  counts.organizations = orgs.size;
  for await (const { row, line } of readCsv(dir, 'organization_memberships.csv')) {
    const id = row.external_id || `workos-cli|${row.email.toLowerCase()}`;
    if (!users.has(id))
      throw refused(`organization_memberships.csv line ${line}: no such user in users.csv.`);
    members.set(`${id}\u0000${row.org_external_id}`, {
      userId: id,
      orgId: row.org_external_id,
      slugs: row.role_slugs ? row.role_slugs.split(',') : [],
    });
  }
  counts.organization_memberships = members.size;
  for await (const { row } of readCsv(dir, 'role_definitions.csv'))
    roles.push({ slug: row.role_slug, name: row.role_name });
  counts.role_definitions = roles.length;
  const sso: (
    | { kind: 'saml'; row: Row<'sso/saml_connections.csv'> }
    | { kind: 'oidc'; row: Row<'sso/oidc_connections.csv'> }
  )[] = [];
  for await (const { row } of readCsv(dir, 'sso/saml_connections.csv')) sso.push({ kind: 'saml', row });
  for await (const { row } of readCsv(dir, 'sso/oidc_connections.csv')) sso.push({ kind: 'oidc', row });
  counts.saml_connections = sso.filter((s) => s.kind === 'saml').length;
  counts.oidc_connections = sso.filter((s) => s.kind === 'oidc').length;

  for (const [k, v] of Object.entries(manifest.entitiesExported ?? {})) {
    if (k in counts && v !== counts[k])
      throw refused(
        `manifest.json says ${String(v)} ${k} but the files hold ${counts[k]}; the package is inconsistent.`,
      );
  }

  const now = new Date().toISOString();
  db.transaction(() => {
    const insUser = db.prepare(
      `INSERT INTO auth0_users (user_id, connection, strategy, is_database, email, email_lower, email_verified, given_name, family_name, name, blocked, has_mfa, created_at, raw_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
    );
    const insIdentity = db.prepare(
      'INSERT OR IGNORE INTO auth0_identities (user_id, provider, identity_user_id, connection, is_social, is_primary, raw_json) VALUES (?, ?, ?, ?, 0, ?, ?)',
    );
    for (const [id, u] of users) {
      const md = u.metadata;
      const connection = typeof md.auth0_connection === 'string' ? md.auth0_connection : null;
      const identities =
        typeof md.auth0_identities === 'string' ? (JSON.parse(md.auth0_identities) as string[]) : [];
      const strategy = identities[0]?.split('|')[0] ?? id.split('|')[0] ?? null;
      const app = Object.fromEntries(Object.entries(md).filter(([k]) => !FACTS.has(k)));
      const raw = {
        user_id: id,
        email: u.email,
        email_verified: u.verified,
        ...(u.first ? { given_name: u.first } : {}),
        ...(u.last ? { family_name: u.last } : {}),
        ...(typeof md.auth0_created_at === 'string' ? { created_at: md.auth0_created_at } : {}),
        identities: identities.map((s, i) => ({
          provider: s.split('|')[0],
          user_id: s.slice(s.indexOf('|') + 1),
          connection: i === 0 ? connection : null,
        })),
        app_metadata: app,
      };
      insUser.run(
        id,
        connection,
        strategy,
        strategy === 'auth0' ? 1 : 0,
        u.email,
        u.email.toLowerCase(),
        u.verified ? 1 : 0,
        u.first || null,
        u.last || null,
        null,
        typeof md.auth0_created_at === 'string' ? md.auth0_created_at : null,
        JSON.stringify(raw),
      );
      identities.forEach((s, i) =>
        insIdentity.run(
          id,
          s.split('|')[0],
          s.slice(s.indexOf('|') + 1),
          i === 0 ? connection : null,
          i === 0 ? 1 : 0,
          JSON.stringify(raw.identities[i]),
        ),
      );
    }
    const insOrg = db.prepare(
      'INSERT INTO auth0_organizations (org_id, name, display_name, metadata_json, raw_json) VALUES (?, ?, ?, ?, ?)',
    );
    for (const [id, o] of orgs) {
      const name = typeof o.metadata.auth0_org_name === 'string' ? o.metadata.auth0_org_name : o.name;
      const metadata = Object.fromEntries(Object.entries(o.metadata).filter(([k]) => k !== 'auth0_org_name'));
      insOrg.run(
        id,
        name,
        o.name,
        JSON.stringify(metadata),
        JSON.stringify({ id, name, display_name: o.name, metadata }),
      );
    }
    const insRole = db.prepare(
      'INSERT INTO auth0_roles (role_id, name, description, raw_json) VALUES (?, ?, NULL, ?)',
    );
    const roleId = (slug: string) => `rol_workos_cli_${slug}`;
    for (const r of roles)
      insRole.run(roleId(r.slug), r.name, JSON.stringify({ id: roleId(r.slug), name: r.name }));
    const insMember = db.prepare(
      'INSERT INTO auth0_memberships (org_id, user_id, raw_json) VALUES (?, ?, ?)',
    );
    const insMemberRole = db.prepare(
      'INSERT INTO auth0_membership_roles (org_id, user_id, role_id, role_name) VALUES (?, ?, ?, ?)',
    );
    const roleNames = new Map(roles.map((r) => [r.slug, r.name]));
    for (const m of members.values()) {
      if (!orgs.has(m.orgId))
        throw refused('A membership names an organization that organizations.csv does not list.');
      insMember.run(m.orgId, m.userId, JSON.stringify({ org_id: m.orgId, user_id: m.userId }));
      for (const slug of m.slugs) {
        if (!roleNames.has(slug))
          throw refused(`A membership names the role "${slug}", which role_definitions.csv does not define.`);
        insMemberRole.run(m.orgId, m.userId, roleId(slug), roleNames.get(slug)!);
      }
    }
    const insConn = db.prepare(
      'INSERT OR IGNORE INTO auth0_connections (connection_id, name, strategy, options_json, options_missing, raw_json) VALUES (?, ?, ?, ?, 0, ?)',
    );
    const insOrgConn = db.prepare(
      'INSERT OR IGNORE INTO auth0_org_connections (org_id, connection_id, raw_json) VALUES (?, ?, ?)',
    );
    for (const entry of sso) {
      const { kind, row } = entry;
      const id = row.externalId || `con_workos_cli_${row.name}`;
      const domains = row.domains ? row.domains.split(',') : [];
      const options =
        entry.kind === 'saml'
          ? {
              entityId: entry.row.idpEntityId,
              signInEndpoint: entry.row.idpUrl,
              signingCert: entry.row.x509Cert,
              metadataUrl: entry.row.idpMetadataUrl,
              fieldsMap: Object.fromEntries(
                [
                  ['email', entry.row.emailAttribute],
                  ['given_name', entry.row.firstNameAttribute],
                  ['family_name', entry.row.lastNameAttribute],
                  ['name', entry.row.nameAttribute],
                ].filter(([, v]) => v),
              ),
              domain_aliases: domains,
            }
          : {
              client_id: entry.row.clientId,
              discovery_url: entry.row.discoveryEndpoint,
              domain_aliases: domains,
            };
      insConn.run(
        id,
        row.name,
        kind === 'saml' ? 'samlp' : 'oidc',
        JSON.stringify(options),
        JSON.stringify({ id, name: row.name }),
      );
      if (row.organizationExternalId)
        insOrgConn.run(row.organizationExternalId, id, JSON.stringify({ connection_id: id }));
    }
    // The slugs are WorkOS's already: keep them exactly (an explicit mapping, not a re-derivation).
    const insMap = db.prepare(
      'INSERT INTO review_role_map (role_id, slug, name, decided_by, decided_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const r of roles) insMap.run(roleId(r.slug), r.slug, r.name, 'workos-cli package', now);
    ws.audit.append({ actor: 'admin', action: 'package.workosCli.imported', details: counts });
  })();
  return { counts };
}
