import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import { followJob, type Run } from './plan';

// `verify --workspace PATH [--sample N] [--json]`: reads WorkOS back and compares it with the workspace; in rehearsal
// mode every generated password signs in (or a sample of N).

export function registerVerify(program: Command, run: Run): void {
  program
    .command('verify')
    .description(
      'read WorkOS back and compare it with the workspace; sign in with known passwords in rehearsal mode',
    )
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--sample <n>', 'users with a known password who sign in (default: all)')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; sample?: string }>();
      return run(async (ctx) => {
        const sample = o.sample === undefined ? undefined : Number(o.sample);
        if (sample !== undefined && (!Number.isInteger(sample) || sample < 0))
          throw new AppError('invalid_input', '--sample must be a whole number.');
        await ctx.openWorkspace(o.workspace);
        await followJob(ctx, () =>
          callOperation(ctx.dispatch, 'workos.verify.start', sample === undefined ? {} : { sample }),
        );
        const v = await callOperation(ctx.dispatch, 'workos.verify.get', {});
        if (!v) throw new AppError('internal', 'The verification finished without a result.');
        const mismatches = v.ok
          ? []
          : (await callOperation(ctx.dispatch, 'workos.verify.mismatches', { limit: 50 })).rows;
        if (!v.ok) process.exitCode = 1;
        ctx.result({ ...v, mismatches }, () => {
          const c = v.counts;
          return [
            `Verification ${v.ok ? 'passed' : 'FAILED'} (${c.mismatches} mismatches).`,
            `  users ${c.users.found}/${c.users.expected}, organizations ${c.organizations.found}/${c.organizations.expected}, memberships ${c.memberships.found}/${c.memberships.expected}, roles ${c.roles.found}/${c.roles.expected}, TOTP ${c.totp.found}/${c.totp.expected}`,
            `  passwords: ${c.passwords.verified}/${c.passwords.checked} signed in${c.passwords.skippedReason ? ` (${c.passwords.skippedReason})` : ''}`,
            ...mismatches.map(
              (m) =>
                `  ✗ ${m.kind} ${m.sourceKey} ${m.field}: expected ${m.expected ?? '-'}, found ${m.actual ?? '-'}`,
            ),
          ].join('\n');
        });
      })();
    });
}
