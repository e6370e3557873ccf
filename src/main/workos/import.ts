import { AppError } from '../../shared/errors';
import type { Auth0Settings } from '../credentials';
import {
  loadMappingContext,
  mapUser as mapWorkspaceUser,
  organizationMapper,
  workosRoles,
  type WorkosRoleRecord,
} from '../review/mapping';
import type { Workspace } from '../workspace';
import { WorkosCallError, enc, type CallFailure, type WorkosApi } from './api';
import {
  PHASES,
  journalCounts,
  journalComplete,
  writeJournal,
  type JournalRow,
  type OpKind,
  type OpStatus,
} from './journal';
import {
  lower,
  membershipSlugs,
  orgByExternalId,
  readLiveIndex,
  userByEmail,
  userByExternalId,
  type LiveFactor,
  type LiveMembership,
  type LiveOrganization,
  type LiveRole,
  type LiveUser,
} from './live';
import { getPlan, planBlockers, splitMembershipKey, type PlanItemDetail, type PlanRecord } from './plan';
import { workspaceSourcesDigest } from './fingerprint';
import { importableHash, totpSecret } from './secrets';
import { pauseWebhooks, restoreWebhooks } from './webhooks';

// The import: executes a stored plan through its journal. Each batch of ops is marked in flight (attempts + 1) in one
// transaction before any request; results are written in transactions together with the job checkpoint. A kill
// leaves some ops in flight: on resume each of those is first looked up in WorkOS (by external_id, slug, user and
// organization...) and only sent again if it did not land; creates also carry a deterministic Idempotency-Key
// (plan and op id), so a replay within WorkOS's idempotency window cannot apply twice either.

export interface ImportCheckpoint {
  phase: number;
}

export interface ImportEnv {
  workspace: Workspace;
  api: WorkosApi;
  planId: string;
  checkpoint: ImportCheckpoint | null;
  saveCheckpoint(
    cp: ImportCheckpoint,
    progress?: { done: number; total?: number | null; message?: string },
  ): void;
  progress(p: { done: number; total?: number | null; message?: string }): void;
  throwIfStopped(): void;
}

export interface ImportSummary {
  planId: string;
  counts: ReturnType<typeof journalCounts>;
  requests: number;
  rateLimited: number;
  seconds: number;
}

const BATCH_FACTOR = 4;
const FLUSH_MS = 250;

interface Outcome {
  opId: number;
  status: OpStatus;
  workosId?: string | null;
  created?: boolean;
  failure?: CallFailure | { code: string; message: string; requestId: null };
}

type Handler = (row: JournalRow, ctx: OpContext) => Promise<Outcome>;

interface OpContext {
  /** True when this op was in flight before (a kill, or an unknown outcome): look it up before sending. */
  recheckFirst: boolean;
  noteFailure(f: CallFailure): void;
}

