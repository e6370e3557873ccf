import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { defineJob, JobStopped } from '../../jobs/types';
import { startWalCheckpointer } from '../../workspace/wal-checkpointer';
import { fetchGrantedScopes } from '../client';
import { Pacer } from '../pacer';
import { requiredScopes } from '../scopes';
import { requestAuth0Credentials } from './credentials-channel';
import { entityLabels, entityNames, entityScopes, type EntityName } from './entities';
import type { EntityEnv, EntityExporter, EntityResult } from './env';
import { createExportClient } from './http';
import {
  exportConnections,
  exportLogic,
  exportMemberships,
  exportMfa,
  exportOrganizations,
  exportRoles,
} from './paged';
import { tuneForBulkWrites } from './ingest';
import { clearStage, mergeEntity, prepareMerge, restoreParkedIndexes } from './stage';
import { bumpEntityVersion } from './versions';
import { exportUsers } from './users';

// The export job: one run over the selected entities, in order. Each entity is staged page by page (each page in
// one transaction with the checkpoint), then merged into the live tables together with its completeness row,
// its change counts and an audit entry, in one transaction. A killed run resumes at the last committed page.

export const EXPORT_JOB_KIND = 'auth0.export';

const params = z
  .object({
    runId: z.string().uuid(),
    entities: z.array(z.enum(entityNames)).min(1),
    /** Tests and benchmarks: the pace before headers say more (default 500 ms = 2 rps). */
    initialIntervalMs: z.number().int().min(0).max(10_000).optional(),
    /** Tests: users per ingest transaction (default 5000). */
    usersBatchSize: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
export type ExportParams = z.infer<typeof params>;

export interface ExportCheckpoint {
  index: number;
  state: unknown;
  /** Progress of the entity in flight, for the status view. */
  exported: number;
  expected: number | null;
  results: Partial<Record<EntityName, EntityResult>>;
}

const exporters: Record<EntityName, EntityExporter<never>> = {
  roles: exportRoles as EntityExporter<never>,
  connections: exportConnections as EntityExporter<never>,
  organizations: exportOrganizations as EntityExporter<never>,
  memberships: exportMemberships as EntityExporter<never>,
  users: exportUsers as EntityExporter<never>,
  mfa: exportMfa as EntityExporter<never>,
  logic: exportLogic as EntityExporter<never>,
};

function scopeError(missing: string[]): AppError {
  const needed = missing.map((scope) => {
    const why = requiredScopes.find((r) => r.scope === scope)?.neededFor ?? 'the export';
    return `${scope} (${why})`;
  });
  return new AppError(
    'scope_missing',
    `The Auth0 application lacks ${missing.length === 1 ? 'a scope' : 'scopes'} the export needs: ${needed.join('; ')}.`,
    'In the Auth0 dashboard open Applications > APIs > Auth0 Management API > Machine to Machine Applications, grant these scopes, then start the export again.',
  );
}

export const auth0Export = defineJob<ExportParams, ExportCheckpoint, void>({
  kind: EXPORT_JOB_KIND,
  paramsSchema: params,
  // Everything streams (a page, a batch of users at a time); the Auth0 SDK alone is ~60 MB of heap. Unbounded, V8 let
  // the garbage of a 1M-user export grow the process past 1 GB.
  heapLimitMb: 256,
  async run(ctx) {
    const ws = ctx.workspace;
    ws.assertWritable();
    const db = ws.db;
    tuneForBulkWrites(db);
    const { runId, entities } = ctx.params;
    const setRun = db.prepare(
      'UPDATE auth0_export_runs SET state = ?, finished_at = ?, error_json = ? WHERE run_id = ?',
    );

    let cp: ExportCheckpoint;
    if (ctx.checkpoint) {
      cp = ctx.checkpoint;
      setRun.run('running', null, null, runId);
    } else {
      cp = { index: 0, state: null, exported: 0, expected: null, results: {} };
      db.transaction(() => {
        db.prepare(
          `INSERT INTO auth0_export_runs (run_id, entities_json, state, started_at) VALUES (?, ?, 'running', ?)
           ON CONFLICT (run_id) DO UPDATE SET state = 'running'`,
        ).run(runId, JSON.stringify(entities), new Date().toISOString());
        for (const e of entities) clearStage(db, e);
        db.prepare('DELETE FROM auth0_export_org_totals WHERE run_id = ?').run(runId);
        ctx.saveCheckpoint(cp, { done: 0, total: null, message: 'Checking the Auth0 token' });
      })();
    }

    const checkpointer = startWalCheckpointer(db);
    try {
      const creds = await requestAuth0Credentials(ws.id);
      db.prepare('UPDATE auth0_export_runs SET tenant_domain = ? WHERE run_id = ?').run(creds.domain, runId);
      // The token request retries 429, 5xx and dropped connections itself; a job may wait out a longer reset.
      const granted = new Set(await fetchGrantedScopes(creds, { signal: ctx.signal, maxWaitMs: 60_000 }));
      const missing = [...new Set(entities.flatMap((e) => entityScopes[e]))].filter((s) => !granted.has(s));
      if (missing.length > 0) throw scopeError(missing);

      const pacer = new Pacer(
        ctx.params.initialIntervalMs !== undefined ? { initialIntervalMs: ctx.params.initialIntervalMs } : {},
      );
      const client = createExportClient(creds, { pacer, signal: ctx.signal });

      while (cp.index < entities.length) {
        const entity = entities[cp.index]!;
        const label = entityLabels[entity];
        const position = `(${cp.index + 1} of ${entities.length})`;
        const env: EntityEnv = {
          ws,
          db,
          client,
          domain: creds.domain,
          runId,
          usersBatchSize: ctx.params.usersBatchSize,
          signal: ctx.signal,
          throwIfStopped: () => ctx.throwIfStopped(),
          save: (state, exported, expected) => {
            cp = { ...cp, state, exported, expected };
            ctx.saveCheckpoint(cp, {
              done: exported,
              total: expected,
              message: `${label} ${position}: ${exported}${expected !== null ? ` of ${expected}` : ''}`,
            });
          },
          progress: (exported, expected, message) =>
            ctx.progress({
              done: exported,
              total: expected,
              message: message ?? `${label} ${position}: ${exported}`,
            }),
        };
        restoreParkedIndexes(db, entity);
        const result = await exporters[entity](env, cp.state as never);
        ctx.throwIfStopped();
        // Indexing a first export's rows, or comparing a refresh with the workspace: seconds at a million users.
        ctx.progress(
          {
            done: result.exported,
            total: result.expected,
            message: `${label} ${position}: merging ${result.exported} into the workspace`,
          },
          { now: true },
        );
        prepareMerge(db, entity);
        ctx.throwIfStopped();
        // Immediate: the merge reads before it writes, and a deferred transaction whose snapshot another
        // connection's commit made stale could not take the write lock (SQLITE_BUSY_SNAPSHOT) instead of waiting for it.
        db.transaction(() => {
          const changes = mergeEntity(db, entity);
          if (changes.some((c) => c.added + c.removed + c.changed > 0)) bumpEntityVersion(db, entity);
          const now = new Date().toISOString();
          db.prepare(
            `INSERT INTO auth0_export_completeness (run_id, entity, exported, expected, source, complete, note, recorded_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (run_id, entity) DO UPDATE SET exported = excluded.exported, expected = excluded.expected,
               source = excluded.source, complete = excluded.complete, note = excluded.note, recorded_at = excluded.recorded_at`,
          ).run(
            runId,
            entity,
            result.exported,
            result.expected,
            result.source,
            result.complete ? 1 : 0,
            result.note ?? null,
            now,
          );
          const putChange = db.prepare(
            `INSERT INTO auth0_export_changes (run_id, entity, added, removed, changed) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (run_id, entity) DO UPDATE SET added = excluded.added, removed = excluded.removed, changed = excluded.changed`,
          );
          for (const c of changes) putChange.run(runId, c.table, c.added, c.removed, c.changed);
          ws.audit.append({
            actor: 'app',
            action: 'export.entity',
            details: {
              runId,
              entity,
              exported: result.exported,
              expected: result.expected,
              complete: result.complete,
              changes: changes.map(({ table, added, removed, changed }) => ({
                table,
                added,
                removed,
                changed,
              })),
            },
          });
          cp = {
            index: cp.index + 1,
            state: null,
            exported: 0,
            expected: null,
            results: { ...cp.results, [entity]: result },
          };
          ctx.saveCheckpoint(cp, {
            done: result.exported,
            total: result.expected,
            message: `${label}: ${result.exported} exported`,
          });
        }).immediate();
      }

      const complete = finalize(db, runId, cp);
      db.transaction(() => {
        setRun.run(complete ? 'complete' : 'incomplete', new Date().toISOString(), null, runId);
        ws.audit.append({
          actor: 'app',
          action: 'export.finished',
          details: {
            runId,
            complete,
            counts: Object.fromEntries(Object.entries(cp.results).map(([e, r]) => [e, r.exported])),
          },
        });
      })();
    } catch (err) {
      // After a pause or cancel, whatever is thrown comes from the abort (the SDK reports an aborted request as
      // its own error): the run stays 'running' and is shown with the job's state.
      const stopped = err instanceof JobStopped || ctx.signal.aborted;
      if (!stopped) {
        const shape =
          err instanceof AppError
            ? err.toJSON()
            : { code: 'internal', message: 'The export failed unexpectedly.' };
        setRun.run('failed', new Date().toISOString(), JSON.stringify(shape), runId);
        ws.audit.append({ actor: 'app', action: 'export.failed', details: { runId, code: shape.code } });
      }
      throw err;
    } finally {
      await checkpointer.close();
    }
  },
});

/** Cross-checks between entities; returns whether every entity of the run is complete. */
function finalize(db: import('better-sqlite3').Database, runId: string, cp: ExportCheckpoint): boolean {
  if (cp.results.users && cp.results.memberships) {
    const orphans = db
      .prepare(
        `SELECT count(DISTINCT m.user_id) FROM auth0_memberships m
         WHERE NOT EXISTS (SELECT 1 FROM auth0_users u WHERE u.user_id = m.user_id)`,
      )
      .pluck()
      .get() as number;
    if (orphans > 0) {
      const note = `${orphans} organization member(s) are missing from the users export (Auth0 may not have indexed them yet, or they were created during the export); export again`;
      db.prepare(
        `UPDATE auth0_export_completeness SET complete = 0, note = CASE WHEN note IS NULL THEN ? ELSE note || '; ' || ? END
         WHERE run_id = ? AND entity = 'users'`,
      ).run(note, note, runId);
      cp.results.users = { ...cp.results.users, complete: false, note };
    } else {
      db.prepare(
        `UPDATE auth0_export_completeness SET note = note || '; every organization member is in the users export'
         WHERE run_id = ? AND entity = 'users'`,
      ).run(runId);
    }
  }
  return Object.values(cp.results).every((r) => r.complete);
}
