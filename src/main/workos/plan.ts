import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/errors';
import { signOffState } from '../review/decisions';
import {
  iterateWorkosMemberships,
  iterateWorkosOrganizations,
  iterateWorkosUsers,
  workosRoles,
  type WorkosOrganizationRecord,
  type WorkosUserRecord,
} from '../review/mapping';
import type { Workspace } from '../workspace';
import type { WorkosApi } from './api';
import { workspaceFingerprint } from './fingerprint';
import {
  factorsOfUser,
  lower,
  membershipSlugs,
  membershipsOfUser,
  readLiveIndex,
  type LiveMembership,
  type LiveOrganization,
  type LiveUser,
} from './live';
import { hasImportableHash, hasTotpSecret } from './secrets';

// The plan: the reviewed workspace diffed against the live WorkOS environment. Users are matched by external_id
// (= the Auth0 user_id), then by email. Per entity: create; exists (matches); repair (exists, but a membership or
// role is missing, email_verified or another mapped field differs, or the password is to be set); conflict (the
// email belongs to a user this migration did not create, or the external_id sits on another email), resolved by
// the plan's policy; skip. The plan is stored with fingerprints of both sides; the import executes it as stored.

export type PlanKind = 'role' | 'organization' | 'user' | 'membership' | 'totp';
export type PlanAction = 'create' | 'exists' | 'repair' | 'conflict' | 'skip';
export const PLAN_KINDS: PlanKind[] = ['role', 'organization', 'user', 'membership', 'totp'];
export const PLAN_ACTIONS: PlanAction[] = ['create', 'exists', 'repair', 'conflict', 'skip'];

export interface PlanOptions {
  /** What to do with a conflicting user: link to it and repair it, leave it (and its memberships) out, or refuse to
   *  import until the conflict is resolved. */
  conflictPolicy: 'link' | 'skip' | 'stop';
  /** Whether the WorkOS environment has multiple roles per membership enabled (an environment setting the API
   *  does not expose). Off: one role per membership, the others reported. */
  multipleRoles: boolean;
  /** Disable webhook endpoints during the import; they are always re-enabled afterwards. */
  pauseWebhooks: boolean;
  /** 'none' imports every user without a password (they reset it or use Magic Auth). */
  passwords: 'import' | 'none';
}

export const defaultPlanOptions: PlanOptions = {
  conflictPolicy: 'stop',
  multipleRoles: false,
  pauseWebhooks: false,
  passwords: 'import',
};

export interface PlanItemDetail {
  /** User: whether a password hash goes with the create/repair. */
  password?: 'hash' | 'none';
  passwordReason?: string;
  /** Fields or parts to repair on an existing object. */
  repairs?: string[];
  conflict?: 'email_taken' | 'external_id_other_email';
  resolution?: 'link' | 'skip' | 'stop';
  /** Membership: the role slugs to send (one unless multiple roles are on) and those left out. */
  roleSlugs?: string[];
  rolesDropped?: string[];
  /** Skip: why. */
  reason?: string;
  /** Membership and TOTP: the WorkOS user, when it already exists. */
  workosUserId?: string;
  /** Membership: the WorkOS organization, when it already exists. */
  workosOrgId?: string;
  /** Membership to repair: the existing membership's state. */
  membershipStatus?: string;
}

export type PlanCounts = Record<PlanKind, Record<PlanAction, number>>;

export interface PlanRecord {
  planId: string;
  createdAt: string;
  environment: string;
  host: string;
  options: PlanOptions;
  workspaceFingerprint: string;
  workosFingerprint: string;
  counts: PlanCounts;
  signOff: { signed: boolean; intact: boolean; reviewer: string | null; at: string | null };
  live: { users: number; organizations: number; roles: number };
}

export interface PlanItem {
  seq: number;
  kind: PlanKind;
  sourceKey: string;
  action: PlanAction;
  workosId: string | null;
  detail: PlanItemDetail;
}

export const membershipKey = (sourceOrgId: string, sourceUserId: string): string =>
  `${sourceOrgId}/${sourceUserId}`;

export function splitMembershipKey(key: string): { sourceOrgId: string; sourceUserId: string } {
  const i = key.indexOf('/');
  return { sourceOrgId: key.slice(0, i), sourceUserId: key.slice(i + 1) };
}

