import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../../shared/errors';
import type { AppServices } from '../../services';
import type { Workspace } from '../../workspace';
import { WorkosApi } from '../../workos/api';
import { serveWorkosCredentials } from '../../workos/credentials-channel';
import { journalCounts, journalComplete, listFailures, resetFailed } from '../../workos/journal';
import { WORKOS_JOB_KINDS } from '../../workos/jobs';
import { WORKOS_PUBLISHED_LIMITS } from '../../workos/limiter';
import { getPlan, latestPlan, planBlockers, planItems, type PlanRecord } from '../../workos/plan';
import { latestRollback, previewRollback, repairedObjects } from '../../workos/rollback';
import { latestVerification, verifyMismatches } from '../../workos/verify';
import { pausedWebhookCount, restoreWebhooks } from '../../workos/webhooks';
import type { Handlers } from '../dispatch';

type WorkosHandlers = Pick<
  Handlers,
  | 'workos.plan.create'
  | 'workos.plan.get'
  | 'workos.plan.items'
  | 'workos.import.start'
  | 'workos.import.status'
  | 'workos.import.failures'
  | 'workos.import.failuresCsv'
  | 'workos.import.retryFailed'
  | 'workos.verify.start'
  | 'workos.verify.get'
  | 'workos.verify.mismatches'
  | 'workos.rollback.preview'
  | 'workos.rollback.start'
  | 'workos.rollback.get'
  | 'workos.rollback.repaired'
>;

interface JobRow {
  id: string;
  state: string;
  params_json: string;
}

const RESUMABLE = ['paused', 'cancelled', 'interrupted', 'failed'];

function writable(s: AppServices): Workspace {
  const ws = s.requireWorkspace();
  if (ws.readOnly)
    throw new AppError('workspace_read_only', 'This workspace is open read-only.', ws.warnings[0]);
  return ws;
}

/** The newest job of a kind (for one plan, if given). */
function lastJob(ws: Workspace, kind: string, planId?: string): JobRow | null {
  const rows = ws.db
    .prepare('SELECT id, state, params_json FROM jobs WHERE kind = ? ORDER BY created_at DESC, rowid DESC')
    .all(kind) as JobRow[];
  return (
    rows.find((r) => !planId || (JSON.parse(r.params_json) as { planId?: string }).planId === planId) ?? null
  );
}

/** The plan an import ran (or runs) for: the newest plan with a journal. */
function importedPlan(ws: Workspace): PlanRecord | null {
  const id = ws.db
    .prepare(
      'SELECT plan_id FROM workos_plans WHERE journal_ops IS NOT NULL ORDER BY created_at DESC, rowid DESC LIMIT 1',
    )
    .pluck()
    .get() as string | undefined;
  return id ? getPlan(ws, id) : null;
}

function requireImportedPlan(ws: Workspace): PlanRecord {
  const p = importedPlan(ws);
  if (!p)
    throw new AppError(
      'not_found',
      'Nothing has been imported from this workspace yet.',
      'Plan and import first.',
    );
  return p;
}

