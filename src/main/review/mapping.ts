import type { Database } from 'better-sqlite3';
import { loadMetadataMapping, loadPolicies, type MetadataMapping, type Policies } from './config';
import { WORKOS_LIMITS } from './limits';
import { buildMetadata, type MetadataProblem } from './metadata';
import { workosName } from './names';
import { roleMappings, workosRoles, type RoleMapping, type WorkosRoleRecord } from './roles';
import { defaultSurvivor, type DuplicateCandidate } from './survivors';
import { cachedStatement } from '../workspace/statements';

// The Auth0 -> WorkOS mapping: from the workspace, the WorkOS records to create. Everything is read in pages by
// keyset (ORDER BY key, key > cursor) and no statement stays open between pages, so a caller may write to the
// same connection (e.g. an import journal) while it iterates, and 1,000,000 users never sit in memory.
//
// Decisions are respected: users excluded by the admin or by a policy are skipped with a reason, and of a
// duplicate-email group only the survivor is created (carrying the others' Auth0 ids in its metadata, with their
// memberships moved onto it).

/** Anything with the workspace's connection (a Workspace, or a test's wrapper). */
export interface HasDb {
  db: Database;
}

export type UserProblemCode =
  | MetadataProblem['code']
  | 'external_id_too_long'
  | 'email_verified_missing'
  | 'name_split'
  | 'merged_ids_too_long';

export interface UserProblem {
  code: UserProblemCode;
  detail: string;
  /** For metadata problems: where the value came from ('app_metadata.KEY', ...). */
  source?: string;
}

/** The body of POST /user_management/users, plus where it came from. */
export interface WorkosUserRecord {
  /** The Auth0 user_id (the mapping's key and the import journal's source key). */
  sourceUserId: string;
  email: string;
  /** Auth0's email_verified exactly; a missing value is false (and reported), never forced to true. */
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  /** = the Auth0 user_id; null only when that is longer than 128 characters (reported). */
  externalId: string | null;
  metadata: Record<string, string>;
  /** Whether the importer sends this user's password hash (if one was merged). False for blocked users imported
   * under the 'import_without_password' policy. */
  importPassword: boolean;
  /** Auth0 user_ids of the duplicate-email accounts merged into this one. */
  mergedUserIds: string[];
  problems: UserProblem[];
}

export type SkipReason =
  | 'no_email'
  | 'excluded_by_decision'
  | 'merged_into_survivor'
  | 'blocked_policy'
  | 'unverified_policy'
  | 'no_organization_policy';

export type UserOutcome =
  | { kind: 'create'; sourceUserId: string; record: WorkosUserRecord }
  | { kind: 'skip'; sourceUserId: string; reason: SkipReason; mergedInto?: string };

export interface WorkosDomain {
  domain: string;
  state: 'pending' | 'verified';
  /** The Auth0 connections whose domain_aliases named it. */
  fromConnections: string[];
}

export type OrgProblemCode = 'domain_shared' | 'external_id_too_long' | MetadataProblem['code'];

/** The body of POST /organizations, plus where it came from. */
export interface WorkosOrganizationRecord {
  sourceOrgId: string;
  /** Auth0 display_name, else name. */
  name: string;
  /** = the Auth0 org id. */
  externalId: string | null;
  metadata: Record<string, string>;
  domains: WorkosDomain[];
  problems: { code: OrgProblemCode; detail: string }[];
}

/** One WorkOS organization membership per (user, organization), with the union of the user's roles there. */
export interface WorkosMembershipRecord {
  /** The surviving Auth0 user (its WorkosUserRecord.sourceUserId). */
  sourceUserId: string;
  userExternalId: string | null;
  sourceOrgId: string;
  orgExternalId: string | null;
  /** Sorted, distinct. Empty = no Auth0 role: WorkOS gives its default role (`member`). */
  roleSlugs: string[];
  /** The Auth0 users whose membership rows were combined here (the survivor and merged accounts). */
  fromUserIds: string[];
}

export interface Page<T> {
  rows: T[];
  /** Cursor for the next page; null at the end. */
  next: string | null;
}

export interface PageOptions {
  /** Keyset cursor: start after this key (from Page.next). */
  after?: string | null;
  /** Rows per page, 1..5000 (default 500). */
  limit?: number;
}