function emptyCounts(): PlanCounts {
  const c = {} as PlanCounts;
  for (const k of PLAN_KINDS)
    c[k] = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  return c;
}

/** One slug where a membership may hold one role: admin first, then any other non-default role, then member. */
export function pickSingleRole(slugs: string[]): string {
  if (slugs.includes('admin')) return 'admin';
  return slugs.find((s) => s !== 'member') ?? slugs[0]!;
}

function sameMetadata(wanted: Record<string, string>, live: Record<string, string> | null): boolean {
  const have = live ?? {};
  return Object.entries(wanted).every(([k, v]) => have[k] === v);
}

/** Fields of an existing user that differ from the workspace (the repair sends the workspace's values). */
export function userRepairs(rec: WorkosUserRecord, live: LiveUser): string[] {
  const out: string[] = [];
  if (live.email_verified !== rec.emailVerified) out.push('email_verified');
  if ((live.first_name ?? null) !== rec.firstName || (live.last_name ?? null) !== rec.lastName)
    out.push('name');
  if (!sameMetadata(rec.metadata, live.metadata)) out.push('metadata');
  if (rec.externalId !== null && live.external_id !== rec.externalId) out.push('external_id');
  return out;
}

export function organizationRepairs(rec: WorkosOrganizationRecord, live: LiveOrganization): string[] {
  const out: string[] = [];
  if (live.name !== rec.name) out.push('name');
  if (!sameMetadata(rec.metadata, live.metadata)) out.push('metadata');
  const have = new Set(live.domains.map((d) => lower(d.domain)));
  if (rec.domains.some((d) => !have.has(lower(d.domain)))) out.push('domains');
  return out;
}

/** The user ids this workspace created in WorkOS (from any earlier import's journal). */
function createdUserIds(ws: Workspace): Set<string> {
  const rows = ws.db
    .prepare(
      "SELECT workos_id FROM workos_journal WHERE kind = 'user.create' AND created = 1 AND workos_id IS NOT NULL AND rolled_back IS NULL",
    )
    .pluck()
    .all() as string[];
  return new Set(rows);
}

export interface CreatePlanEnv {
  workspace: Workspace;
  api: WorkosApi;
  environment: string;
  options: PlanOptions;
  progress?: (done: number, message: string) => void;
  throwIfStopped?: () => void;
}

interface UserState {
  action: PlanAction;
  /** Existing WorkOS user to write memberships and factors to (exists, repair, linked conflict). */
  workosId: string | null;
  importable: boolean;
}

