import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';

// The headless demo: the whole migration, as far as this version can take it, against the built-in sandboxes in a
// temporary folder. Each step prints a line; --json prints one summary object at the end.
export function registerDemo(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
): void {
  program
    .command('demo')
    .description('run the migration headless against the built-in sandboxes in a temporary folder')
    .option('--users <n>', 'users in the generated tenant', '1000')
    .option('--orgs <n>', 'organizations in the generated tenant', '20')
    .option('--seed <seed>', 'tenant seed', 'demo')
    .option('--keep', 'keep the temporary folder (workspace, support files) and print where it is')
    .action(function (this: Command) {
      const o = this.opts<{ users: string; orgs: string; seed: string; keep?: boolean }>();
      return run(async (ctx) => {
        const users = Number(o.users);
        const orgs = Number(o.orgs);
        if (!Number.isInteger(users) || users < 10 || users > 200_000)
          throw new AppError('invalid_input', '--users must be an integer from 10 to 200000.');
        if (!Number.isInteger(orgs) || orgs < 1 || orgs > 20_000)
          throw new AppError('invalid_input', '--orgs must be an integer from 1 to 20000.');
        const folder = mkdtempSync(join(tmpdir(), 'a2w-demo-'));
        const started = Date.now();
        const steps: { step: string; ok: boolean; seconds: number; detail: Record<string, unknown> }[] = [];
        const step = async (name: string, fn: () => Promise<Record<string, unknown>>) => {
          const t0 = Date.now();
          ctx.say(`→ ${name}…`);
          const detail = await fn();
          const seconds = (Date.now() - t0) / 1000;
          steps.push({ step: name, ok: true, seconds, detail });
          ctx.say(
            `  ✓ ${name} (${seconds.toFixed(1)} s) ${Object.entries(detail)
              .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
              .join(' ')}`,
          );
        };
        try {
          await step('rehearsal: sandboxes, generated tenant, workspace', async () => {
            const r = await callOperation(ctx.dispatch, 'rehearsal.start', {
              folder,
              name: 'Demo',
              users,
              orgs,
              seed: o.seed,
            });
            return {
              users: r.status.sandboxes!.tenant.users,
              organizations: r.status.sandboxes!.tenant.organizations,
              workspace: r.workspace.path,
            };
          });
          await step('connect: test Auth0 and WorkOS', async () => {
            const t = await callOperation(ctx.dispatch, 'credentials.test', {});
            if (!t.auth0.ok || !t.workos.ok)
              throw new AppError('credentials_invalid', 'The connection test against the sandboxes failed.');
            return { auth0Scopes: t.auth0.granted.length, workos: t.workos.report!.host };
          });
          const wizard = await callOperation(ctx.dispatch, 'wizard.status', {});
          const pending = wizard.steps.filter((s) => s.state === 'unavailable').map((s) => s.id);
          const summary = {
            ok: true,
            seconds: (Date.now() - started) / 1000,
            steps,
            notYetAvailable: pending,
            ...(o.keep ? { folder } : {}),
          };
          ctx.result(summary, () =>
            [
              `Demo finished in ${summary.seconds.toFixed(1)} s.`,
              pending.length ? `Not yet available in this version: ${pending.join(', ')}.` : '',
              o.keep ? `Kept: ${folder}` : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
        } finally {
          await ctx.services.close();
          if (!o.keep) rmSync(folder, { recursive: true, force: true });
        }
      })();
    });
}