/** Loaded once per iteration: configuration, policies and role mapping. */
export interface MappingContext {
  policies: Policies;
  metadata: MetadataMapping;
  roles: RoleMapping[];
  roleSlugById: Map<string, string>;
}

export function loadMappingContext(ws: HasDb): MappingContext {
  const roles = roleMappings(ws.db);
  return {
    policies: loadPolicies(ws.db),
    metadata: loadMetadataMapping(ws.db),
    roles,
    roleSlugById: new Map(roles.map((r) => [r.roleId, r.slug])),
  };
}

interface UserRow extends DuplicateCandidate {
  connection: string | null;
  email: string | null;
  email_lower: string | null;
  given_name: string | null;
  family_name: string | null;
  name: string | null;
  blocked: number;
  raw_json: string;
}

const USER_COLS =
  'user_id, connection, email, email_lower, email_verified, given_name, family_name, name, blocked, created_at, last_login, raw_json';

const clampLimit = (n: number | undefined): number => Math.max(1, Math.min(5000, Math.floor(n ?? 500)));

function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

function chunks<T>(list: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function parseObject(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const asRecord = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

interface GroupInfo {
  survivor: string;
  members: DuplicateCandidate[];
}

/** Duplicate-email groups touching these emails: email_lower -> survivor and members (only groups of 2+). */
function duplicateGroups(db: Database, emails: string[]): Map<string, GroupInfo> {
  const out = new Map<string, GroupInfo>();
  if (emails.length === 0) return out;
  const byEmail = new Map<string, DuplicateCandidate[]>();
  for (const part of chunks([...new Set(emails)])) {
    const rows = cachedStatement(
      db,
      `SELECT email_lower, user_id, email_verified, last_login, created_at FROM auth0_users
         WHERE email_lower IN (${placeholders(part.length)}) ORDER BY email_lower, user_id`,
    ).all(...part) as (DuplicateCandidate & { email_lower: string })[];
    for (const r of rows) byEmail.set(r.email_lower, [...(byEmail.get(r.email_lower) ?? []), r]);
  }
  const chosen = new Map<string, string>();
  const multi = [...byEmail.entries()].filter(([, l]) => l.length > 1).map(([e]) => e);
  for (const part of chunks(multi)) {
    const rows = cachedStatement(
      db,
      `SELECT email_lower, survivor_user_id FROM review_survivors WHERE email_lower IN (${placeholders(part.length)})`,
    ).all(...part) as { email_lower: string; survivor_user_id: string }[];
    for (const r of rows) chosen.set(r.email_lower, r.survivor_user_id);
  }
  for (const e of multi) {
    const members = byEmail.get(e)!;
    const pick = chosen.get(e);
    out.set(e, {
      survivor: pick && members.some((m) => m.user_id === pick) ? pick : defaultSurvivor(members),
      members,
    });
  }
  return out;
}

function inSet(db: Database, sql: (ph: string) => string, ids: string[]): Set<string> {
  const out = new Set<string>();
  for (const part of chunks(ids)) {
    for (const r of cachedStatement(db, sql(placeholders(part.length))).all(...part) as { user_id: string }[])
      out.add(r.user_id);
  }
  return out;
}

function decisionsFor(db: Database, ids: string[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const part of chunks(ids)) {
    const rows = cachedStatement(
      db,
      `SELECT user_id, include FROM review_user_decisions WHERE user_id IN (${placeholders(part.length)})`,
    ).all(...part) as { user_id: string; include: number }[];
    for (const r of rows) out.set(r.user_id, r.include === 1);
  }
  return out;
}

function identityList(raw: Record<string, unknown>): string[] {
  const ids = Array.isArray(raw.identities) ? raw.identities : [];
  return ids
    .map((i) => asRecord(i))
    .filter((i): i is Record<string, unknown> => i !== null)
    .map((i) => `${String(i.provider ?? '')}|${String(i.user_id ?? '')}`);
}

/** Maps already-read user rows (one page) to outcomes. */
function mapRows(db: Database, rows: UserRow[], ctx: MappingContext): UserOutcome[] {
  const ids = rows.map((r) => r.user_id);
  const decisions = decisionsFor(db, ids);
  const groups = duplicateGroups(
    db,
    rows.map((r) => r.email_lower).filter((e): e is string => e !== null),
  );
  // Organization membership counts include accounts merged into a survivor.
  const groupMemberIds = [...groups.values()].flatMap((g) => g.members.map((m) => m.user_id));
  const withOrg =
    ctx.policies.users_without_organization === 'exclude'
      ? inSet(db, (ph) => `SELECT DISTINCT user_id FROM auth0_memberships WHERE user_id IN (${ph})`, [
          ...new Set([...ids, ...groupMemberIds]),
        ])
      : null;

  return rows.map((row): UserOutcome => {
    const skip = (reason: SkipReason, mergedInto?: string): UserOutcome =>
      mergedInto
        ? { kind: 'skip', sourceUserId: row.user_id, reason, mergedInto }
        : { kind: 'skip', sourceUserId: row.user_id, reason };
    if (!row.email) return skip('no_email');
    const group = row.email_lower ? groups.get(row.email_lower) : undefined;
    if (group && group.survivor !== row.user_id) return skip('merged_into_survivor', group.survivor);
    const decision = decisions.get(row.user_id);
    if (decision === false) return skip('excluded_by_decision');
    const explicitlyIncluded = decision === true;
    if (row.blocked === 1 && ctx.policies.blocked_users === 'exclude' && !explicitlyIncluded)
      return skip('blocked_policy');
    if (row.email_verified !== 1 && ctx.policies.unverified_emails === 'exclude' && !explicitlyIncluded)
      return skip('unverified_policy');
    const mergedUserIds = group ? group.members.map((m) => m.user_id).filter((id) => id !== row.user_id) : [];
    if (withOrg && !explicitlyIncluded && ![row.user_id, ...mergedUserIds].some((id) => withOrg.has(id)))
      return skip('no_organization_policy');
    return { kind: 'create', sourceUserId: row.user_id, record: buildUser(row, mergedUserIds, ctx) };
  });
}

function buildUser(row: UserRow, mergedUserIds: string[], ctx: MappingContext): WorkosUserRecord {
  const raw = parseObject(row.raw_json);
  const problems: UserProblem[] = [];
  const name = workosName(row.given_name, row.family_name, row.name);
  if (name.source === 'split')
    problems.push({ code: 'name_split', detail: 'First and last name were split from the Auth0 "name".' });
  const externalId = row.user_id.length <= WORKOS_LIMITS.externalIdLength ? row.user_id : null;
  if (!externalId)
    problems.push({
      code: 'external_id_too_long',
      detail: `The Auth0 user_id is ${row.user_id.length} characters (WorkOS external_id allows 128); it is kept in metadata only.`,
    });
  if (row.email_verified === null)
    problems.push({
      code: 'email_verified_missing',
      detail: 'Auth0 has no email_verified value for this user; it is imported as not verified.',
    });
  const factValues: Record<string, string | null> = {
    auth0_user_id: row.user_id,
    auth0_connection: row.connection,
    auth0_created_at: row.created_at,
    auth0_identities: JSON.stringify(identityList(raw)),
  };
  const facts: [string, string | null][] = ctx.metadata.facts.map((f) => [f, factValues[f] ?? null]);
  if (mergedUserIds.length > 0) facts.push(['auth0_merged_user_ids', JSON.stringify(mergedUserIds)]);
  const md = buildMetadata(facts, asRecord(raw.app_metadata), asRecord(raw.user_metadata), ctx.metadata);
  for (const p of md.problems) {
    if (p.source === 'auth0_merged_user_ids')
      problems.push({ code: 'merged_ids_too_long', detail: p.detail, source: p.source });
    else problems.push({ code: p.code, detail: p.detail, source: p.source });
  }
  return {
    sourceUserId: row.user_id,
    email: row.email!,
    emailVerified: row.email_verified === 1,
    firstName: name.firstName,
    lastName: name.lastName,
    externalId,
    metadata: md.metadata,
    importPassword: !(row.blocked === 1 && ctx.policies.blocked_users === 'import_without_password'),
    mergedUserIds,
    problems,
  };
}

/** One page of users (every Auth0 user, created or skipped), in user_id order. */
export function mapUsersPage(
  ws: HasDb,
  opts: PageOptions = {},
  ctx = loadMappingContext(ws),
): Page<UserOutcome> {
  const limit = clampLimit(opts.limit);
  const rows = cachedStatement(
    ws.db,
    `SELECT ${USER_COLS} FROM auth0_users WHERE user_id > ? ORDER BY user_id LIMIT ?`,
  ).all(opts.after ?? '', limit) as UserRow[];
  return {
    rows: mapRows(ws.db, rows, ctx),
    next: rows.length === limit ? rows[rows.length - 1]!.user_id : null,
  };
}

/**
 * Every user's outcome in the order the table stores them, a page at a time: for counts, which need no order. A
 * user_id-ordered pass reads the table through its key index, one random page read per user; this one reads the
 * table front to back.
 */
export function* mapUsersInStoredOrder(
  ws: HasDb,
  ctx = loadMappingContext(ws),
  pageSize = 2000,
): Generator<UserOutcome[]> {
  const page = cachedStatement(
    ws.db,
    `SELECT rowid AS rid, ${USER_COLS} FROM auth0_users WHERE rowid > ? ORDER BY rowid LIMIT ?`,
  );
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = page.all(after, pageSize) as (UserRow & { rid: number })[];
    if (rows.length === 0) return;
    yield mapRows(ws.db, rows, ctx);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.rid;
  }
}

/** Every Auth0 user's outcome, lazily, page by page. */
export function* iterateUserOutcomes(
  ws: HasDb,
  opts: { after?: string | null; pageSize?: number } = {},
): Generator<UserOutcome> {
  const ctx = loadMappingContext(ws);
  let after: string | null = opts.after ?? null;
  do {
    const page = mapUsersPage(ws, { after, limit: opts.pageSize }, ctx);
    yield* page.rows;
    after = page.next;
  } while (after !== null);
}

/** The WorkOS users to create, in Auth0 user_id order. `after` resumes after a sourceUserId. */
export function* iterateWorkosUsers(
  ws: HasDb,
  opts: { after?: string | null; pageSize?: number } = {},
): Generator<WorkosUserRecord> {
  for (const o of iterateUserOutcomes(ws, opts)) if (o.kind === 'create') yield o.record;
}

/** Outcomes of the given users (one page of a table), in the order given; unknown ids are left out. */
export function mapUserIds(ws: HasDb, userIds: string[], ctx = loadMappingContext(ws)): UserOutcome[] {
  const rows: UserRow[] = [];
  for (const part of chunks(userIds)) {
    rows.push(
      ...(cachedStatement(
        ws.db,
        `SELECT ${USER_COLS} FROM auth0_users WHERE user_id IN (${placeholders(part.length)})`,
      ).all(...part) as UserRow[]),
    );
  }
  const byId = new Map(mapRows(ws.db, rows, ctx).map((o) => [o.sourceUserId, o]));
  return userIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

/** One user's outcome (for the detail panel and the importer's single retries); null if no such user. */
export function mapUser(ws: HasDb, userId: string, ctx = loadMappingContext(ws)): UserOutcome | null {
  const row = cachedStatement(ws.db, `SELECT ${USER_COLS} FROM auth0_users WHERE user_id = ?`).get(userId) as
    UserRow | undefined;
  return row ? mapRows(ws.db, [row], ctx)[0]! : null;
}

// ---- organizations

interface OrgRow {
  org_id: string;
  name: string;
  display_name: string | null;
  metadata_json: string | null;
}

/**
 * Domains: Auth0 organizations have no domain list of their own. The domains that route sign-ins to an
 * organization are the `domain_aliases` of the enterprise connections enabled for it (auth0_org_connections ->
 * auth0_connections.options_json). Those are what WorkOS gets, in the policy's state ('pending' by default:
 * Auth0 never proved ownership). A domain claimed by several organizations is reported on each.
 */
function domainsFor(db: Database, orgIds: string[]): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const part of chunks(orgIds)) {
    const rows = cachedStatement(
      db,
      `SELECT oc.org_id, c.name AS connection, lower(trim(d.value)) AS domain
         FROM auth0_org_connections oc
         JOIN auth0_connections c ON c.connection_id = oc.connection_id
         JOIN json_each(CASE WHEN json_valid(c.options_json) AND json_type(c.options_json, '$.domain_aliases') = 'array'
                             THEN json_extract(c.options_json, '$.domain_aliases') ELSE '[]' END) d
         WHERE oc.org_id IN (${placeholders(part.length)}) AND d.type = 'text' AND trim(d.value) <> ''
         ORDER BY oc.org_id, domain, c.name`,
    ).all(...part) as { org_id: string; connection: string; domain: string }[];
    for (const r of rows) {
      const m = out.get(r.org_id) ?? new Map<string, string[]>();
      m.set(r.domain, [...(m.get(r.domain) ?? []), r.connection]);
      out.set(r.org_id, m);
    }
  }
  return out;
}