export async function createPlan(env: CreatePlanEnv): Promise<PlanRecord> {
  const { workspace: ws, api, options } = env;
  ws.assertWritable();
  const signOff = signOffState(ws);
  const progress = env.progress ?? (() => undefined);
  const stop = env.throwIfStopped ?? (() => undefined);
  const wsFingerprintBefore = workspaceFingerprint(ws);

  progress(0, 'Reading the WorkOS environment');
  const live = await readLiveIndex(api, (what, n) => progress(0, `Read ${n} WorkOS ${what}`));
  const ours = createdUserIds(ws);

  const planId = randomUUID();
  const counts = emptyCounts();
  let seq = 0;
  const items: PlanItem[] = [];
  const insert = ws.db.prepare(
    `INSERT INTO workos_plan_items (plan_id, seq, kind, source_key, action, workos_id, detail_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const flush = ws.db.transaction((batch: PlanItem[]) => {
    for (const it of batch)
      insert.run(
        planId,
        it.seq,
        it.kind,
        it.sourceKey,
        it.action,
        it.workosId,
        Object.keys(it.detail).length ? JSON.stringify(it.detail) : null,
      );
  });
  const add = (
    kind: PlanKind,
    sourceKey: string,
    action: PlanAction,
    workosId: string | null,
    detail: PlanItemDetail,
  ) => {
    items.push({ seq: ++seq, kind, sourceKey, action, workosId, detail });
    counts[kind][action]++;
    if (items.length >= 2000) {
      flush(items.splice(0));
      progress(seq, `Planned ${seq} objects`);
      stop();
    }
  };
  const createdAt = new Date().toISOString();
  ws.db
    .prepare(
      `INSERT INTO workos_plans (plan_id, created_at, environment, host, options_json, workspace_fingerprint,
         workos_fingerprint, counts_json, signoff_json) VALUES (?, ?, ?, ?, ?, '', '', '{}', '{}')`,
    )
    .run(planId, createdAt, env.environment, api.host, JSON.stringify(options));

  // Roles: the built-in ones too, where the environment lacks them (memberships must find every slug).
  for (const r of workosRoles(ws.db)) {
    const have = live.roles.get(r.slug);
    add('role', r.slug, have ? 'exists' : 'create', have?.id ?? null, {});
  }

  const orgIds = new Map<string, string | null>();
  for (const o of iterateWorkosOrganizations(ws)) {
    const have = o.externalId ? live.orgsByExternalId.get(o.externalId) : undefined;
    if (!have) {
      add('organization', o.sourceOrgId, 'create', null, {});
      orgIds.set(o.sourceOrgId, null);
      continue;
    }
    const repairs = organizationRepairs(o, have);
    add(
      'organization',
      o.sourceOrgId,
      repairs.length ? 'repair' : 'exists',
      have.id,
      repairs.length ? { repairs } : {},
    );
    orgIds.set(o.sourceOrgId, have.id);
  }

  const users = new Map<string, UserState>();
  for (const u of iterateWorkosUsers(ws)) {
    const wantsHash =
      options.passwords === 'import' && u.importPassword && hasImportableHash(ws, u.sourceUserId);
    const password: PlanItemDetail = wantsHash
      ? { password: 'hash' }
      : {
          password: 'none',
          passwordReason:
            options.passwords === 'none'
              ? 'the plan imports no passwords'
              : !u.importPassword
                ? 'blocked user imported without a password (policy)'
                : 'no importable password hash was merged for this user',
        };
    const byExt = u.externalId ? live.usersByExternalId.get(u.externalId) : undefined;
    const byEmail = live.usersByEmail.get(lower(u.email));
    let state: UserState;
    if (byExt && lower(byExt.email) !== lower(u.email)) {
      // Someone else's user carries this Auth0 id: it is never relinked to another address.
      const resolution = options.conflictPolicy === 'stop' ? 'stop' : 'skip';
      add('user', u.sourceUserId, 'conflict', byExt.id, { conflict: 'external_id_other_email', resolution });
      state = { action: 'conflict', workosId: null, importable: false };
    } else if (byExt || (byEmail && ours.has(byEmail.id))) {
      const have = (byExt ?? byEmail)!;
      const repairs = userRepairs(u, have);
      // WorkOS does not say whether a user has a password: one this workspace did not create gets the Auth0 hash.
      if (wantsHash && !ours.has(have.id)) repairs.push('password');
      add('user', u.sourceUserId, repairs.length ? 'repair' : 'exists', have.id, {
        ...(repairs.length ? { repairs } : {}),
        ...(repairs.includes('password') ? { password: 'hash' as const } : {}),
      });
      state = { action: repairs.length ? 'repair' : 'exists', workosId: have.id, importable: true };
    } else if (byEmail) {
      const link = options.conflictPolicy === 'link';
      const repairs = link ? userRepairs(u, byEmail) : [];
      if (link && wantsHash) repairs.push('password');
      add('user', u.sourceUserId, 'conflict', byEmail.id, {
        conflict: 'email_taken',
        resolution: options.conflictPolicy,
        ...(link ? { repairs, ...(wantsHash ? { password: 'hash' as const } : {}) } : {}),
      });
      state = { action: 'conflict', workosId: link ? byEmail.id : null, importable: link };
    } else {
      add('user', u.sourceUserId, 'create', null, password);
      state = { action: 'create', workosId: null, importable: true };
    }
    users.set(u.sourceUserId, state);
  }

  // Memberships: those of existing users are read once per user, as the plan reaches them.
  let cachedFor: string | null = null;
  let cached: LiveMembership[] = [];
  for (const m of iterateWorkosMemberships(ws)) {
    const key = membershipKey(m.sourceOrgId, m.sourceUserId);
    const user = users.get(m.sourceUserId);
    const slugs =
      m.roleSlugs.length === 0 ? [] : options.multipleRoles ? m.roleSlugs : [pickSingleRole(m.roleSlugs)];
    const dropped = m.roleSlugs.filter((s) => !slugs.includes(s));
    const roleDetail: PlanItemDetail = {
      roleSlugs: slugs,
      ...(dropped.length ? { rolesDropped: dropped } : {}),
    };
    if (!user || !user.importable) {
      add('membership', key, 'skip', null, { ...roleDetail, reason: 'the user is not imported (conflict)' });
      continue;
    }
    const orgId = orgIds.get(m.sourceOrgId) ?? null;
    if (!user.workosId || !orgId) {
      add('membership', key, 'create', null, {
        ...roleDetail,
        ...(user.workosId ? { workosUserId: user.workosId } : {}),
        ...(orgId ? { workosOrgId: orgId } : {}),
      });
      continue;
    }
    if (cachedFor !== user.workosId) {
      cached = await membershipsOfUser(api, user.workosId);
      cachedFor = user.workosId;
      stop();
    }
    const have = cached.find((x) => x.organization_id === orgId);
    const ids = { workosUserId: user.workosId, workosOrgId: orgId };
    if (!have) {
      add('membership', key, 'create', null, { ...roleDetail, ...ids });
      continue;
    }
    const haveSlugs = membershipSlugs(have);
    const repairs: string[] = [];
    if (have.status !== 'active') repairs.push('reactivate');
    const wanted = slugs.length ? slugs : ['member'];
    if (wanted.some((s) => !haveSlugs.includes(s))) repairs.push('roles');
    // Repairs add the missing roles to those the membership already has (where several are allowed).
    const target = options.multipleRoles ? [...new Set([...haveSlugs, ...wanted])].sort() : wanted;
    add('membership', key, repairs.length ? 'repair' : 'exists', have.id, {
      ...roleDetail,
      ...(repairs.length ? { repairs, roleSlugs: target, membershipStatus: have.status } : {}),
      ...ids,
    });
  }

  // TOTP factors for users whose secret was merged.
  for (const [sourceUserId, user] of users) {
    if (!hasTotpSecret(ws, sourceUserId)) continue;
    if (!user.importable) {
      add('totp', sourceUserId, 'skip', null, { reason: 'the user is not imported (conflict)' });
      continue;
    }
    if (!user.workosId) {
      add('totp', sourceUserId, 'create', null, {});
      continue;
    }
    const factors = await factorsOfUser(api, user.workosId);
    const totp = factors.find((f) => f.type === 'totp');
    add('totp', sourceUserId, totp ? 'exists' : 'create', totp?.id ?? null, { workosUserId: user.workosId });
    stop();
  }
  flush(items.splice(0));

  if (workspaceFingerprint(ws) !== wsFingerprintBefore)
    throw new AppError('plan_stale', 'The workspace changed while the plan was computed.', 'Plan again.');
  const record: PlanRecord = {
    planId,
    createdAt,
    environment: env.environment,
    host: api.host,
    options,
    workspaceFingerprint: wsFingerprintBefore,
    workosFingerprint: live.fingerprint,
    counts,
    signOff: { signed: signOff.signed, intact: signOff.intact, reviewer: signOff.reviewer, at: signOff.at },
    live: live.counts,
  };
  ws.db.transaction(() => {
    ws.db
      .prepare(
        `UPDATE workos_plans SET workspace_fingerprint = ?, workos_fingerprint = ?, counts_json = ?, signoff_json = ?
         WHERE plan_id = ?`,
      )
      .run(
        record.workspaceFingerprint,
        record.workosFingerprint,
        JSON.stringify({ counts, live: live.counts }),
        JSON.stringify(record.signOff),
        planId,
      );
    ws.audit.append({
      actor: 'app',
      action: 'workos.plan',
      // Totals per action (kind names such as "totp" read like secrets to the audit log's guard).
      details: {
        planId,
        ...Object.fromEntries(PLAN_ACTIONS.map((a) => [a, PLAN_KINDS.reduce((n, k) => n + counts[k][a], 0)])),
        conflictPolicy: options.conflictPolicy,
      },
    });
  })();
  progress(seq, `Planned ${seq} objects`);
  return record;
}

// ---- reading stored plans

interface PlanRow {
  plan_id: string;
  created_at: string;
  environment: string;
  host: string;
  options_json: string;
  workspace_fingerprint: string;
  workos_fingerprint: string;
  counts_json: string;
  signoff_json: string;
}

function toRecord(row: PlanRow): PlanRecord {
  const c = JSON.parse(row.counts_json) as { counts?: PlanCounts; live?: PlanRecord['live'] };
  return {
    planId: row.plan_id,
    createdAt: row.created_at,
    environment: row.environment,
    host: row.host,
    options: JSON.parse(row.options_json) as PlanOptions,
    workspaceFingerprint: row.workspace_fingerprint,
    workosFingerprint: row.workos_fingerprint,
    counts: c.counts ?? emptyCounts(),
    signOff: JSON.parse(row.signoff_json) as PlanRecord['signOff'],
    live: c.live ?? { users: 0, organizations: 0, roles: 0 },
  };
}

/** The newest complete plan (a plan whose computation was interrupted has no fingerprint and is ignored). */
export function latestPlan(ws: Workspace): PlanRecord | null {
  const row = ws.db
    .prepare(
      "SELECT * FROM workos_plans WHERE workos_fingerprint <> '' ORDER BY created_at DESC, rowid DESC LIMIT 1",
    )
    .get() as PlanRow | undefined;
  return row ? toRecord(row) : null;
}

export function getPlan(ws: Workspace, planId: string): PlanRecord {
  const row = ws.db
    .prepare("SELECT * FROM workos_plans WHERE plan_id = ? AND workos_fingerprint <> ''")
    .get(planId) as PlanRow | undefined;
  if (!row)
    throw new AppError('not_found', 'There is no such plan in this workspace.', 'Create a plan first.');
  return toRecord(row);
}

export function planItems(
  ws: Workspace,
  planId: string,
  opts: { kind?: PlanKind; action?: PlanAction; after?: number; limit?: number } = {},
): { rows: PlanItem[]; next: number | null } {
  const limit = Math.max(1, Math.min(1000, opts.limit ?? 100));
  const rows = ws.db
    .prepare(
      `SELECT seq, kind, source_key, action, workos_id, detail_json FROM workos_plan_items
       WHERE plan_id = @planId AND seq > @after AND (@kind IS NULL OR kind = @kind) AND (@action IS NULL OR action = @action)
       ORDER BY seq LIMIT @limit`,
    )
    .all({ planId, after: opts.after ?? 0, kind: opts.kind ?? null, action: opts.action ?? null, limit }) as {
    seq: number;
    kind: PlanKind;
    source_key: string;
    action: PlanAction;
    workos_id: string | null;
    detail_json: string | null;
  }[];
  return {
    rows: rows.map((r) => ({
      seq: r.seq,
      kind: r.kind,
      sourceKey: r.source_key,
      action: r.action,
      workosId: r.workos_id,
      detail: r.detail_json ? (JSON.parse(r.detail_json) as PlanItemDetail) : {},
    })),
    next: rows.length === limit ? rows[rows.length - 1]!.seq : null,
  };
}

/** Why this plan may not be imported now (empty: it may). The WorkOS side is checked by the import itself. */
export function planBlockers(ws: Workspace, plan: PlanRecord): string[] {
  const out: string[] = [];
  const s = signOffState(ws);
  if (!s.signed) out.push('The review is not signed off: sign it off (or have it signed) before importing.');
  else if (!s.intact) out.push('The review decisions changed after the sign-off: reopen and sign off again.');
  if (workspaceFingerprint(ws) !== plan.workspaceFingerprint)
    out.push('The workspace changed after this plan was made (export, merge or review): plan again.');
  const latest = latestPlan(ws);
  if (latest && latest.planId !== plan.planId) out.push('A newer plan exists: import that one.');
  if (plan.options.conflictPolicy === 'stop' && plan.counts.user.conflict > 0)
    out.push(
      `${plan.counts.user.conflict} user(s) conflict with existing WorkOS users and the plan's policy is to stop: resolve them in WorkOS or plan again with the link or skip policy.`,
    );
  return out;
}
