import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';
import { followJob, type Run } from './plan';

// `import --workspace PATH [--yes] [--retry-failed] [--json]`: executes the latest plan (or resumes its import).
// Nothing is written before the WorkOS environment's name is confirmed: typed at the prompt, or --yes.

async function confirmEnvironment(ctx: CliContext, environment: string, yes: boolean): Promise<string> {
  if (yes) return environment;
  if (!process.stdin.isTTY)
    throw new AppError(
      'invalid_input',
      'The import needs a confirmation.',
      'Pass --yes, or run it in a terminal.',
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (
      await rl.question(`Type the WorkOS environment name ("${environment}") to write into it: `)
    ).trim();
  } finally {
    rl.close();
  }
}

export function registerImport(program: Command, run: Run): void {
  program
    .command('import')
    .description(
      'import the latest plan into WorkOS (resumes an interrupted import; a finished one does nothing)',
    )
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--yes', "confirm writing into the plan's WorkOS environment without a prompt")
    .option('--retry-failed', 'retry the operations that failed in the last run')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; yes?: boolean; retryFailed?: boolean }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const plan = await callOperation(ctx.dispatch, 'workos.plan.get', {});
        if (!plan)
          throw new AppError(
            'not_found',
            'There is no plan in this workspace.',
            'Run the plan command first.',
          );
        const typed = await confirmEnvironment(ctx, plan.environment, Boolean(o.yes));
        ctx.say(`Importing plan ${plan.planId} into "${plan.environment}" (${plan.host})…`);
        let failedRun: AppError | null = null;
        try {
          await followJob(ctx, () =>
            o.retryFailed
              ? callOperation(ctx.dispatch, 'workos.import.retryFailed', {})
              : callOperation(ctx.dispatch, 'workos.import.start', {
                  planId: plan.planId,
                  confirmEnvironment: typed,
                }),
          );
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== 'remote_error') throw err;
          failedRun = err;
        }
        const status = await callOperation(ctx.dispatch, 'workos.import.status', {});
        const failures = status?.failed
          ? (await callOperation(ctx.dispatch, 'workos.import.failures', { limit: 20 })).rows
          : [];
        if (failedRun) process.exitCode = 1;
        ctx.result({ ok: !failedRun, status, failures }, () =>
          [
            `Import ${failedRun ? 'finished with failures' : 'complete'}: ${status?.settled ?? 0} of ${status?.total ?? 0} operations settled, ${status?.failed ?? 0} failed, ${status?.stats?.rateLimited ?? 0} rate-limited answers.`,
            ...Object.entries(status?.counts ?? {}).map(
              ([k, c]) =>
                `  ${k.padEnd(12)} done ${c.done}, failed ${c.failed}, skipped ${c.skipped}, pending ${c.pending + c.in_flight}`,
            ),
            ...failures.map(
              (f) =>
                `  ✗ ${f.kind} ${f.sourceKey}: ${f.code} ${f.message ?? ''}${f.requestId ? ` (request ${f.requestId})` : ''}`,
            ),
          ].join('\n'),
        );
      })();
    });
}