export function workosHandlers(s: AppServices): WorkosHandlers {
  // Jobs in worker threads ask for the API key over a process-local channel; answered for the open workspace only.
  serveWorkosCredentials(
    () => s.workspace()?.id ?? null,
    async () => {
      const c = await s.credentials.workos(s.requireWorkspace());
      return { environment: c.environment, apiKey: c.apiKey, ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}) };
    },
  );

  // Webhooks an import paused and could not restore (the process died): re-enabled when the workspace is opened.
  s.events.on((name, payload) => {
    if (name !== 'workspace.changed' || !payload) return;
    const ws = s.workspace();
    if (!ws || ws.readOnly || pausedWebhookCount(ws) === 0) return;
    void (async () => {
      try {
        const c = await s.credentials.workos(ws);
        const api = new WorkosApi({ apiKey: c.apiKey, ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}) });
        const n = await restoreWebhooks(ws, api);
        s.logger.log('info', 'workos.webhooks.restored', { endpoints: n });
      } catch (err) {
        s.logger.log('warn', 'workos.webhooks.restore_failed', {
          code: err instanceof AppError ? err.code : 'internal',
        });
      }
    })();
  });

  const startOrResume = async (kind: string, params: Record<string, unknown>, planId?: string) => {
    const last = lastJob(s.requireWorkspace(), kind, planId);
    if (last && RESUMABLE.includes(last.state)) return s.jobs().resume(last.id);
    return s.jobs().start(kind, params);
  };

  return {
    'workos.plan.create': async (options) => {
      writable(s);
      return s.jobs().start(WORKOS_JOB_KINDS.plan, options);
    },
    'workos.plan.get': async () => {
      const ws = s.requireWorkspace();
      const plan = latestPlan(ws);
      if (!plan) return null;
      const { workspaceFingerprint: _w, workosFingerprint: _k, ...view } = plan;
      const started = journalComplete(ws, plan.planId);
      return {
        ...view,
        blockers: started ? [] : planBlockers(ws, plan),
        importStarted: started,
        importJobId: lastJob(ws, WORKOS_JOB_KINDS.import, plan.planId)?.id ?? null,
      };
    },
    'workos.plan.items': async ({ kind, action, after, limit }) => {
      const ws = s.requireWorkspace();
      const plan = latestPlan(ws);
      if (!plan) return { rows: [], next: null };
      return planItems(ws, plan.planId, { kind, action, after, limit });
    },
    'workos.import.start': async ({ planId, confirmEnvironment }) => {
      const ws = writable(s);
      const plan = getPlan(ws, planId);
      if (confirmEnvironment !== plan.environment)
        throw new AppError(
          'invalid_input',
          `Type the WorkOS environment's name ("${plan.environment}") to confirm the import.`,
        );
      if (!journalComplete(ws, planId)) {
        const blockers = planBlockers(ws, plan);
        if (blockers.length)
          throw new AppError('plan_stale', blockers[0]!, blockers.slice(1).join(' ') || undefined);
      }
      return startOrResume(WORKOS_JOB_KINDS.import, { planId }, planId);
    },
    'workos.import.status': async () => {
      const ws = s.requireWorkspace();
      const plan = importedPlan(ws);
      if (!plan) return null;
      const counts = journalCounts(ws, plan.planId);
      const sum = (st: 'done' | 'failed' | 'skipped' | 'pending' | 'in_flight') =>
        Object.values(counts).reduce((n, c) => n + c[st], 0);
      const statsRow = ws.db
        .prepare('SELECT stats_json FROM workos_import_stats WHERE plan_id = ?')
        .pluck()
        .get(plan.planId) as string | undefined;
      const raw = statsRow ? (JSON.parse(statsRow) as Record<string, unknown>) : null;
      const job = lastJob(ws, WORKOS_JOB_KINDS.import, plan.planId);
      const phase = typeof raw?.phase === 'number' ? raw.phase : undefined;
      const writeLimit = WORKOS_PUBLISHED_LIMITS.umWrites!;
      const overall = WORKOS_PUBLISHED_LIMITS.overall!;
      return {
        planId: plan.planId,
        environment: plan.environment,
        job: job ? (s.jobs().get(job.id) ?? null) : null,
        counts,
        total: sum('done') + sum('failed') + sum('pending') + sum('in_flight'),
        settled: sum('done') + sum('failed'),
        failed: sum('failed'),
        stats: raw
          ? {
              requests: raw.requests as Record<string, number>,
              rateLimited: raw.rateLimited as number,
              ...(phase !== undefined ? { phase } : {}),
              ...(typeof raw.label === 'string' ? { label: raw.label } : {}),
              ...(typeof raw.phaseRequestsPerSecond === 'number'
                ? { phaseRequestsPerSecond: raw.phaseRequestsPerSecond }
                : {}),
              // Roles and organizations are limited by the overall bucket only; users, memberships and factors by
              // the user-management write bucket.
              limitPerSecond:
                phase === undefined
                  ? null
                  : phase <= 2
                    ? (overall.limit * 1000) / overall.windowMs
                    : (writeLimit.limit * 1000) / writeLimit.windowMs,
            }
          : null,
        pausedWebhooks: pausedWebhookCount(ws),
      };
    },
    'workos.import.failures': async ({ after, limit }) => {
      const ws = s.requireWorkspace();
      return listFailures(ws, requireImportedPlan(ws).planId, { after, limit });
    },
    'workos.import.failuresCsv': async () => {
      const ws = s.requireWorkspace();
      const plan = requireImportedPlan(ws);
      const rows: string[][] = [];
      let after: number | undefined;
      do {
        const page = listFailures(ws, plan.planId, { after, limit: 5000 });
        for (const r of page.rows)
          rows.push([
            String(r.opId),
            r.kind,
            r.sourceKey,
            r.code ?? '',
            r.message ?? '',
            r.requestId ?? '',
            String(r.attempts),
            r.updatedAt,
          ]);
        after = page.next ?? undefined;
      } while (after !== undefined);
      const csv = stringify(rows, {
        header: true,
        columns: ['op_id', 'kind', 'source_key', 'code', 'message', 'request_id', 'attempts', 'updated_at'],
      });
      return { csv, rows: rows.length };
    },
    'workos.import.retryFailed': async () => {
      const ws = writable(s);
      const plan = requireImportedPlan(ws);
      const n = resetFailed(ws, plan.planId);
      ws.audit.append({
        actor: 'admin',
        action: 'workos.import.retry',
        details: { planId: plan.planId, operations: n },
      });
      return startOrResume(WORKOS_JOB_KINDS.import, { planId: plan.planId }, plan.planId);
    },
    'workos.verify.start': async ({ sample }) => {
      const ws = writable(s);
      const plan = requireImportedPlan(ws);
      return s
        .jobs()
        .start(WORKOS_JOB_KINDS.verify, { planId: plan.planId, ...(sample !== undefined ? { sample } : {}) });
    },
    'workos.verify.get': async () => latestVerification(s.requireWorkspace()),
    'workos.verify.mismatches': async ({ after, limit }) => {
      const ws = s.requireWorkspace();
      const v = latestVerification(ws);
      return v ? verifyMismatches(ws, v.verifyId, { after, limit }) : { rows: [], next: null };
    },
    'workos.rollback.preview': async () => previewRollback(s.requireWorkspace()),
    'workos.rollback.start': async ({ confirmUsers, confirmOrganizations }) => {
      const ws = writable(s);
      const p = previewRollback(ws);
      if (confirmUsers !== p.toDelete.users || confirmOrganizations !== p.toDelete.organizations)
        throw new AppError(
          'invalid_input',
          `Confirm the rollback with the numbers it will delete: ${p.toDelete.users} users and ${p.toDelete.organizations} organizations.`,
        );
      return startOrResume(WORKOS_JOB_KINDS.rollback, {});
    },
    'workos.rollback.get': async () => latestRollback(s.requireWorkspace()),
    'workos.rollback.repaired': async ({ after, limit }) =>
      repairedObjects(s.requireWorkspace(), { after, limit }),
  };
}
