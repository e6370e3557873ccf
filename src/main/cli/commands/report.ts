import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import { renderReport, saveReport, type ReportFormat } from '../../report/save';
import type { Run } from './plan';

// `report --workspace PATH [--format md|json] [--out FILE]`: the migration report. With --out it is written there
// (mode 0600) and recorded as saved, which completes the Report step; without, it is printed.

export function registerReport(program: Command, run: Run): void {
  program
    .command('report')
    .description(
      'the migration report (Markdown or JSON): counts, timeline, what did not move, audit head hash',
    )
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--format <format>', 'md or json', 'md')
    .option('--out <file>', 'write the report to this file instead of printing it')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; format: string; out?: string }>();
      return run(async (ctx) => {
        if (o.format !== 'md' && o.format !== 'json')
          throw new AppError('invalid_input', '--format must be md or json.');
        const format = o.format as ReportFormat;
        await ctx.openWorkspace(o.workspace);
        const report = await callOperation(ctx.dispatch, 'report.get', {});
        if (!o.out) {
          // --json prints the report object itself; otherwise the chosen format.
          ctx.result(report, () => renderReport(report, format).trimEnd());
          return;
        }
        const saved = await saveReport(ctx.services.requireWorkspace(), report, resolve(o.out), format);
        ctx.result(
          { ok: true, path: saved.path, format, savedAt: saved.savedAt },
          () => `Report written to ${saved.path}.`,
        );
      })();
    });
}
