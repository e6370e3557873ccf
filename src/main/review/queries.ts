import { AppError } from '../../shared/errors';
import { userFindingCodes } from './findings';
import { totals } from './totals';
import {
  mapOrganization,
  mapUser,
  mapUserIds,
  mapUserMemberships,
  mapUsersInStoredOrder,
  type HasDb,
  type UserOutcome,
} from './mapping';

// Paged, indexed queries behind the review's tables. A filter by finding walks review_user_issues' primary key
// (code, user_id); search is a prefix match on the lowercased email or on the user_id; the page is then mapped
// (outcome per row) so the table shows what will happen. Totals of a plain filter are index counts.

export interface UserQuery {
  /** A user finding code, or undefined for everyone. */
  filter?: string;
  /** Prefix of the email address or the Auth0 user_id. */
  search?: string;
  sort?: 'user_id' | 'email';
  desc?: boolean;
  offset?: number;
  limit?: number;
}

export interface UserRow {
  userId: string;
  email: string | null;
  connection: string | null;
  strategy: string | null;
  blocked: boolean;
  emailVerified: boolean | null;
  lastLogin: string | null;
  outcome: 'create' | 'skip';
  skipReason: string | null;
  issues: string[];
}

const MAX_LIMIT = 500;

function pageArgs(q: { offset?: number; limit?: number }): { offset: number; limit: number } {
  const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 100)));
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  return { offset, limit };
}

function prefixRange(s: string): [string, string] {
  return [s, `${s}\uffff`];
}

export function queryUsers(ws: HasDb, q: UserQuery): { rows: UserRow[]; total: number } {
  const { offset, limit } = pageArgs(q);
  if (q.filter && !userFindingCodes.includes(q.filter))
    throw new AppError('invalid_input', `Unknown user filter "${q.filter}".`);
  const search = q.search?.trim().toLowerCase() ?? '';
  const where: string[] = [];
  const args: unknown[] = [];
  let from = 'auth0_users u';
  if (q.filter) {
    from = 'review_user_issues i JOIN auth0_users u ON u.user_id = i.user_id';
    where.push('i.code = ?');
    args.push(q.filter);
  }
  if (search) {
    const [lo, hi] = prefixRange(search);
    where.push('((u.email_lower >= ? AND u.email_lower < ?) OR (u.user_id >= ? AND u.user_id < ?))');
    args.push(lo, hi, q.search!.trim(), `${q.search!.trim()}\uffff`);
  }
  const dir = q.desc ? 'DESC' : 'ASC';
  const order =
    q.sort === 'email'
      ? `u.email_lower ${dir}, u.user_id ${dir}`
      : q.filter
        ? `i.user_id ${dir}`
        : `u.user_id ${dir}`;
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // Filter totals come from the stored findings (exact as of the same refresh that filled review_user_issues).
  const stored =
    q.filter && !search
      ? (ws.db.prepare('SELECT count FROM review_findings WHERE code = ?').pluck().get(q.filter) as
          number | undefined)
      : undefined;
  let sql: string;
  let sqlArgs: unknown[];
  if (q.filter && !search && q.sort !== 'email') {
    // Walk the (code, user_id) primary key alone; join only the page.
    sql = `SELECT user_id FROM review_user_issues WHERE code = ? ORDER BY user_id ${dir} LIMIT ? OFFSET ?`;
    sqlArgs = [q.filter, limit, offset];
  } else if (q.filter && !search && q.sort === 'email' && (stored ?? 0) > 3000) {
    // A dense filter in email order: walk the email index and probe the filter, instead of sorting every match.
    sql = `SELECT u.user_id FROM auth0_users u INDEXED BY auth0_users_email_lower
           WHERE u.email_lower IS NOT NULL AND EXISTS (SELECT 1 FROM review_user_issues i WHERE i.code = ? AND i.user_id = u.user_id)
           ORDER BY u.email_lower ${dir}, u.user_id ${dir} LIMIT ? OFFSET ?`;
    sqlArgs = [q.filter, limit, offset];
  } else {
    sql = `SELECT u.user_id FROM ${from} ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`;
    sqlArgs = [...args, limit, offset];
  }
  const ids = ws.db
    .prepare(sql)
    .pluck()
    .all(...sqlArgs) as string[];
  let total: number;
  if (stored !== undefined) total = stored;
  else if (!search && q.filter)
    total = ws.db
      .prepare('SELECT count(*) FROM review_user_issues WHERE code = ?')
      .pluck()
      .get(q.filter) as number;
  else if (!search) total = totals(ws.db).users ?? 0;
  else
    total = ws.db
      .prepare(`SELECT count(*) FROM ${from} ${whereSql}`)
      .pluck()
      .get(...args) as number;
  return { rows: describeUsers(ws, ids), total };
}

