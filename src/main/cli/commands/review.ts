import type { Command } from 'commander';
import { callOperation } from '../../api/dispatch';
import { refreshAndWait } from '../../api/handlers/review';
import { REVIEW_REFRESH_JOB } from '../../review/refresh-job';
import type { CliContext } from '../context';

// `review --workspace PATH [--json]`: recomputes the findings and prints counts and findings by code.
export function registerReview(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
): void {
  program
    .command('review')
    .description('compute the review: counts, what will and will not migrate, findings by code')
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--no-refresh', 'show the stored findings without recomputing (read-only workspaces)')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; refresh: boolean }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const ws = ctx.services.requireWorkspace();
        if (o.refresh && !ws.readOnly) {
          // The refresh runs as a job in a worker thread (a minute at 1,000,000 users): wait for it here.
          const off = ctx.services.events.on((name, payload) => {
            const j = payload as { kind?: string; done?: number; total?: number | null; message?: string };
            if (name === 'job.progress' && j.kind === REVIEW_REFRESH_JOB && !ctx.json && process.stderr.isTTY)
              process.stderr.write(`\r${j.message ?? ''} ${j.done ?? 0}/${j.total ?? '?'}   `);
          });
          try {
            await refreshAndWait(ctx.services);
          } finally {
            off();
            if (!ctx.json && process.stderr.isTTY) process.stderr.write('\n');
          }
        }
        const summary = await callOperation(ctx.dispatch, 'review.summary', {});
        const byCode = Object.fromEntries(summary.findings.map((f) => [f.code, f.count]));
        ctx.result({ ok: true, ...summary, byCode }, () => {
          const lines = [
            `Totals     ${Object.entries(summary.totals)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`,
          ];
          if (summary.outcomes)
            lines.push(
              `Migrate    ${summary.outcomes.create} users; not migrated: ${
                Object.entries(summary.outcomes.skip)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ') || 'none'
              }`,
            );
          lines.push(
            `Sign-off   ${summary.signOff.signed ? `signed by ${summary.signOff.reviewer} at ${summary.signOff.at}${summary.signOff.intact ? '' : ' (DECISIONS CHANGED SINCE)'}` : 'not signed'}`,
            '',
          );
          for (const f of summary.findings)
            lines.push(
              `${f.severity.padEnd(8)} ${f.code.padEnd(32)} ${String(f.count).padStart(8)}  ${f.title}`,
            );
          return lines.join('\n');
        });
      })();
    });
}