export async function runImport(env: ImportEnv): Promise<ImportSummary> {
  const { workspace: ws, api, planId } = env;
  ws.assertWritable();
  const started = Date.now();
  const plan = getPlan(ws, planId);
  // Read before the checks below, so that a change committed after them is caught before the next request.
  const sources = workspaceSourcesDigest(ws);
  const resumed = journalComplete(ws, planId);
  // Refused if the workspace side changed since the plan was made: on a first run, and also when resuming (after a
  // pause, a kill, or to retry failures), which would otherwise send data nobody reviewed under this plan.
  const blockers = planBlockers(ws, plan);
  if (blockers.length && !resumed)
    throw new AppError('plan_stale', blockers[0]!, blockers.slice(1).join(' ') || undefined);
  if (blockers.length) {
    const settled = Object.values(journalCounts(ws, planId));
    const done = settled.reduce((n, c) => n + c.done + c.failed, 0);
    const total = settled.reduce((n, c) => n + c.done + c.failed + c.pending + c.in_flight, 0);
    throw new AppError(
      'plan_stale',
      `${blockers[0]} This import was not resumed: ${done} of ${total} operations were done, and nothing more was sent.`,
      RE_PLAN,
    );
  }

  if (!resumed) {
    env.progress({ done: 0, total: null, message: 'Checking that WorkOS is as the plan saw it' });
    const live = await readLiveIndex(api);
    if (live.fingerprint !== plan.workosFingerprint)
      throw new AppError(
        'plan_stale',
        'WorkOS changed after this plan was made (users, organizations or roles were added, changed or removed).',
        'Plan again, then import the new plan.',
      );
    writeJournal(ws, planId, {
      progress: (n) =>
        env.progress({
          done: 0,
          total: null,
          message: `Writing the import journal: ${n.toLocaleString('en-US')} operations`,
        }),
      throwIfStopped: env.throwIfStopped,
      onComplete: () =>
        ws.audit.append({ actor: 'app', action: 'workos.import.started', details: { planId } }),
    });
  }

  const total = ws.db
    .prepare("SELECT count(*) FROM workos_journal WHERE plan_id = ? AND status <> 'skipped'")
    .pluck()
    .get(planId) as number;
  const settledCount = ws.db
    .prepare("SELECT count(*) FROM workos_journal WHERE plan_id = ? AND status IN ('done', 'failed')")
    .pluck();
  const guard = (): void => {
    if (workspaceSourcesDigest(ws) !== sources)
      throw new AppError(
        'plan_stale',
        'The workspace changed during the import (an export or a merge finished, or the review was reopened), so the import stopped before its next request.',
        RE_PLAN,
      );
  };
  const saveStats = ws.db.prepare(
    `INSERT INTO workos_import_stats (plan_id, stats_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (plan_id) DO UPDATE SET stats_json = excluded.stats_json, updated_at = excluded.updated_at`,
  );

  if (plan.options.pauseWebhooks) await pauseWebhooks(ws, api, planId);
  try {
    const handlers = makeHandlers(ws, api, plan);
    const startPhase = env.checkpoint?.phase ?? 1;
    for (const { phase, label } of PHASES) {
      if (phase < startPhase) continue;
      await runPhase(env, phase, label, handlers, guard, total, settledCount, (stats) =>
        saveStats.run(planId, JSON.stringify(stats), new Date().toISOString()),
      );
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'plan_stale')
      ws.audit.append({
        actor: 'app',
        action: 'workos.import.stopped',
        details: { planId, reason: 'workspace_changed', done: settledCount.get(planId) as number },
      });
    throw err;
  } finally {
    if (plan.options.pauseWebhooks) await restoreWebhooks(ws, api, planId).catch(() => undefined);
  }

  const counts = journalCounts(ws, planId);
  const failed = Object.values(counts).reduce((n, c) => n + c.failed, 0);
  const stats = api.limiter.stats();
  const requests = Object.values(stats.requests).reduce((a, b) => a + b, 0);
  ws.audit.append({
    actor: 'app',
    action: failed ? 'workos.import.incomplete' : 'workos.import.completed',
    details: { planId, failed, requests, rateLimited: stats.rateLimited },
  });
  if (failed > 0)
    throw new AppError(
      'remote_error',
      `${failed} WorkOS operation(s) failed; everything else was imported.`,
      'See the failures (with their WorkOS codes and request ids), fix the cause, then retry the failed operations.',
    );
  return { planId, counts, requests, rateLimited: stats.rateLimited, seconds: (Date.now() - started) / 1000 };
}

const RE_PLAN =
  'Plan again: the new plan compares the workspace with what WorkOS holds now, including what this import created.';

