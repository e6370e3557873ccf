import { randomUUID } from 'node:crypto';
import { loadMappingContext, mapUser, organizationMapper, workosRoles } from '../review/mapping';
import type { Workspace } from '../workspace';
import { WorkosCallError, enc, type WorkosApi } from './api';
import {
  liveUser,
  lower,
  membershipSlugs,
  type LiveFactor,
  type LiveMembership,
  type LiveOrganization,
  type LiveUser,
} from './live';
import { getPlan, splitMembershipKey, type PlanItemDetail } from './plan';

// Verification: WorkOS read back and compared with the workspace, for every object the plan expects to exist after
// the import (created, existing, repaired, linked). Users are matched by external_id (then email where a user has
// none), from a full listing. Every mismatch is stored with the run; a sample of users with known passwords (in
// rehearsal mode, all of them) signs in through /user_management/authenticate with the original password.

export interface KnownPasswords {
  clientId: string;
  /** Auth0 user_id -> plaintext password. */
  byUserId: Map<string, string>;
}

export interface VerifyEnv {
  workspace: Workspace;
  api: WorkosApi;
  planId: string;
  passwords: KnownPasswords | null;
  /** How many users with a known password sign in: a number, or all. */
  sample: number | 'all';
  progress(p: { done: number; total?: number | null; message?: string }): void;
  throwIfStopped(): void;
}

export interface VerifyCounts {
  users: { expected: number; found: number; mismatched: number };
  organizations: { expected: number; found: number; mismatched: number };
  memberships: { expected: number; found: number; mismatched: number };
  roles: { expected: number; found: number };
  totp: { expected: number; found: number };
  passwords: { checked: number; verified: number; skippedReason?: string };
  mismatches: number;
}

export interface VerifyResult {
  verifyId: string;
  planId: string;
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  counts: VerifyCounts;
}

interface Mismatch {
  kind: string;
  sourceKey: string;
  field: string;
  expected: string | null;
  actual: string | null;
}

const PRESENT = ['create', 'exists', 'repair'];