function describeUsers(ws: HasDb, ids: string[]): UserRow[] {
  if (ids.length === 0) return [];
  const ph = ids.map(() => '?').join(', ');
  const rows = ws.db
    .prepare(
      `SELECT user_id, email, connection, strategy, blocked, email_verified, last_login FROM auth0_users WHERE user_id IN (${ph})`,
    )
    .all(...ids) as {
    user_id: string;
    email: string | null;
    connection: string | null;
    strategy: string | null;
    blocked: number;
    email_verified: number | null;
    last_login: string | null;
  }[];
  const byId = new Map(rows.map((r) => [r.user_id, r]));
  const issues = new Map<string, string[]>();
  for (const r of ws.db
    .prepare(`SELECT user_id, code FROM review_user_issues WHERE user_id IN (${ph}) ORDER BY code`)
    .all(...ids) as { user_id: string; code: string }[])
    issues.set(r.user_id, [...(issues.get(r.user_id) ?? []), r.code]);
  const outcomes = new Map<string, UserOutcome>(mapUserIds(ws, ids).map((o) => [o.sourceUserId, o]));
  return ids.map((id) => {
    const r = byId.get(id)!;
    const o = outcomes.get(id)!;
    return {
      userId: id,
      email: r.email,
      connection: r.connection,
      strategy: r.strategy,
      blocked: r.blocked === 1,
      emailVerified: r.email_verified === null ? null : r.email_verified === 1,
      lastLogin: r.last_login,
      outcome: o.kind,
      skipReason: o.kind === 'skip' ? o.reason : null,
      issues: issues.get(id) ?? [],
    };
  });
}

/** The detail panel: the Auth0 record next to the WorkOS record it becomes. */
export function userDetail(ws: HasDb, userId: string) {
  const row = ws.db.prepare('SELECT raw_json FROM auth0_users WHERE user_id = ?').get(userId) as
    { raw_json: string } | undefined;
  if (!row) throw new AppError('not_found', 'No such user in the workspace.');
  const mfa = ws.db
    .prepare(
      'SELECT type, confirmed, created_at FROM auth0_mfa_enrolments WHERE user_id = ? ORDER BY created_at',
    )
    .all(userId);
  const orgs = ws.db
    .prepare(
      `SELECT m.org_id, o.name, group_concat(r.role_name, ', ') AS roles FROM auth0_memberships m
       JOIN auth0_organizations o ON o.org_id = m.org_id
       LEFT JOIN auth0_membership_roles r ON r.org_id = m.org_id AND r.user_id = m.user_id
       WHERE m.user_id = ? GROUP BY m.org_id ORDER BY o.name`,
    )
    .all(userId);
  const issues = ws.db
    .prepare('SELECT code FROM review_user_issues WHERE user_id = ? ORDER BY code')
    .pluck()
    .all(userId) as string[];
  return {
    auth0: { user: JSON.parse(row.raw_json) as Record<string, unknown>, mfa, organizations: orgs },
    workos: { outcome: mapUser(ws, userId), memberships: mapUserMemberships(ws, userId) },
    issues,
  };
}

export interface OrgRow {
  orgId: string;
  name: string;
  displayName: string | null;
  members: number;
}

