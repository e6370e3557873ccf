import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { serveAuth0Credentials } from '../../auth0/export/credentials-channel';
import { orderEntities } from '../../auth0/export/entities';
import { EXPORT_JOB_KIND } from '../../auth0/export/job';
import { readExportStatus } from '../../auth0/export/status';
import type { AppServices } from '../../services';
import type { Handlers } from '../dispatch';

type ExportHandlers = Pick<Handlers, 'export.start' | 'export.status'>;

// The export job runs in a worker thread and asks this thread for the Auth0 credentials (never a job parameter).
// Answering is tied to these handlers' services, so a resume through jobs.resume works as well as export.start.
export function exportHandlers(s: AppServices): ExportHandlers {
  serveAuth0Credentials(
    () => s.workspace()?.id ?? null,
    () => s.credentials.auth0(s.requireWorkspace()),
  );
  const status = () => {
    const ws = s.requireWorkspace();
    const runner = s.jobs();
    return readExportStatus(ws, (id) => runner.get(id));
  };
  return {
    'export.start': async ({ entities }) => {
      const ws = s.requireWorkspace();
      ws.assertWritable();
      // Fail here, before a job exists, when no credentials are stored.
      await s.credentials.auth0(ws);
      const runner = s.jobs();
      const live = runner
        .list()
        .find(
          (j) =>
            j.kind === EXPORT_JOB_KIND && ['queued', 'running', 'paused', 'interrupted'].includes(j.state),
        );
      if (live) {
        throw new AppError(
          'job_conflict',
          `An export is already ${live.state}.`,
          live.state === 'running'
            ? 'Wait for it, or pause or cancel it first.'
            : 'Resume it, or cancel it to start a new export.',
        );
      }
      const runId = randomUUID();
      const ordered = orderEntities(entities);
      ws.db
        .prepare(
          `INSERT INTO auth0_export_runs (run_id, entities_json, state, started_at) VALUES (?, ?, 'running', ?)`,
        )
        .run(runId, JSON.stringify(ordered), new Date().toISOString());
      try {
        const job = await runner.start(EXPORT_JOB_KIND, { runId, entities: ordered });
        ws.db.prepare('UPDATE auth0_export_runs SET job_id = ? WHERE run_id = ?').run(job.id, runId);
      } catch (err) {
        ws.db
          .prepare("UPDATE auth0_export_runs SET state = 'failed', finished_at = ? WHERE run_id = ?")
          .run(new Date().toISOString(), runId);
        throw err;
      }
      ws.audit.append({ actor: 'admin', action: 'export.started', details: { runId, entities: ordered } });
      return status();
    },
    'export.status': async () => status(),
  };
}