async function runPhase(
  env: ImportEnv,
  phase: number,
  label: string,
  handlers: Record<OpKind, Handler>,
  guard: () => void,
  total: number,
  settledCount: { get(planId: string): unknown },
  saveStats: (stats: unknown) => void,
): Promise<void> {
  const { workspace: ws, api, planId } = env;
  const batchSize = api.limiter.concurrency * BATCH_FACTOR;
  const pick = ws.db.prepare(
    `SELECT * FROM workos_journal WHERE plan_id = ? AND phase = ? AND status IN ('pending', 'in_flight') AND op_id > ?
     ORDER BY op_id LIMIT ?`,
  );
  const markInFlight = ws.db.prepare(
    "UPDATE workos_journal SET status = 'in_flight', attempts = attempts + 1, updated_at = ? WHERE op_id = ?",
  );
  const write = ws.db.prepare(
    `UPDATE workos_journal SET status = @status, workos_id = COALESCE(@workosId, workos_id),
       created = CASE WHEN @created THEN 1 ELSE created END,
       request_id = COALESCE(@requestId, request_id), error_code = @code, error_message = @message, updated_at = @now
     WHERE op_id = @opId`,
  );
  const noteAttempt = ws.db.prepare(
    'UPDATE workos_journal SET attempts = attempts + 1, request_id = COALESCE(?, request_id), error_code = ?, error_message = ?, updated_at = ? WHERE op_id = ?',
  );
  const started = Date.now();
  const writesAtStart = api.limiter.stats();
  // A handler reads what it sends (the user, its hash or TOTP secret) before its first await: starting it in one
  // transaction with the guard means it sends exactly what the plan was made from, or nothing. (The promise is
  // returned wrapped: a transaction function may not return one.)
  const startGuarded = ws.db.transaction((row: JournalRow, ctx: OpContext) => {
    guard();
    return { sending: handlers[row.kind](row, ctx) };
  });

  let buffer: Outcome[] = [];
  let lastFlush = Date.now();
  const flush = ws.db.transaction(() => {
    const t = new Date().toISOString();
    for (const o of buffer)
      write.run({
        opId: o.opId,
        status: o.status,
        workosId: o.workosId ?? null,
        created: o.created ? 1 : 0,
        requestId: o.failure?.requestId ?? null,
        code: o.failure?.code ?? null,
        message: o.failure?.message ?? null,
        now: t,
      });
    buffer = [];
    const done = settledCount.get(planId) as number;
    const stats = api.limiter.stats();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const writes =
      stats.requests.um_write -
      writesAtStart.requests.um_write +
      stats.requests.other -
      writesAtStart.requests.other;
    saveStats({ ...stats, phase, label, phaseSeconds: seconds, phaseRequestsPerSecond: writes / seconds });
    env.saveCheckpoint(
      { phase },
      {
        done,
        total,
        message: `${label}: ${(writes / seconds).toFixed(1)} requests/s, ${stats.rateLimited} rate-limited (429)`,
      },
    );
  });
  const maybeFlush = (force = false) => {
    if (buffer.length && (force || Date.now() - lastFlush >= FLUSH_MS)) {
      flush();
      lastFlush = Date.now();
    }
  };

  let after = 0;
  for (;;) {
    env.throwIfStopped();
    const rows = pick.all(planId, phase, after, batchSize) as JournalRow[];
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.op_id;
    const wasInFlight = new Set(rows.filter((r) => r.status === 'in_flight').map((r) => r.op_id));
    ws.db.transaction(() => {
      const t = new Date().toISOString();
      for (const r of rows) markInFlight.run(t, r.op_id);
    })();

    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        const ctx: OpContext = {
          recheckFirst: wasInFlight.has(row.op_id),
          noteFailure: (f) => {
            if (f.status !== 429)
              noteAttempt.run(f.requestId, f.code, f.message, new Date().toISOString(), row.op_id);
          },
        };
        let outcome: Outcome;
        try {
          outcome = await startGuarded(row, ctx).sending;
        } catch (err) {
          if (err instanceof AppError && err.code === 'plan_stale') throw err;
          if (!(err instanceof WorkosCallError)) {
            if (err instanceof AppError && err.code !== 'internal')
              outcome = {
                opId: row.op_id,
                status: 'failed',
                failure: { code: err.code, message: err.message, requestId: null },
              };
            else throw err;
          } else outcome = { opId: row.op_id, status: 'failed', failure: err.failure };
        }
        buffer.push(outcome);
        maybeFlush();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(api.limiter.concurrency, rows.length) }, worker));
    } finally {
      // Whatever answered is written even when the batch stops early; the rest stays in flight for the re-check.
      maybeFlush(true);
    }
  }
  maybeFlush(true);
  env.saveCheckpoint({ phase: phase + 1 }, { done: settledCount.get(planId) as number, total });
}

// ---- one handler per op kind