export function queryOrganizations(
  ws: HasDb,
  q: { search?: string; offset?: number; limit?: number; filter?: 'without_members' },
): { rows: OrgRow[]; total: number } {
  const { offset, limit } = pageArgs(q);
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.search?.trim()) {
    where.push("(o.name LIKE ? ESCAPE '\\' OR o.display_name LIKE ? ESCAPE '\\' OR o.org_id = ?)");
    const like = `%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    args.push(like, like, q.search.trim());
  }
  if (q.filter === 'without_members')
    where.push('NOT EXISTS (SELECT 1 FROM auth0_memberships m WHERE m.org_id = o.org_id)');
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const rows = ws.db
    .prepare(
      `SELECT o.org_id AS orgId, o.name, o.display_name AS displayName,
         (SELECT count(*) FROM auth0_memberships m WHERE m.org_id = o.org_id) AS members
       FROM auth0_organizations o ${w} ORDER BY o.name, o.org_id LIMIT ? OFFSET ?`,
    )
    .all(...args, limit, offset) as OrgRow[];
  const total = ws.db
    .prepare(`SELECT count(*) FROM auth0_organizations o ${w}`)
    .pluck()
    .get(...args) as number;
  return { rows, total };
}

export function organizationDetail(ws: HasDb, orgId: string) {
  const row = ws.db.prepare('SELECT raw_json FROM auth0_organizations WHERE org_id = ?').get(orgId) as
    { raw_json: string } | undefined;
  if (!row) throw new AppError('not_found', 'No such organization in the workspace.');
  const connections = ws.db
    .prepare(
      `SELECT c.name, c.strategy FROM auth0_org_connections oc JOIN auth0_connections c ON c.connection_id = oc.connection_id
       WHERE oc.org_id = ? ORDER BY c.name`,
    )
    .all(orgId);
  return {
    auth0: { organization: JSON.parse(row.raw_json) as Record<string, unknown>, connections },
    workos: mapOrganization(ws, orgId),
  };
}

export interface MembershipRow {
  userId: string;
  email: string | null;
  orgId: string;
  orgName: string;
  auth0Roles: string[];
}

export function queryMemberships(
  ws: HasDb,
  q: { orgId?: string; offset?: number; limit?: number },
): { rows: MembershipRow[]; total: number } {
  const { offset, limit } = pageArgs(q);
  const w = q.orgId ? 'WHERE m.org_id = ?' : '';
  const args = q.orgId ? [q.orgId] : [];
  const rows = ws.db
    .prepare(
      `SELECT m.user_id AS userId, u.email, m.org_id AS orgId, o.name AS orgName,
         (SELECT json_group_array(coalesce(r.role_name, r.role_id)) FROM auth0_membership_roles r
           WHERE r.org_id = m.org_id AND r.user_id = m.user_id) AS roles
       FROM auth0_memberships m JOIN auth0_organizations o ON o.org_id = m.org_id
       LEFT JOIN auth0_users u ON u.user_id = m.user_id ${w}
       ORDER BY m.org_id, m.user_id LIMIT ? OFFSET ?`,
    )
    .all(...args, limit, offset) as (Omit<MembershipRow, 'auth0Roles'> & { roles: string })[];
  const total = ws.db
    .prepare(`SELECT count(*) FROM auth0_memberships m ${w}`)
    .pluck()
    .get(...args) as number;
  return {
    rows: rows.map(({ roles, ...r }) => ({ ...r, auth0Roles: JSON.parse(roles) as string[] })),
    total,
  };
}

/** Counts of what will and will not migrate (walks every user's mapping; seconds at 1,000,000 users). */
/** Users WorkOS would create, and those skipped by reason. */
export type Outcomes = { create: number; skip: Record<string, number> };

export function outcomeCounts(ws: HasDb, onPage?: (usersDone: number) => void): Outcomes {
  let done = 0;
  let create = 0;
  const skip: Record<string, number> = {};
  for (const page of mapUsersInStoredOrder(ws)) {
    for (const o of page) {
      if (o.kind === 'create') create++;
      else skip[o.reason] = (skip[o.reason] ?? 0) + 1;
    }
    done += page.length;
    onPage?.(done);
  }
  return { create, skip };
}

export { totals } from './totals';