/** Domain -> number of organizations it would be given to (over the whole workspace; a handful of rows). */
function domainOwners(db: Database): Map<string, number> {
  const rows = cachedStatement(
    db,
    `SELECT lower(trim(d.value)) AS domain, count(DISTINCT oc.org_id) AS n
       FROM auth0_org_connections oc
       JOIN auth0_connections c ON c.connection_id = oc.connection_id
       JOIN json_each(CASE WHEN json_valid(c.options_json) AND json_type(c.options_json, '$.domain_aliases') = 'array'
                           THEN json_extract(c.options_json, '$.domain_aliases') ELSE '[]' END) d
       WHERE d.type = 'text' AND trim(d.value) <> ''
       GROUP BY 1`,
  ).all() as { domain: string; n: number }[];
  return new Map(rows.map((r) => [r.domain, r.n]));
}

function buildOrg(
  row: OrgRow,
  domains: Map<string, string[]> | undefined,
  owners: Map<string, number>,
  ctx: MappingContext,
): WorkosOrganizationRecord {
  const problems: WorkosOrganizationRecord['problems'] = [];
  const name = row.display_name?.trim() || row.name;
  const facts: [string, string | null][] = [['auth0_org_name', row.name]];
  const md = buildMetadata(facts, row.metadata_json ? parseObject(row.metadata_json) : null, null, {
    ...ctx.metadata,
    facts: [],
    appMetadataPrefix: '',
    exclude: [],
    rename: {},
  });
  for (const p of md.problems)
    problems.push({ code: p.code, detail: p.detail.replace('app_metadata.', 'metadata.') });
  const list: WorkosDomain[] = [];
  for (const [domain, conns] of domains ?? []) {
    list.push({ domain, state: ctx.policies.domain_state, fromConnections: conns });
    const n = owners.get(domain) ?? 1;
    if (n > 1)
      problems.push({
        code: 'domain_shared',
        detail: `${domain} is a domain of ${n} organizations (via ${conns.join(', ')}); WorkOS verifies a domain for one organization only.`,
      });
  }
  const externalId = row.org_id.length <= WORKOS_LIMITS.externalIdLength ? row.org_id : null;
  if (!externalId)
    problems.push({
      code: 'external_id_too_long',
      detail: 'The Auth0 organization id is over 128 characters.',
    });
  return { sourceOrgId: row.org_id, name, externalId, metadata: md.metadata, domains: list, problems };
}