export async function runVerify(env: VerifyEnv): Promise<VerifyResult> {
  const { workspace: ws, api, planId } = env;
  ws.assertWritable();
  const plan = getPlan(ws, planId);
  const verifyId = randomUUID();
  const startedAt = new Date().toISOString();
  ws.db
    .prepare('INSERT INTO workos_verifications (verify_id, plan_id, started_at) VALUES (?, ?, ?)')
    .run(verifyId, planId, startedAt);
  const mismatches: Mismatch[] = [];
  const miss = (kind: string, sourceKey: string, field: string, expected: unknown, actual: unknown) =>
    mismatches.push({
      kind,
      sourceKey,
      field,
      expected: expected === null || expected === undefined ? null : String(expected),
      actual: actual === null || actual === undefined ? null : String(actual),
    });
  const items = (kind: string) =>
    ws.db
      .prepare(
        "SELECT source_key, action, detail_json FROM workos_plan_items WHERE plan_id = ? AND kind = ? AND action <> 'skip' ORDER BY seq",
      )
      .all(planId, kind) as { source_key: string; action: string; detail_json: string | null }[];
  const expected = (rows: ReturnType<typeof items>) =>
    rows.filter((r) => {
      if (PRESENT.includes(r.action)) return true;
      const d = r.detail_json ? (JSON.parse(r.detail_json) as PlanItemDetail) : {};
      return r.action === 'conflict' && d.resolution === 'link';
    });

  env.progress({ done: 0, total: null, message: 'Reading WorkOS' });
  const usersByExt = new Map<string, LiveUser>();
  const usersByEmail = new Map<string, LiveUser>();
  const emailCount = new Map<string, number>();
  for await (const listed of api.list<LiveUser>('/user_management/users')) {
    const u = liveUser(listed);
    if (u.external_id) usersByExt.set(u.external_id, u);
    usersByEmail.set(lower(u.email), u);
    emailCount.set(lower(u.email), (emailCount.get(lower(u.email)) ?? 0) + 1);
  }
  const orgsByExt = new Map<string, LiveOrganization>();
  const orgExtCount = new Map<string, number>();
  for await (const o of api.list<LiveOrganization>('/organizations')) {
    if (!o.external_id) continue;
    orgsByExt.set(o.external_id, o);
    orgExtCount.set(o.external_id, (orgExtCount.get(o.external_id) ?? 0) + 1);
  }

  // Roles
  const liveRoles = new Set(
    (await api.request<{ data: { slug: string }[] }>('GET', '/authorization/roles')).data.map((r) => r.slug),
  );
  const roleCounts = { expected: 0, found: 0 };
  for (const r of workosRoles(ws.db)) {
    roleCounts.expected++;
    if (liveRoles.has(r.slug)) roleCounts.found++;
    else miss('role', r.slug, 'exists', 'yes', 'no');
  }

  // Organizations
  const orgIdBySource = new Map<string, string>();
  const mapOrganization = organizationMapper(ws);
  const orgCounts = { expected: 0, found: 0, mismatched: 0 };
  for (const it of expected(items('organization'))) {
    orgCounts.expected++;
    const o = mapOrganization(it.source_key);
    if (!o) continue;
    const have = o.externalId ? orgsByExt.get(o.externalId) : undefined;
    if (!have) {
      miss('organization', it.source_key, 'exists', 'yes', 'no');
      orgCounts.mismatched++;
      continue;
    }
    orgCounts.found++;
    orgIdBySource.set(it.source_key, have.id);
    const before = mismatches.length;
    if ((orgExtCount.get(have.external_id!) ?? 0) > 1)
      miss('organization', it.source_key, 'duplicates', 1, orgExtCount.get(have.external_id!));
    if (have.name !== o.name) miss('organization', it.source_key, 'name', o.name, have.name);
    for (const [k, v] of Object.entries(o.metadata))
      if ((have.metadata ?? {})[k] !== v)
        miss('organization', it.source_key, `metadata.${k}`, v, (have.metadata ?? {})[k]);
    const domains = new Set(have.domains.map((d) => lower(d.domain)));
    for (const d of o.domains)
      if (!domains.has(lower(d.domain))) miss('organization', it.source_key, 'domain', d.domain, null);
    if (mismatches.length > before) orgCounts.mismatched++;
  }

  // Users
  const userCounts = { expected: 0, found: 0, mismatched: 0 };
  const userIdBySource = new Map<string, string>();
  const emailBySource = new Map<string, string>();
  const withHash: string[] = [];
  const userItems = expected(items('user'));
  const mapping = loadMappingContext(ws);
  let n = 0;
  for (const it of userItems) {
    if (++n % 500 === 0) {
      env.throwIfStopped();
      env.progress({ done: n, total: userItems.length, message: `Compared ${n} users` });
    }
    userCounts.expected++;
    const o = mapUser(ws, it.source_key, mapping);
    if (o?.kind !== 'create') continue;
    const u = o.record;
    const have = u.externalId ? usersByExt.get(u.externalId) : usersByEmail.get(lower(u.email));
    if (!have) {
      miss('user', it.source_key, 'exists', 'yes', 'no');
      userCounts.mismatched++;
      continue;
    }
    userCounts.found++;
    userIdBySource.set(it.source_key, have.id);
    emailBySource.set(it.source_key, u.email);
    const d = it.detail_json ? (JSON.parse(it.detail_json) as PlanItemDetail) : {};
    if (d.password === 'hash') withHash.push(it.source_key);
    const before = mismatches.length;
    if (lower(have.email) !== lower(u.email)) miss('user', it.source_key, 'email', u.email, have.email);
    if (have.email_verified !== u.emailVerified)
      miss('user', it.source_key, 'email_verified', u.emailVerified, have.email_verified);
    if ((have.first_name ?? null) !== u.firstName)
      miss('user', it.source_key, 'first_name', u.firstName, have.first_name);
    if ((have.last_name ?? null) !== u.lastName)
      miss('user', it.source_key, 'last_name', u.lastName, have.last_name);
    for (const [k, v] of Object.entries(u.metadata))
      if ((have.metadata ?? {})[k] !== v)
        miss('user', it.source_key, `metadata.${k}`, v, (have.metadata ?? {})[k]);
    if (mismatches.length > before) userCounts.mismatched++;
  }

  // Memberships, read per organization (one read per 100 members)
  const memCounts = { expected: 0, found: 0, mismatched: 0 };
  const liveByPair = new Map<string, LiveMembership>();
  const pairCount = new Map<string, number>();
  for (const orgId of new Set(orgIdBySource.values())) {
    for await (const m of api.list<LiveMembership>('/user_management/organization_memberships', {
      organization_id: orgId,
    })) {
      const k = `${m.organization_id}|${m.user_id}`;
      liveByPair.set(k, m);
      pairCount.set(k, (pairCount.get(k) ?? 0) + 1);
    }
    env.throwIfStopped();
  }
  for (const it of expected(items('membership'))) {
    memCounts.expected++;
    const { sourceOrgId, sourceUserId } = splitMembershipKey(it.source_key);
    const orgId = orgIdBySource.get(sourceOrgId);
    const userId = userIdBySource.get(sourceUserId);
    const have = orgId && userId ? liveByPair.get(`${orgId}|${userId}`) : undefined;
    if (!have) {
      miss('membership', it.source_key, 'exists', 'yes', 'no');
      memCounts.mismatched++;
      continue;
    }
    memCounts.found++;
    const d = it.detail_json ? (JSON.parse(it.detail_json) as PlanItemDetail) : {};
    const wanted = d.roleSlugs?.length ? d.roleSlugs : ['member'];
    const got = membershipSlugs(have);
    const before = mismatches.length;
    if (have.status !== 'active') miss('membership', it.source_key, 'status', 'active', have.status);
    if (wanted.some((s) => !got.includes(s)))
      miss('membership', it.source_key, 'roles', wanted.join(','), got.join(','));
    if ((pairCount.get(`${orgId}|${userId}`) ?? 0) > 1)
      miss('membership', it.source_key, 'duplicates', 1, pairCount.get(`${orgId}|${userId}`));
    if (mismatches.length > before) memCounts.mismatched++;
  }

  // TOTP enrolment
  const totpCounts = { expected: 0, found: 0 };
  for (const it of expected(items('totp'))) {
    totpCounts.expected++;
    const userId = userIdBySource.get(it.source_key);
    if (!userId) {
      miss('totp', it.source_key, 'enrolled', 'yes', 'user missing');
      continue;
    }
    const factors = await api.listAll<LiveFactor>(`/user_management/users/${enc(userId)}/auth_factors`);
    const totp = factors.filter((f) => f.type === 'totp').length;
    if (totp === 1) totpCounts.found++;
    else miss('totp', it.source_key, 'enrolled', 1, totp);
  }

  // Passwords
  const pw: VerifyCounts['passwords'] = { checked: 0, verified: 0 };
  if (!env.passwords)
    pw.skippedReason = 'Known passwords exist only in rehearsal mode (the generated tenant).';
  else if (plan.options.passwords === 'none') pw.skippedReason = 'The plan imported no passwords.';
  else {
    const known = withHash.filter((id) => env.passwords!.byUserId.has(id));
    const sample = env.sample === 'all' ? known : spread(known, env.sample);
    let next = 0;
    const worker = async () => {
      while (next < sample.length) {
        const id = sample[next++]!;
        pw.checked++;
        try {
          await api.limiter.run('um_write', () =>
            api.workos.userManagement.authenticateWithPassword({
              clientId: env.passwords!.clientId,
              email: emailBySource.get(id)!,
              password: env.passwords!.byUserId.get(id)!,
            }),
          );
          pw.verified++;
        } catch (err) {
          const status = (err as { status?: number }).status;
          if (status === 429) {
            api.limiter.rateLimited('um_write', (err as { retryAfter?: number }).retryAfter ?? null);
            sample.push(id); // checked again after the pause
            pw.checked--;
            continue;
          }
          const code =
            err instanceof WorkosCallError
              ? err.failure.code
              : ((err as { error?: string; code?: string }).error ??
                (err as { code?: string }).code ??
                `http_${status ?? 'none'}`);
          miss('password', id, 'authenticates', 'yes', String(code));
        }
        if (pw.checked % 200 === 0)
          env.progress({ done: pw.checked, total: sample.length, message: `Signed in ${pw.checked} users` });
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, sample.length) }, worker));
  }

  const counts: VerifyCounts = {
    users: userCounts,
    organizations: orgCounts,
    memberships: memCounts,
    roles: roleCounts,
    totp: totpCounts,
    passwords: pw,
    mismatches: mismatches.length,
  };
  const ok = mismatches.length === 0;
  const finishedAt = new Date().toISOString();
  const insert = ws.db.prepare(
    'INSERT INTO workos_verify_mismatches (verify_id, seq, kind, source_key, field, expected, actual) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  ws.db.transaction(() => {
    mismatches.forEach((m, i) =>
      insert.run(verifyId, i + 1, m.kind, m.sourceKey, m.field, m.expected, m.actual),
    );
    ws.db
      .prepare('UPDATE workos_verifications SET finished_at = ?, ok = ?, counts_json = ? WHERE verify_id = ?')
      .run(finishedAt, ok ? 1 : 0, JSON.stringify(counts), verifyId);
    ws.audit.append({
      actor: 'app',
      action: 'workos.verify',
      details: {
        planId,
        ok,
        mismatches: mismatches.length,
        passwordsChecked: pw.checked,
        passwordsVerified: pw.verified,
      },
    });
  })();
  return { verifyId, planId, ok, startedAt, finishedAt, counts };
}

