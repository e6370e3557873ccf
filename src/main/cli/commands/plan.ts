import type { Command } from 'commander';
import type { JobInfo } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { Output } from '../../../shared/contract';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';

// `plan --workspace PATH [--conflicts link|skip|stop] [--multiple-roles] [--pause-webhooks] [--no-passwords] [--json]`:
// diffs the reviewed workspace against the live WorkOS environment and stores the plan the import will execute.

export type Run = (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>;

/** Follows a job to its end, printing progress at most once a second; Ctrl-C pauses it at a safe point. */
export async function followJob(
  ctx: CliContext,
  start: () => Promise<{ id: string } | string>,
): Promise<JobInfo> {
  const runner = ctx.services.jobs();
  let last = 0;
  let id: string | null = null;
  const off = ctx.services.events.on((name, payload) => {
    if (name !== 'job.progress') return;
    const info = payload as JobInfo;
    if ((id && info.id !== id) || info.state !== 'running' || !info.message || Date.now() - last < 1000)
      return;
    last = Date.now();
    const total = info.total ? `/${info.total}` : '';
    ctx.say(
      `  ${info.done}${total} ${info.message ?? ''}${info.etaSeconds ? ` (about ${info.etaSeconds} s left)` : ''}`,
    );
  });
  const onSigint = () => {
    if (id) void runner.pause(id);
  };
  process.once('SIGINT', onSigint);
  try {
    const started = await start();
    id = typeof started === 'string' ? started : started.id;
    const final = await runner.wait(id);
    if (final.state !== 'completed')
      throw new AppError(
        final.error?.code ?? 'cancelled',
        final.error?.message ??
          `The ${final.kind} job is ${final.state}; run the command again to resume it.`,
        final.error?.hint,
      );
    return final;
  } finally {
    off();
    process.off('SIGINT', onSigint);
  }
}

export function describePlan(p: NonNullable<Output<'workos.plan.get'>>): string {
  const lines = [
    `Plan ${p.planId} for WorkOS environment "${p.environment}" (${p.host}), made ${p.createdAt}`,
    `WorkOS had ${p.live.users} users, ${p.live.organizations} organizations, ${p.live.roles} roles.`,
    '',
    'Entity        create  exists  repair  conflict  skip',
  ];
  for (const [kind, c] of Object.entries(p.counts))
    lines.push(
      `${kind.padEnd(12)} ${String(c.create).padStart(7)} ${String(c.exists).padStart(7)} ${String(c.repair).padStart(7)} ${String(c.conflict).padStart(9)} ${String(c.skip).padStart(5)}`,
    );
  if (p.blockers.length) lines.push('', 'Cannot be imported yet:', ...p.blockers.map((b) => `  - ${b}`));
  return lines.join('\n');
}

export function registerPlan(program: Command, run: Run): void {
  program
    .command('plan')
    .description('diff the reviewed workspace against the live WorkOS environment and store the plan')
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--conflicts <policy>', 'users whose email WorkOS already holds: link, skip or stop', 'stop')
    .option('--multiple-roles', 'the WorkOS environment allows several roles per membership')
    .option('--pause-webhooks', 'disable webhook endpoints during the import (re-enabled afterwards)')
    .option('--no-passwords', 'import every user without a password')
    .action(function (this: Command) {
      const o = this.opts<{
        workspace: string;
        conflicts: string;
        multipleRoles?: boolean;
        pauseWebhooks?: boolean;
        passwords: boolean;
      }>();
      return run(async (ctx) => {
        if (!['link', 'skip', 'stop'].includes(o.conflicts))
          throw new AppError('invalid_input', '--conflicts must be link, skip or stop.');
        await ctx.openWorkspace(o.workspace);
        ctx.say('Reading WorkOS and planning…');
        await followJob(ctx, () =>
          callOperation(ctx.dispatch, 'workos.plan.create', {
            conflictPolicy: o.conflicts as 'link' | 'skip' | 'stop',
            multipleRoles: Boolean(o.multipleRoles),
            pauseWebhooks: Boolean(o.pauseWebhooks),
            passwords: o.passwords === false ? 'none' : 'import',
          }),
        );
        const plan = await callOperation(ctx.dispatch, 'workos.plan.get', {});
        if (!plan) throw new AppError('internal', 'The plan job finished without a plan.');
        ctx.result(plan, () => describePlan(plan));
      })();
    });
}