export function mapOrganizationsPage(
  ws: HasDb,
  opts: PageOptions = {},
  ctx = loadMappingContext(ws),
  owners = domainOwners(ws.db),
): Page<WorkosOrganizationRecord> {
  const limit = clampLimit(opts.limit);
  const rows = cachedStatement(
    ws.db,
    'SELECT org_id, name, display_name, metadata_json FROM auth0_organizations WHERE org_id > ? ORDER BY org_id LIMIT ?',
  ).all(opts.after ?? '', limit) as OrgRow[];
  const domains = domainsFor(
    ws.db,
    rows.map((r) => r.org_id),
  );
  return {
    rows: rows.map((r) => buildOrg(r, domains.get(r.org_id), owners, ctx)),
    next: rows.length === limit ? rows[rows.length - 1]!.org_id : null,
  };
}

/** The WorkOS organizations to create (every Auth0 organization), in org id order. */
export function* iterateWorkosOrganizations(
  ws: HasDb,
  opts: { after?: string | null; pageSize?: number } = {},
): Generator<WorkosOrganizationRecord> {
  const ctx = loadMappingContext(ws);
  const owners = domainOwners(ws.db);
  let after: string | null = opts.after ?? null;
  do {
    const page = mapOrganizationsPage(ws, { after, limit: opts.pageSize }, ctx, owners);
    yield* page.rows;
    after = page.next;
  } while (after !== null);
}