/** n items spread evenly over the list (deterministic). */
function spread<T>(list: T[], n: number): T[] {
  if (n >= list.length) return [...list];
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]!);
}

export function latestVerification(ws: Workspace): VerifyResult | null {
  const row = ws.db
    .prepare(
      'SELECT * FROM workos_verifications WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1',
    )
    .get() as
    | {
        verify_id: string;
        plan_id: string;
        started_at: string;
        finished_at: string;
        ok: number;
        counts_json: string;
      }
    | undefined;
  if (!row) return null;
  return {
    verifyId: row.verify_id,
    planId: row.plan_id,
    ok: row.ok === 1,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counts: JSON.parse(row.counts_json) as VerifyCounts,
  };
}

export function verifyMismatches(
  ws: Workspace,
  verifyId: string,
  opts: { after?: number; limit?: number } = {},
): { rows: (Mismatch & { seq: number })[]; next: number | null } {
  const limit = Math.max(1, Math.min(1000, opts.limit ?? 100));
  const rows = ws.db
    .prepare(
      `SELECT seq, kind, source_key AS sourceKey, field, expected, actual FROM workos_verify_mismatches
       WHERE verify_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    )
    .all(verifyId, opts.after ?? 0, limit) as (Mismatch & { seq: number })[];
  return { rows, next: rows.length === limit ? rows[rows.length - 1]!.seq : null };
}
