import { AppError } from '../../../shared/errors';
import { call } from './http';
import { compare, type EntityExporter, type EntityResult } from './env';
import { splitConnectionOptions } from './secrets';

// The entities read through list endpoints: checkpoint paging (from/take) where Auth0 offers it, offset paging
// (page/per_page, capped at 1000 records by Auth0) only where it does not. Each page is written together with
// the checkpoint that follows it, so a killed export resumes at the next page.

type Body = Record<string, unknown>;
const TAKE = 100;
const OFFSET_CAP = 1000;

const arr = (body: Body, key: string): Body[] => {
  const v = Array.isArray(body) ? body : body[key];
  return Array.isArray(v) ? (v as Body[]) : [];
};
const total = (body: Body): number | null => (typeof body.total === 'number' ? body.total : null);
const next = (body: Body): string | null =>
  typeof body.next === 'string' && body.next.length > 0 ? body.next : null;
const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const b = (v: unknown): number | null => (typeof v === 'boolean' ? (v ? 1 : 0) : null);

// ---------------------------------------------------------------------------------------------------- roles

interface OffsetState {
  page: number;
  exported: number;
  expected: number | null;
}

export const exportRoles: EntityExporter<OffsetState> = async (env, state) => {
  const insert = env.db.prepare(
    'INSERT OR IGNORE INTO auth0_stage_roles (role_id, name, description, raw_json) VALUES (?, ?, ?, ?)',
  );
  let st: OffsetState = state ?? { page: 0, exported: 0, expected: null };
  for (;;) {
    env.throwIfStopped();
    const body = (
      await call('GET /api/v2/roles', env, (abortSignal) =>
        env.client.roles.list({ page: st.page, per_page: TAKE, include_totals: true }, { abortSignal }),
      )
    ).response as unknown as Body;
    const roles = arr(body, 'roles');
    const expected = total(body) ?? st.expected;
    const nextState = { page: st.page + 1, exported: st.exported, expected };
    env.db.transaction(() => {
      for (const r of roles) {
        const id = s(r.id);
        if (!id) continue;
        nextState.exported += insert.run(id, s(r.name) ?? id, s(r.description), JSON.stringify(r)).changes;
      }
      env.save(nextState, nextState.exported, expected);
    })();
    st = nextState;
    if (roles.length < TAKE || (expected !== null && st.exported >= expected)) break;
  }
  const capped = st.expected !== null && st.expected > OFFSET_CAP && st.exported < st.expected;
  return compare(
    st.exported,
    st.expected,
    'GET /roles include_totals',
    capped
      ? `Auth0 lists roles only by offset, which stops at ${OFFSET_CAP} records; the remaining roles cannot be listed through the API`
      : undefined,
  );
};

// ---------------------------------------------------------------------------------------------------- connections

interface CheckpointState {
  from: string | null;
  started: boolean;
  exported: number;
  expected: number | null;
  /** Connections that came back without `options`. */
  optionsMissing?: number;
}