export function mapOrganization(ws: HasDb, orgId: string): WorkosOrganizationRecord | null {
  return organizationMapper(ws)(orgId);
}

/**
 * Maps organizations one at a time with the workspace-wide inputs (the policies, which domains several organizations
 * share) read once, for a run over many of them during which the workspace does not change (an import, a
 * verification). Read per organization, the shared domains took 6.5 ms each: over two minutes for 20,000.
 */
export function organizationMapper(ws: HasDb): (orgId: string) => WorkosOrganizationRecord | null {
  const ctx = loadMappingContext(ws);
  const owners = domainOwners(ws.db);
  return (orgId) => {
    const row = cachedStatement(
      ws.db,
      'SELECT org_id, name, display_name, metadata_json FROM auth0_organizations WHERE org_id = ?',
    ).get(orgId) as OrgRow | undefined;
    if (!row) return null;
    return buildOrg(row, domainsFor(ws.db, [orgId]).get(orgId), owners, ctx);
  };
}

// ---- roles

export { roleMappings, workosRoles, type RoleMapping, type WorkosRoleRecord };

// ---- memberships

function membershipsFor(
  db: Database,
  users: WorkosUserRecord[],
  ctx: MappingContext,
): WorkosMembershipRecord[] {
  const owner = new Map<string, WorkosUserRecord>();
  for (const u of users) {
    owner.set(u.sourceUserId, u);
    for (const m of u.mergedUserIds) owner.set(m, u);
  }
  const ids = [...owner.keys()];
  const orgs = new Map<string, string | null>();
  const byKey = new Map<string, WorkosMembershipRecord>();
  for (const part of chunks(ids)) {
    const ph = placeholders(part.length);
    const rows = cachedStatement(
      db,
      `SELECT m.user_id, m.org_id, r.role_id FROM auth0_memberships m
         LEFT JOIN auth0_membership_roles r ON r.org_id = m.org_id AND r.user_id = m.user_id
         WHERE m.user_id IN (${ph}) ORDER BY m.user_id, m.org_id`,
    ).all(...part) as { user_id: string; org_id: string; role_id: string | null }[];
    for (const r of rows) {
      const u = owner.get(r.user_id)!;
      const key = `${u.sourceUserId}\u0000${r.org_id}`;
      let rec = byKey.get(key);
      if (!rec) {
        orgs.set(r.org_id, null);
        rec = {
          sourceUserId: u.sourceUserId,
          userExternalId: u.externalId,
          sourceOrgId: r.org_id,
          orgExternalId: r.org_id.length <= WORKOS_LIMITS.externalIdLength ? r.org_id : null,
          roleSlugs: [],
          fromUserIds: [],
        };
        byKey.set(key, rec);
      }
      if (!rec.fromUserIds.includes(r.user_id)) rec.fromUserIds.push(r.user_id);
      const slug = r.role_id ? ctx.roleSlugById.get(r.role_id) : undefined;
      if (slug && !rec.roleSlugs.includes(slug)) rec.roleSlugs.push(slug);
    }
  }
  const out = [...byKey.values()];
  for (const m of out) {
    m.roleSlugs.sort();
    m.fromUserIds.sort();
  }
  return out.sort((a, b) =>
    a.sourceUserId === b.sourceUserId
      ? a.sourceOrgId < b.sourceOrgId
        ? -1
        : 1
      : a.sourceUserId < b.sourceUserId
        ? -1
        : 1,
  );
}