function makeHandlers(ws: Workspace, api: WorkosApi, plan: PlanRecord): Record<OpKind, Handler> {
  const roles = new Map<string, WorkosRoleRecord>(workosRoles(ws.db).map((r) => [r.slug, r]));
  // Read once for the run: a change to the workspace makes the plan stale, which stops the import.
  const mapping = loadMappingContext(ws);
  let orgMapper: ReturnType<typeof organizationMapper> | null = null;
  const mapOrganization = (orgId: string) => (orgMapper ??= organizationMapper(ws))(orgId);
  const mapUser = (userId: string) => mapWorkspaceUser(ws, userId, mapping);
  const planDetail = ws.db
    .prepare(
      'SELECT workos_id, detail_json FROM workos_plan_items WHERE plan_id = ? AND kind = ? AND source_key = ?',
    )
    .raw();
  const detailOf = (kind: string, key: string): { workosId: string | null; detail: PlanItemDetail } => {
    const r = planDetail.get(plan.planId, kind, key) as [string | null, string | null] | undefined;
    return { workosId: r?.[0] ?? null, detail: r?.[1] ? (JSON.parse(r[1]) as PlanItemDetail) : {} };
  };
  const journalId = ws.db
    .prepare(
      `SELECT workos_id FROM workos_journal WHERE plan_id = ? AND kind IN (?, ?, ?) AND source_key = ? AND status = 'done'`,
    )
    .pluck();
  const userIdFor = (sourceUserId: string): string | null =>
    (journalId.get(plan.planId, 'user.create', 'user.repair', 'user.link', sourceUserId) as
      string | undefined) ?? detailOf('user', sourceUserId).workosId;
  const orgIdFor = (sourceOrgId: string): string | null =>
    (journalId.get(plan.planId, 'organization.create', 'organization.repair', '', sourceOrgId) as
      string | undefined) ?? detailOf('organization', sourceOrgId).workosId;
  const key = (row: JournalRow) => `a2w-${plan.planId}-${row.op_id}`;
  const done = (row: JournalRow, workosId: string | null, created: boolean): Outcome => ({
    opId: row.op_id,
    status: 'done',
    workosId,
    created,
  });
  const fail = (row: JournalRow, code: string, message: string): Outcome => ({
    opId: row.op_id,
    status: 'failed',
    failure: { code, message, requestId: null },
  });
  const issuer = ws.getSetting<Auth0Settings>('connect.auth0')?.domain ?? 'Auth0';

  /** Creates with a re-check: first (if the op was in flight before), and before every retry of a lost answer. */
  async function create<T extends { id: string }>(
    row: JournalRow,
    ctx: OpContext,
    path: string,
    body: Record<string, unknown>,
    lookup: () => Promise<T | null>,
    idOf: (answer: unknown) => string = (a) => (a as { id: string }).id,
  ): Promise<Outcome> {
    if (ctx.recheckFirst) {
      const found = await lookup();
      if (found) return done(row, found.id, true);
    }
    let uncertain = ctx.recheckFirst;
    try {
      const made = await api.request<unknown>('POST', path, {
        body,
        idempotencyKey: key(row),
        recheck: async () => {
          const found = await lookup();
          return found ? { id: found.id } : null;
        },
        onAttemptFailed: (f) => {
          ctx.noteFailure(f);
          if (f.maybeApplied) uncertain = true;
        },
      });
      return done(row, idOf(made), true);
    } catch (err) {
      // An "already exists" after an answer was lost is our own earlier write: look it up.
      if (err instanceof WorkosCallError && uncertain && isAlreadyExists(err.failure)) {
        const found = await lookup();
        if (found) return done(row, found.id, true);
      }
      throw err;
    }
  }

  return {
    'role.create': async (row, ctx) => {
      const r = roles.get(row.source_key);
      if (!r) return fail(row, 'not_in_workspace', 'The role is no longer in the workspace mapping.');
      const lookup = async () =>
        (await api.request<{ data: LiveRole[] }>('GET', '/authorization/roles')).data.find(
          (x) => x.slug === r.slug,
        ) ?? null;
      try {
        return await create<LiveRole>(
          row,
          ctx,
          '/authorization/roles',
          { slug: r.slug, name: r.name, ...(r.description ? { description: r.description } : {}) },
          lookup,
        );
      } catch (err) {
        // The role appeared since the plan (another admin, or the import of another workspace): use it, do not own it.
        if (err instanceof WorkosCallError && err.failure.code === 'role_slug_conflict') {
          const found = await lookup();
          if (found) return done(row, found.id, false);
        }
        throw err;
      }
    },

    'organization.create': async (row, ctx) => {
      const o = mapOrganization(row.source_key);
      if (!o) return fail(row, 'not_in_workspace', 'The organization is no longer in the workspace.');
      return create<LiveOrganization>(
        row,
        ctx,
        '/organizations',
        {
          name: o.name,
          ...(o.externalId ? { external_id: o.externalId } : {}),
          metadata: o.metadata,
          ...(o.domains.length
            ? { domain_data: o.domains.map((d) => ({ domain: d.domain, state: d.state })) }
            : {}),
        },
        async () => (o.externalId ? orgByExternalId(api, o.externalId) : null),
      );
    },

    'organization.repair': async (row) => {
      const o = mapOrganization(row.source_key);
      if (!o || !row.workos_id)
        return fail(row, 'not_in_workspace', 'The organization is no longer in the workspace.');
      const have = await api.request<LiveOrganization>('GET', `/organizations/${enc(row.workos_id)}`);
      const domains = new Map(
        have.domains.map((d) => [lower(d.domain), { domain: d.domain, state: d.state }]),
      );
      for (const d of o.domains) if (!domains.has(lower(d.domain))) domains.set(lower(d.domain), d);
      await api.request('PUT', `/organizations/${enc(row.workos_id)}`, {
        body: {
          name: o.name,
          metadata: { ...(have.metadata ?? {}), ...o.metadata },
          domain_data: [...domains.values()],
        },
        onAttemptFailed: ctxless,
      });
      return done(row, row.workos_id, false);
    },

    'user.create': async (row, ctx) => {
      const outcome = mapUser(row.source_key);
      if (outcome?.kind !== 'create')
        return fail(row, 'not_in_workspace', 'The user is no longer to be imported.');
      const u = outcome.record;
      const { detail } = detailOf('user', row.source_key);
      const hash = detail.password === 'hash' ? importableHash(ws, u.sourceUserId) : null;
      if (detail.password === 'hash' && !hash)
        return fail(row, 'hash_missing', 'The planned password hash is no longer in the workspace.');
      const body: Record<string, unknown> = {
        email: u.email,
        email_verified: u.emailVerified,
        ...(u.firstName !== null ? { first_name: u.firstName } : {}),
        ...(u.lastName !== null ? { last_name: u.lastName } : {}),
        ...(u.externalId !== null ? { external_id: u.externalId } : {}),
        metadata: u.metadata,
        // The raw API accepts 'pbkdf2' as password_hash_type; @workos-inc/node 11's PasswordHashType omits it, which
        // is one reason these bodies are sent as plain JSON rather than through the typed createUser().
        ...(hash ? { password_hash: hash.hash, password_hash_type: hash.type } : {}),
      };
      const lookup = async (): Promise<LiveUser | null> => {
        const found = u.externalId
          ? await userByExternalId(api, u.externalId)
          : await userByEmail(api, u.email);
        return found && lower(found.email) === lower(u.email) ? found : null;
      };
      try {
        return await create<LiveUser>(row, ctx, '/user_management/users', body, lookup);
      } catch (err) {
        if (err instanceof WorkosCallError && isAlreadyExists(err.failure))
          return {
            opId: row.op_id,
            status: 'failed',
            failure: {
              ...err.failure,
              code: 'conflict_after_plan',
              message: `${err.failure.message} The email or external_id was taken after the plan was made: plan again.`,
            },
          };
        throw err;
      }
    },

    'user.repair': async (row, ctx) => repairUser(row, ctx, false),
    'user.link': async (row, ctx) => repairUser(row, ctx, true),
    'user.conflict': async (row) => ({ opId: row.op_id, status: 'skipped' }),

    'membership.create': async (row, ctx) => {
      const { sourceOrgId, sourceUserId } = splitMembershipKey(row.source_key);
      const userId = userIdFor(sourceUserId);
      const orgId = orgIdFor(sourceOrgId);
      if (!userId || !orgId)
        return fail(
          row,
          'dependency_failed',
          `The ${userId ? 'organization' : 'user'} of this membership was not imported; retry after fixing it.`,
        );
      const { detail } = detailOf('membership', row.source_key);
      const slugs = detail.roleSlugs ?? [];
      const lookup = async (): Promise<LiveMembership | null> => {
        const page = await api.request<{ data: LiveMembership[] }>(
          'GET',
          '/user_management/organization_memberships',
          {
            query: { user_id: userId, organization_id: orgId, limit: 10 },
          },
        );
        return page.data.find((m) => m.organization_id === orgId) ?? null;
      };
      const body = {
        user_id: userId,
        organization_id: orgId,
        ...(slugs.length > 1 ? { role_slugs: slugs } : slugs.length === 1 ? { role_slug: slugs[0] } : {}),
      };
      try {
        return await create<LiveMembership>(
          row,
          ctx,
          '/user_management/organization_memberships',
          body,
          lookup,
        );
      } catch (err) {
        // Someone else's membership for the same pair (made after the plan): complete it, never own it.
        if (err instanceof WorkosCallError && err.failure.code === 'organization_membership_already_exists') {
          const found = await lookup();
          if (found) {
            const missing = (slugs.length ? slugs : ['member']).filter(
              (s) => !membershipSlugs(found).includes(s),
            );
            if (missing.length) await setRoles(found.id, slugs);
            return done(row, found.id, false);
          }
        }
        throw err;
      }
    },

    'membership.repair': async (row) => {
      const { detail, workosId } = detailOf('membership', row.source_key);
      const id = row.workos_id ?? workosId;
      if (!id) return fail(row, 'not_in_plan', 'The membership to repair has no WorkOS id in the plan.');
      const repairs = detail.repairs ?? [];
      if (repairs.includes('reactivate'))
        await api.request('PUT', `/user_management/organization_memberships/${enc(id)}/reactivate`, {
          onAttemptFailed: ctxless,
        });
      if (repairs.includes('roles')) await setRoles(id, detail.roleSlugs ?? []);
      return done(row, id, false);
    },

    'totp.create': async (row, ctx) => {
      const userId = userIdFor(row.source_key);
      if (!userId) return fail(row, 'dependency_failed', 'The user of this TOTP factor was not imported.');
      const secret = totpSecret(ws, row.source_key);
      if (!secret) return fail(row, 'secret_missing', 'The TOTP secret is no longer in the workspace.');
      const outcome = mapUser(row.source_key);
      const account = outcome?.kind === 'create' ? outcome.record.email : row.source_key;
      return create<LiveFactor>(
        row,
        ctx,
        `/user_management/users/${enc(userId)}/auth_factors`,
        { type: 'totp', totp_secret: secret, totp_issuer: issuer, totp_user: account },
        async () =>
          (
            await api.request<{ data: LiveFactor[] }>(
              'GET',
              `/user_management/users/${enc(userId)}/auth_factors`,
            )
          ).data.find((f) => f.type === 'totp') ?? null,
        // The answer nests the factor next to a challenge: { authentication_factor, authentication_challenge }.
        (a) =>
          (a as { id?: string; authentication_factor?: { id: string } }).authentication_factor?.id ??
          (a as { id: string }).id,
      );
    },
  };

  async function setRoles(membershipId: string, slugs: string[]): Promise<void> {
    const wanted = slugs.length ? slugs : ['member'];
    await api.request('PUT', `/user_management/organization_memberships/${enc(membershipId)}`, {
      body: wanted.length > 1 ? { role_slugs: wanted } : { role_slug: wanted[0] },
      onAttemptFailed: ctxless,
    });
  }

  async function repairUser(row: JournalRow, ctx: OpContext, link: boolean): Promise<Outcome> {
    const outcome = mapUser(row.source_key);
    const { detail, workosId } = detailOf('user', row.source_key);
    const id = row.workos_id ?? workosId;
    if (outcome?.kind !== 'create' || !id)
      return fail(row, 'not_in_workspace', 'The user is no longer to be imported.');
    const u = outcome.record;
    const hash = (detail.repairs ?? []).includes('password') ? importableHash(ws, u.sourceUserId) : null;
    await api.request('PUT', `/user_management/users/${enc(id)}`, {
      body: {
        email_verified: u.emailVerified,
        ...(u.firstName !== null ? { first_name: u.firstName } : {}),
        ...(u.lastName !== null ? { last_name: u.lastName } : {}),
        ...(u.externalId !== null && (link || (detail.repairs ?? []).includes('external_id'))
          ? { external_id: u.externalId }
          : {}),
        metadata: u.metadata,
        ...(hash ? { password_hash: hash.hash, password_hash_type: hash.type } : {}),
      },
      onAttemptFailed: (f) => ctx.noteFailure(f),
    });
    return done(row, id, false);
  }
}

const ctxless = (): void => undefined;

function isAlreadyExists(f: CallFailure): boolean {
  return (
    f.code === 'user_already_exists' ||
    f.code === 'organization_membership_already_exists' ||
    f.code === 'role_slug_conflict' ||
    f.code === 'external_id_already_used' ||
    f.subCodes.includes('email_not_available') ||
    f.subCodes.includes('external_id_already_used')
  );
}

export type { LiveFactor };
