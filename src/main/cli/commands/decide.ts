import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';

// Scripted decisions: `decide include|exclude|clear`, `decide survivor`, `decide policy`, `decide role`,
// `decide sign-off`, `decide reopen`. Every one names the person deciding (--by) for the audit log.

type Run = (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>;

function userIds(o: { user?: string[]; usersFile?: string }): string[] {
  const ids = [...(o.user ?? [])];
  if (o.usersFile) {
    const lines = readFileSync(o.usersFile, 'utf8').split(/\r?\n/);
    lines.forEach((l) => {
      if (l.trim()) ids.push(l.trim());
    });
  }
  if (ids.length === 0)
    throw new AppError('invalid_input', 'Name at least one user with --user or --users-file.');
  return ids;
}

export function registerDecide(program: Command, run: Run): void {
  const decide = program.command('decide').description('record review decisions (scripted)');
  const common = (c: Command) =>
    c
      .requiredOption('--workspace <path>', 'workspace file')
      .requiredOption('--by <name>', 'who decides (for the audit log)');

  for (const verb of ['include', 'exclude', 'clear'] as const) {
    common(decide.command(verb))
      .description(`${verb} users (Auth0 user_ids)`)
      .option('--user <id...>', 'Auth0 user_id(s)')
      .option('--users-file <file>', 'file with one Auth0 user_id per line')
      .option('--note <text>', 'why')
      .action(function (this: Command) {
        const o = this.opts<{
          workspace: string;
          by: string;
          user?: string[];
          usersFile?: string;
          note?: string;
        }>();
        return run(async (ctx) => {
          await ctx.openWorkspace(o.workspace);
          const ids = userIds(o);
          await callOperation(ctx.dispatch, 'review.decide', {
            reviewer: o.by,
            decision: {
              kind: 'users',
              userIds: ids,
              include: verb === 'clear' ? null : verb === 'include',
              note: o.note,
            },
          });
          ctx.result(
            { ok: true, users: ids.length, decision: verb },
            () => `${verb}: ${ids.length} user(s).`,
          );
        })();
      });
  }
  common(decide.command('survivor'))
    .description('keep this account of its duplicate-email group; the others are merged into it')
    .requiredOption('--user <id>', 'Auth0 user_id of the survivor')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; by: string; user: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        await callOperation(ctx.dispatch, 'review.decide', {
          reviewer: o.by,
          decision: { kind: 'survivor', userId: o.user },
        });
        ctx.result({ ok: true }, () => 'Survivor recorded.');
      })();
    });
  common(decide.command('policy'))
    .description('set a policy: blocked_users, unverified_emails, users_without_organization, domain_state')
    .argument('<code>')
    .argument('<value>')
    .action(function (this: Command, code: string, value: string) {
      const o = this.opts<{ workspace: string; by: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        await callOperation(ctx.dispatch, 'review.decide', {
          reviewer: o.by,
          decision: { kind: 'policy', code, value },
        });
        ctx.result({ ok: true, policy: code, value }, () => `Policy ${code} = ${value}.`);
      })();
    });
  common(decide.command('role'))
    .description('map an Auth0 role (rol_...) onto a WorkOS role slug; --default removes the edit')
    .requiredOption('--role <id>', 'Auth0 role id')
    .option('--slug <slug>', 'WorkOS role slug (e.g. admin)')
    .option('--name <name>', 'WorkOS role name')
    .option('--default', 'back to the computed mapping')
    .action(function (this: Command) {
      const o = this.opts<{
        workspace: string;
        by: string;
        role: string;
        slug?: string;
        name?: string;
        default?: boolean;
      }>();
      return run(async (ctx) => {
        if (!o.default && !o.slug) throw new AppError('invalid_input', 'Give --slug or --default.');
        await ctx.openWorkspace(o.workspace);
        await callOperation(ctx.dispatch, 'review.decide', {
          reviewer: o.by,
          decision: { kind: 'role', roleId: o.role, slug: o.default ? null : o.slug!, name: o.name },
        });
        ctx.result({ ok: true }, () => 'Role mapping recorded.');
      })();
    });
  for (const verb of ['sign-off', 'reopen'] as const) {
    common(decide.command(verb))
      .description(
        verb === 'sign-off' ? 'sign the review off (locks the decisions)' : 'reopen a signed-off review',
      )
      .option('--note <text>', 'comment')
      .action(function (this: Command) {
        const o = this.opts<{ workspace: string; by: string; note?: string }>();
        return run(async (ctx) => {
          await ctx.openWorkspace(o.workspace);
          const st = await callOperation(
            ctx.dispatch,
            verb === 'sign-off' ? 'review.signOff' : 'review.reopen',
            {
              reviewer: o.by,
              note: o.note,
            },
          );
          ctx.result({ ok: true, signOff: st }, () =>
            st.signed ? `Signed off by ${st.reviewer}.` : 'Reopened.',
          );
        })();
      });
  }
}