/** One page of memberships, for one page of users: `next` is the user cursor (a sourceUserId). */
export function mapMembershipsPage(
  ws: HasDb,
  opts: PageOptions = {},
  ctx = loadMappingContext(ws),
): Page<WorkosMembershipRecord> {
  const users = mapUsersPage(ws, opts, ctx);
  const created = users.rows.flatMap((o) => (o.kind === 'create' ? [o.record] : []));
  return { rows: membershipsFor(ws.db, created, ctx), next: users.next };
}

/** Every WorkOS membership to create: one per (surviving user, organization), ordered by user then org. */
export function* iterateWorkosMemberships(
  ws: HasDb,
  opts: { after?: string | null; pageSize?: number } = {},
): Generator<WorkosMembershipRecord> {
  const ctx = loadMappingContext(ws);
  let after: string | null = opts.after ?? null;
  do {
    const page = mapMembershipsPage(ws, { after, limit: opts.pageSize }, ctx);
    yield* page.rows;
    after = page.next;
  } while (after !== null);
}

/** The memberships of one (surviving) user; for the detail panel. */
export function mapUserMemberships(ws: HasDb, userId: string): WorkosMembershipRecord[] {
  const ctx = loadMappingContext(ws);
  const o = mapUser(ws, userId, ctx);
  return o?.kind === 'create' ? membershipsFor(ws.db, [o.record], ctx) : [];
}
