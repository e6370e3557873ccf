import type { ExportStatus, JobInfo } from '../../../shared/contract';
import { appErrorSchema } from '../../../shared/errors';
import type { Workspace } from '../../workspace';
import { entityLabels, type EntityName } from './entities';
import type { ExportCheckpoint } from './job';

// The export as the Export step and the CLI show it: the latest run, per-entity progress from its checkpoint, the
// completeness table and what changed. Reads only; a run whose job was paused, cancelled or interrupted is shown
// with the job's state.

interface RunRow {
  run_id: string;
  job_id: string | null;
  tenant_domain: string | null;
  entities_json: string;
  state: 'running' | 'complete' | 'incomplete' | 'failed' | 'cancelled';
  started_at: string;
  finished_at: string | null;
  error_json: string | null;
}

type RunState = NonNullable<ExportStatus['run']>['state'];

function displayState(run: RunRow, job: JobInfo | null): RunState {
  if (run.state !== 'running') return run.state;
  switch (job?.state) {
    case 'paused':
      return 'paused';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return 'failed';
    case 'queued':
    case 'running':
      return 'running';
    default:
      return 'interrupted';
  }
}

export function readExportStatus(ws: Workspace, getJob: (id: string) => JobInfo | undefined): ExportStatus {
  const db = ws.db;
  const run = db
    .prepare('SELECT * FROM auth0_export_runs ORDER BY started_at DESC, rowid DESC LIMIT 1')
    .get() as RunRow | undefined;
  const lastRow = db
    .prepare(
      "SELECT run_id, finished_at FROM auth0_export_runs WHERE state = 'complete' ORDER BY finished_at DESC LIMIT 1",
    )
    .get() as { run_id: string; finished_at: string } | undefined;
  const lastComplete = lastRow ? { runId: lastRow.run_id, finishedAt: lastRow.finished_at } : null;
  if (!run) return { run: null, job: null, entities: [], completeness: [], changes: [], lastComplete };

  const job = run.job_id ? (getJob(run.job_id) ?? null) : null;
  const cpJson = run.job_id
    ? (db.prepare('SELECT checkpoint_json FROM jobs WHERE id = ?').pluck().get(run.job_id) as
        string | null | undefined)
    : null;
  const cp = cpJson ? (JSON.parse(cpJson) as ExportCheckpoint) : null;
  const state = displayState(run, job);
  const names = JSON.parse(run.entities_json) as EntityName[];
  const entities = names.map((entity, i) => {
    const result = cp?.results?.[entity];
    if (result || (cp && i < cp.index))
      return {
        entity,
        label: entityLabels[entity],
        state: 'done' as const,
        exported: result?.exported ?? 0,
        expected: result?.expected ?? null,
      };
    if (cp && i === cp.index && state !== 'complete' && state !== 'incomplete')
      return {
        entity,
        label: entityLabels[entity],
        state: 'running' as const,
        exported: cp.exported ?? 0,
        expected: cp.expected ?? null,
      };
    return { entity, label: entityLabels[entity], state: 'pending' as const, exported: 0, expected: null };
  });
  const completeness = (
    db
      .prepare(
        'SELECT entity, exported, expected, source, complete, note FROM auth0_export_completeness WHERE run_id = ? ORDER BY rowid',
      )
      .all(run.run_id) as {
      entity: EntityName;
      exported: number;
      expected: number | null;
      source: string;
      complete: number;
      note: string | null;
    }[]
  ).map((r) => ({ ...r, label: entityLabels[r.entity], complete: r.complete === 1 }));
  const changes = db
    .prepare(
      'SELECT entity AS "table", added, removed, changed FROM auth0_export_changes WHERE run_id = ? ORDER BY rowid',
    )
    .all(run.run_id) as { table: string; added: number; removed: number; changed: number }[];
  const parsedError = run.error_json ? appErrorSchema.safeParse(JSON.parse(run.error_json)) : null;
  const error = parsedError?.success ? parsedError.data : job?.error;
  return {
    run: {
      runId: run.run_id,
      jobId: run.job_id,
      state,
      startedAt: run.started_at,
      finishedAt: run.finished_at,
      tenantDomain: run.tenant_domain,
      ...(error && (state === 'failed' || state === 'interrupted' || state === 'paused') ? { error } : {}),
    },
    job,
    entities,
    completeness,
    changes,
    lastComplete,
  };
}

/** Whether the workspace holds a complete export (for the wizard). */
export function hasCompleteExport(ws: Workspace): boolean {
  try {
    return (
      ws.db.prepare("SELECT 1 FROM auth0_export_runs WHERE state = 'complete' LIMIT 1").get() !== undefined
    );
  } catch {
    return false; // a workspace with an older schema, open read-only
  }
}