export const exportConnections: EntityExporter<CheckpointState> = async (env, state) => {
  const cipher = env.ws.cipher;
  if (!cipher)
    throw new AppError(
      'secrets_unavailable',
      'The workspace key is not available, so connection secrets cannot be stored.',
    );
  const insert = env.db.prepare(
    `INSERT OR IGNORE INTO auth0_stage_connections (connection_id, name, strategy, display_name, options_json, options_missing,
       secret_fields, secrets_enc, raw_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const previous = env.db
    .prepare('SELECT secrets_enc FROM auth0_connections WHERE connection_id = ?')
    .pluck();
  let st: CheckpointState = state ?? {
    from: null,
    started: false,
    exported: 0,
    expected: null,
    optionsMissing: 0,
  };
  if (!st.started) {
    const body = (
      await call('GET /api/v2/connections (totals)', env, (abortSignal) =>
        env.client.connections.list(
          { include_totals: true, take: null },
          { abortSignal, queryParams: { page: 0, per_page: 1 } },
        ),
      )
    ).response as unknown as Body;
    st = { ...st, started: true, expected: total(body) };
  }
  for (;;) {
    env.throwIfStopped();
    const from = st.from;
    const body = (
      await call('GET /api/v2/connections', env, (abortSignal) =>
        env.client.connections.list({ take: TAKE, ...(from ? { from } : {}) }, { abortSignal }),
      )
    ).response as unknown as Body;
    const list = arr(body, 'connections');
    const nextState: CheckpointState = { ...st, from: next(body) };
    env.db.transaction(() => {
      for (const c of list) {
        const id = s(c.id);
        if (!id) continue;
        const hasOptions = c.options !== null && typeof c.options === 'object';
        const split = splitConnectionOptions(hasOptions ? (c.options as Record<string, unknown>) : {});
        const ref = { table: 'auth0_connections', column: 'secrets_enc', id };
        let blob: Buffer | null = null;
        if (split.secretFields.length > 0) {
          const plain = JSON.stringify(split.secret);
          // Keep the old ciphertext when the secret is unchanged, so a re-export does not count it as a change.
          const old = previous.get(id) as Buffer | null | undefined;
          if (old) {
            try {
              if (cipher.decrypt(ref, old).toString('utf8') === plain) blob = old;
            } catch {
              blob = null;
            }
          }
          blob ??= cipher.encrypt(ref, plain);
        }
        const { options: _options, ...rest } = c;
        const raw = hasOptions ? { ...rest, options: split.clear } : rest;
        if (!hasOptions) nextState.optionsMissing = (nextState.optionsMissing ?? 0) + 1;
        nextState.exported += insert.run(
          id,
          s(c.name) ?? id,
          s(c.strategy) ?? '',
          s(c.display_name),
          hasOptions ? JSON.stringify(split.clear) : null,
          hasOptions ? 0 : 1,
          split.secretFields.length ? JSON.stringify(split.secretFields) : null,
          blob,
          JSON.stringify(raw),
        ).changes;
      }
      env.save(nextState, nextState.exported, nextState.expected);
    })();
    st = nextState;
    if (!st.from || list.length === 0) break;
  }
  const result = compare(st.exported, st.expected, 'GET /connections include_totals');
  if (st.optionsMissing) {
    return {
      ...result,
      complete: false,
      note: [
        result.note,
        `${st.optionsMissing} connection(s) came back without options: the token lacks read:connections_options (Auth0 omits options silently); grant it and export again`,
      ]
        .filter(Boolean)
        .join('; '),
    };
  }
  return result;
};

// ---------------------------------------------------------------------------------------------------- organizations

interface OrgState extends CheckpointState {
  phase: 'list' | 'connections';
  /** Last organization whose enabled connections are staged. */
  orgCursor: string;
  connExported: number;
  connExpected: number;
}

export const exportOrganizations: EntityExporter<OrgState> = async (env, state) => {
  const insertOrg = env.db.prepare(
    `INSERT OR IGNORE INTO auth0_stage_organizations (org_id, name, display_name, metadata_json, raw_json)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const insertConn = env.db.prepare(
    `INSERT OR IGNORE INTO auth0_stage_org_connections (org_id, connection_id, assign_membership_on_login, show_as_button,
       is_signup_enabled, raw_json) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  let st: OrgState = state ?? {
    phase: 'list',
    from: null,
    started: false,
    exported: 0,
    expected: null,
    orgCursor: '',
    connExported: 0,
    connExpected: 0,
  };
  if (!st.started) {
    const body = (
      await call('GET /api/v2/organizations (totals)', env, (abortSignal) =>
        env.client.organizations.list(
          { include_totals: true, take: null },
          { abortSignal, queryParams: { page: 0, per_page: 1 } },
        ),
      )
    ).response as unknown as Body;
    st = { ...st, started: true, expected: total(body) };
  }
  while (st.phase === 'list') {
    env.throwIfStopped();
    const from = st.from;
    const body = (
      await call('GET /api/v2/organizations', env, (abortSignal) =>
        env.client.organizations.list({ take: TAKE, ...(from ? { from } : {}) }, { abortSignal }),
      )
    ).response as unknown as Body;
    const list = arr(body, 'organizations');
    const nextState: OrgState = { ...st, from: next(body) };
    if (!nextState.from || list.length === 0) nextState.phase = 'connections';
    env.db.transaction(() => {
      for (const o of list) {
        const id = s(o.id);
        if (!id) continue;
        nextState.exported += insertOrg.run(
          id,
          s(o.name) ?? id,
          s(o.display_name),
          o.metadata ? JSON.stringify(o.metadata) : null,
          JSON.stringify(o),
        ).changes;
      }
      env.save(nextState, nextState.exported, nextState.expected);
    })();
    st = nextState;
  }

  const nextOrgs = env.db
    .prepare('SELECT org_id FROM auth0_stage_organizations WHERE org_id > ? ORDER BY org_id LIMIT 200')
    .pluck();
  for (;;) {
    const orgs = nextOrgs.all(st.orgCursor) as string[];
    if (orgs.length === 0) break;
    for (const orgId of orgs) {
      env.throwIfStopped();
      const rows: Body[] = [];
      let expected = 0;
      for (let page = 0; page * TAKE < OFFSET_CAP; page++) {
        const body = (
          await call('GET /api/v2/organizations/{id}/enabled_connections', env, (abortSignal) =>
            env.client.organizations.enabledConnections.list(
              orgId,
              { page, per_page: TAKE, include_totals: true },
              { abortSignal },
            ),
          )
        ).response as unknown as Body;
        const list = arr(body, 'enabled_connections');
        rows.push(...list);
        expected = total(body) ?? rows.length;
        if (list.length < TAKE || rows.length >= expected) break;
      }
      const nextState: OrgState = { ...st, orgCursor: orgId, connExpected: st.connExpected + expected };
      env.db.transaction(() => {
        for (const c of rows) {
          const connId = s(c.connection_id);
          if (!connId) continue;
          nextState.connExported += insertConn.run(
            orgId,
            connId,
            b(c.assign_membership_on_login),
            b(c.show_as_button),
            b(c.is_signup_enabled),
            JSON.stringify(c),
          ).changes;
        }
        env.save(nextState, nextState.exported, nextState.expected);
      })();
      st = nextState;
    }
  }
  const orgs = compare(st.exported, st.expected, 'GET /organizations include_totals');
  const conns = compare(st.connExported, st.connExpected, 'enabled_connections totals per organization');
  const notes = [
    orgs.note,
    conns.complete
      ? `${st.connExported} enabled connection link(s) match Auth0's totals`
      : `enabled connections: ${st.connExported} of ${st.connExpected}${conns.note ? ` (${conns.note})` : ''}`,
  ].filter(Boolean);
  return { ...orgs, complete: orgs.complete && conns.complete, note: notes.join('; ') };
};

// ---------------------------------------------------------------------------------------------------- memberships

interface MemberState {
  /** Organizations before and including this one are done. */
  orgCursor: string;
  /** The organization being paged, when it needs more than one page. */
  current: { orgId: string; from: string | null; exported: number; expected: number | null } | null;
  exported: number;
  expected: number;
  orgsDone: number;
}

const MEMBER_FIELDS = 'user_id,email,name,picture,roles';

export const exportMemberships: EntityExporter<MemberState> = async (env, state) => {
  const insertMember = env.db.prepare(
    'INSERT OR IGNORE INTO auth0_stage_memberships (org_id, user_id, raw_json) VALUES (?, ?, ?)',
  );
  const insertRole = env.db.prepare(
    'INSERT OR IGNORE INTO auth0_stage_membership_roles (org_id, user_id, role_id, role_name) VALUES (?, ?, ?, ?)',
  );
  const orgTotal = env.db.prepare(
    `INSERT INTO auth0_export_org_totals (run_id, org_id, expected, exported) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id, org_id) DO UPDATE SET expected = excluded.expected, exported = excluded.exported`,
  );
  const orgCount = (env.db.prepare('SELECT count(*) FROM auth0_organizations').pluck().get() as number) || 0;
  let st: MemberState = state ?? { orgCursor: '', current: null, exported: 0, expected: 0, orgsDone: 0 };

  const stageMembers = (orgId: string, members: Body[]): number => {
    let n = 0;
    for (const m of members) {
      const userId = s(m.user_id);
      if (!userId) continue;
      const { roles, ...rest } = m;
      if (insertMember.run(orgId, userId, JSON.stringify(rest)).changes === 0) continue;
      n++;
      if (Array.isArray(roles)) {
        for (const r of roles as Body[]) {
          const roleId = s(r?.id);
          if (roleId) insertRole.run(orgId, userId, roleId, s(r.name));
        }
      }
    }
    return n;
  };
  const finishOrg = (next: MemberState, orgId: string, exported: number, expected: number | null): void => {
    orgTotal.run(env.runId, orgId, expected, exported);
    next.current = null;
    next.orgCursor = orgId;
    next.orgsDone++;
    next.expected += expected ?? exported;
  };

  const nextOrgs = env.db
    .prepare('SELECT org_id FROM auth0_organizations WHERE org_id > ? ORDER BY org_id LIMIT 200')
    .pluck();
  for (;;) {
    // An organization paged by checkpoint when the process stopped continues at its saved page.
    if (st.current) {
      const cur = st.current;
      env.throwIfStopped();
      const body = (
        await call('GET /api/v2/organizations/{id}/members', env, (abortSignal) =>
          env.client.organizations.members.list(
            cur.orgId,
            {
              take: TAKE,
              fields: MEMBER_FIELDS,
              include_fields: true,
              ...(cur.from ? { from: cur.from } : {}),
            },
            { abortSignal },
          ),
        )
      ).response as unknown as Body;
      const members = arr(body, 'members');
      const nextState: MemberState = { ...st, current: { ...cur, from: next(body) } };
      env.db.transaction(() => {
        const n = stageMembers(cur.orgId, members);
        nextState.exported += n;
        nextState.current!.exported += n;
        if (!nextState.current!.from || members.length === 0)
          finishOrg(nextState, cur.orgId, nextState.current!.exported, cur.expected);
        env.save(nextState, nextState.exported, null);
      })();
      st = nextState;
      continue;
    }
    const orgs = nextOrgs.all(st.orgCursor) as string[];
    if (orgs.length === 0) break;
    for (const orgId of orgs) {
      env.throwIfStopped();
      // One offset call gives the total and, for the common small organization, every member at once; larger
      // organizations are then read with checkpoint paging (offset paging would stop at 1000).
      const body = (
        await call('GET /api/v2/organizations/{id}/members', env, (abortSignal) =>
          env.client.organizations.members.list(
            orgId,
            { include_totals: true, take: null, fields: MEMBER_FIELDS, include_fields: true },
            { abortSignal, queryParams: { page: 0, per_page: TAKE } },
          ),
        )
      ).response as unknown as Body;
      const members = arr(body, 'members');
      const expected = total(body);
      const nextState: MemberState = { ...st };
      if (expected !== null && members.length >= expected) {
        env.db.transaction(() => {
          const n = stageMembers(orgId, members);
          nextState.exported += n;
          finishOrg(nextState, orgId, n, expected);
          env.save(nextState, nextState.exported, null);
          env.progress(
            nextState.exported,
            null,
            `Memberships: ${nextState.orgsDone} of ${orgCount} organizations`,
          );
        })();
        st = nextState;
      } else {
        nextState.current = { orgId, from: null, exported: 0, expected };
        env.db.transaction(() => env.save(nextState, nextState.exported, null))();
        st = nextState;
        break;
      }
    }
  }
  const differing = env.db
    .prepare(
      `SELECT org_id, expected, exported FROM auth0_export_org_totals
       WHERE run_id = ? AND expected IS NOT exported ORDER BY org_id LIMIT 5`,
    )
    .all(env.runId) as { org_id: string; expected: number | null; exported: number }[];
  const result = compare(
    st.exported,
    st.expected,
    'GET /organizations/{id}/members include_totals, per organization',
  );
  if (differing.length > 0) {
    return {
      ...result,
      complete: false,
      note: [
        result.note,
        `organizations whose member count differs from Auth0's total: ${differing
          .map((d) => `${d.org_id} (${d.exported} of ${d.expected ?? '?'})`)
          .join(', ')}`,
      ]
        .filter(Boolean)
        .join('; '),
    };
  }
  return {
    ...result,
    note: [result.note, `${st.orgsDone} organizations, each matching its own total`]
      .filter(Boolean)
      .join('; '),
  };
};

// ---------------------------------------------------------------------------------------------------- MFA

interface MfaState {
  userCursor: string;
  users: number;
  exported: number;
  expected: number;
  usersWithoutMethods: number;
}

export const exportMfa: EntityExporter<MfaState> = async (env, state) => {
  const insert = env.db.prepare(
    `INSERT OR IGNORE INTO auth0_stage_mfa_enrolments (user_id, enrolment_id, type, confirmed, name, created_at, raw_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const usersWithMfa = env.db
    .prepare('SELECT count(*) FROM auth0_users WHERE has_mfa = 1')
    .pluck()
    .get() as number;
  const nextUsers = env.db
    .prepare('SELECT user_id FROM auth0_users WHERE has_mfa = 1 AND user_id > ? ORDER BY user_id LIMIT 200')
    .pluck();
  let st: MfaState = state ?? { userCursor: '', users: 0, exported: 0, expected: 0, usersWithoutMethods: 0 };
  for (;;) {
    const users = nextUsers.all(st.userCursor) as string[];
    if (users.length === 0) break;
    for (const userId of users) {
      env.throwIfStopped();
      const methods: Body[] = [];
      let expected = 0;
      for (let page = 0; page * TAKE < OFFSET_CAP; page++) {
        const body = (
          await call('GET /api/v2/users/{id}/authentication-methods', env, (abortSignal) =>
            env.client.users.authenticationMethods.list(
              userId,
              { page, per_page: TAKE, include_totals: true },
              { abortSignal },
            ),
          )
        ).response as unknown as Body;
        const list = arr(body, 'authenticators');
        methods.push(...list);
        expected = total(body) ?? methods.length;
        if (list.length < TAKE || methods.length >= expected) break;
      }
      const nextState: MfaState = {
        ...st,
        userCursor: userId,
        users: st.users + 1,
        expected: st.expected + expected,
        usersWithoutMethods: st.usersWithoutMethods + (methods.length === 0 ? 1 : 0),
      };
      env.db.transaction(() => {
        for (const m of methods) {
          const id = s(m.id);
          if (!id) continue;
          nextState.exported += insert.run(
            userId,
            id,
            s(m.type) ?? 'unknown',
            b(m.confirmed),
            s(m.name),
            s(m.created_at),
            JSON.stringify(m),
          ).changes;
        }
        env.save(nextState, nextState.users, usersWithMfa);
      })();
      st = nextState;
    }
  }
  const result = compare(
    st.exported,
    st.expected,
    'GET /users/{id}/authentication-methods include_totals, per user',
  );
  const notes = [
    result.note,
    `${st.users} user(s) whose profile shows MFA were read`,
    st.usersWithoutMethods
      ? `${st.usersWithoutMethods} of them have no authentication method listed`
      : undefined,
  ].filter(Boolean);
  return { ...result, complete: result.complete && st.users === usersWithMfa, note: notes.join('; ') };
};

// ---------------------------------------------------------------------------------------------------- custom logic

interface LogicState {
  kinds: { action?: [number, number]; rule?: [number, number]; hook?: [number, number] };
}

export const exportLogic: EntityExporter<LogicState> = async (env, state) => {
  const insert = env.db.prepare(
    `INSERT OR IGNORE INTO auth0_stage_custom_logic (kind, logic_id, name, trigger, enabled, last_change, raw_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const st: LogicState = state ?? { kinds: {} };
  const readAll = async (
    kind: 'action' | 'rule' | 'hook',
    endpoint: string,
    fetchPage: (page: number, abortSignal: AbortSignal) => Promise<Body>,
    key: string,
    row: (x: Body) => [string | null, string | null, number | null, string | null],
  ): Promise<void> => {
    if (st.kinds[kind]) return;
    const items: Body[] = [];
    let expected: number | null = null;
    for (let page = 0; ; page++) {
      env.throwIfStopped();
      const body = await call(endpoint, env, (abortSignal) => fetchPage(page, abortSignal));
      const list = arr(body, key);
      items.push(...list);
      expected = total(body);
      if (list.length < 50 || (expected !== null && items.length >= expected)) break;
    }
    env.db.transaction(() => {
      let n = 0;
      for (const x of items) {
        const id = s(x.id);
        if (!id) continue;
        const [name, trigger, enabled, lastChange] = row(x);
        // The inventory lists what must be rewritten; the code itself is not kept.
        const { code: _c, script: _s, ...meta } = x;
        n += insert.run(kind, id, name ?? id, trigger, enabled, lastChange, JSON.stringify(meta)).changes;
      }
      st.kinds[kind] = [n, expected ?? n];
      const done = Object.values(st.kinds).reduce((a, v) => a + (v?.[0] ?? 0), 0);
      env.save(st, done, null);
    })();
  };
  await readAll(
    'action',
    'GET /api/v2/actions/actions',
    async (page, abortSignal) =>
      (await env.client.actions.list({ page, per_page: 50 }, { abortSignal })).response as Body,
    'actions',
    (a) => [
      s(a.name),
      Array.isArray(a.supported_triggers)
        ? (a.supported_triggers as Body[]).map((t) => s(t.id)).join(',')
        : null,
      null,
      s(a.updated_at),
    ],
  );
  await readAll(
    'rule',
    'GET /api/v2/rules',
    async (page, abortSignal) =>
      (await env.client.rules.list({ page, per_page: 50, include_totals: true }, { abortSignal }))
        .response as Body,
    'rules',
    (r) => [s(r.name), s(r.stage) ?? 'login_success', b(r.enabled), null],
  );
  await readAll(
    'hook',
    'GET /api/v2/hooks',
    async (page, abortSignal) =>
      (await env.client.hooks.list({ page, per_page: 50, include_totals: true }, { abortSignal }))
        .response as Body,
    'hooks',
    (h) => [s(h.name), s(h.triggerId), b(h.enabled), null],
  );
  const exported = Object.values(st.kinds).reduce((a, v) => a + (v?.[0] ?? 0), 0);
  const expected = Object.values(st.kinds).reduce((a, v) => a + (v?.[1] ?? 0), 0);
  const counts = (['action', 'rule', 'hook'] as const)
    .map((k) => `${st.kinds[k]?.[0] ?? 0} ${k}s`)
    .join(', ');
  return compare(
    exported,
    expected,
    'list totals of actions, rules and hooks',
    `${counts} to rewrite for WorkOS`,
  );
};

export type { EntityResult };
