import type { Command } from 'commander';
import type { ExportStatus, JobInfo } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import { EXPORT_JOB_KIND } from '../../auth0/export/job';
import { entityNames, type EntityName } from '../../auth0/export/entities';
import type { CliContext } from '../context';

// `export --workspace PATH [--entities ...] [--json]`: runs the Auth0 export (or resumes a paused or interrupted
// one), shows progress on a terminal, and ends with the completeness table. Ctrl-C pauses at a safe point;
// running the command again resumes.

function parseEntities(raw: string | undefined): EntityName[] | undefined {
  if (!raw) return undefined;
  const list = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const unknown = list.filter((e) => !(entityNames as readonly string[]).includes(e));
  if (unknown.length > 0) {
    throw new AppError(
      'invalid_input',
      `Unknown entities: ${unknown.join(', ')}.`,
      `Choose from ${entityNames.join(', ')}.`,
    );
  }
  return list as EntityName[];
}

const num = (n: number | null): string => (n === null ? '?' : n.toLocaleString('en-US'));

export function describeExport(s: ExportStatus): string {
  if (!s.run) return 'No export has run in this workspace yet.';
  const lines = [
    `Export ${s.run.runId}: ${s.run.state}${s.run.tenantDomain ? ` (${s.run.tenantDomain})` : ''}`,
  ];
  if (s.run.error)
    lines.push(`Error: ${s.run.error.message}${s.run.error.hint ? ` ${s.run.error.hint}` : ''}`);
  if (s.completeness.length > 0) {
    lines.push('', 'Entity                     Exported   Auth0 total  Complete');
    for (const c of s.completeness) {
      lines.push(
        `${c.label.padEnd(26)} ${num(c.exported).padStart(9)}  ${num(c.expected).padStart(11)}  ${c.complete ? 'yes' : 'NO'}`,
      );
      if (c.note) lines.push(`  ${c.note}`);
    }
  }
  const changed = s.changes.filter((c) => c.added + c.removed + c.changed > 0);
  if (changed.length > 0) {
    lines.push('', 'Changes since the previous export:');
    for (const c of changed) lines.push(`  ${c.table}: +${c.added} -${c.removed} ~${c.changed}`);
  }
  return lines.join('\n');
}

function progressLine(info: JobInfo): string {
  const rate = info.rate ? `, ${Math.round(info.rate)}/s` : '';
  const eta = info.etaSeconds ? `, about ${Math.ceil(info.etaSeconds)} s left` : '';
  return `${info.message ?? info.state}${rate}${eta}`;
}

export function registerExport(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
): void {
  program
    .command('export')
    .description('export the Auth0 tenant into the workspace (resumes a paused or interrupted export)')
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--entities <list>', `comma-separated subset of ${entityNames.join(',')} (default: all)`)
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; entities?: string }>();
      return run(async (ctx) => {
        const entities = parseEntities(o.entities);
        await ctx.openWorkspace(o.workspace);
        const runner = ctx.services.jobs();
        const resumable = runner
          .list()
          .find((j) => j.kind === EXPORT_JOB_KIND && (j.state === 'paused' || j.state === 'interrupted'));
        let jobId: string;
        if (resumable && !entities) {
          ctx.say(`Resuming the ${resumable.state} export from where it stopped.`);
          jobId = (await callOperation(ctx.dispatch, 'jobs.resume', { id: resumable.id })).id;
        } else {
          if (resumable) await callOperation(ctx.dispatch, 'jobs.cancel', { id: resumable.id });
          const started = await callOperation(ctx.dispatch, 'export.start', entities ? { entities } : {});
          jobId = started.run!.jobId!;
        }

        const tty = !ctx.json && process.stderr.isTTY;
        const off = ctx.services.events.on((name, payload) => {
          if (name !== 'job.progress' || !tty) return;
          const info = payload as JobInfo;
          if (info.id === jobId) process.stderr.write(`\r\x1b[2K${progressLine(info)}`);
        });
        const onSigint = () => {
          process.stderr.write('\nPausing the export at a safe point; run the command again to resume.\n');
          void runner.pause(jobId).catch(() => undefined);
        };
        process.once('SIGINT', onSigint);
        let settled: JobInfo;
        try {
          settled = await runner.wait(jobId);
        } finally {
          process.off('SIGINT', onSigint);
          off();
          if (tty) process.stderr.write('\r\x1b[2K');
        }
        const status = await callOperation(ctx.dispatch, 'export.status', {});
        if (settled.state === 'failed') {
          const e = settled.error;
          throw new AppError(e?.code ?? 'internal', e?.message ?? 'The export failed.', e?.hint);
        }
        const complete = status.run?.state === 'complete';
        const counts = Object.fromEntries(status.completeness.map((c) => [c.entity, c.exported]));
        ctx.result(
          { ok: settled.state === 'completed', state: status.run?.state, complete, counts, status },
          () => describeExport(status),
        );
      })();
    });
}
