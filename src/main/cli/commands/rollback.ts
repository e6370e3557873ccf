import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import { followJob, type Run } from './plan';

// `rollback --workspace PATH [--yes] [--json]`: deletes what this workspace created in WorkOS (from the journal,
// newest first), nothing else. Without --yes it shows the counts and asks.

export function registerRollback(program: Command, run: Run): void {
  program
    .command('rollback')
    .description(
      'delete from WorkOS exactly what this workspace created (asks for confirmation with the counts)',
    )
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--yes', 'do not ask for confirmation')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; yes?: boolean }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const p = await callOperation(ctx.dispatch, 'workos.rollback.preview', {});
        const summary = `${p.toDelete.users} users, ${p.toDelete.organizations} organizations, ${p.toDelete.memberships} memberships and ${p.toDelete.totp} TOTP factors (plus ${p.goneWithParent.memberships} memberships and ${p.goneWithParent.totp} factors that go with them)`;
        if (!o.yes) {
          if (!process.stdin.isTTY)
            throw new AppError(
              'invalid_input',
              `The rollback would delete ${summary}.`,
              'Pass --yes to confirm.',
            );
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`Delete ${summary} from WorkOS? Type "delete" to confirm: `);
          rl.close();
          if (answer.trim() !== 'delete')
            throw new AppError('cancelled', 'Rollback not confirmed; nothing was deleted.');
        }
        ctx.say(`Deleting ${summary}…`);
        await followJob(ctx, () =>
          callOperation(ctx.dispatch, 'workos.rollback.start', {
            confirmUsers: p.toDelete.users,
            confirmOrganizations: p.toDelete.organizations,
          }),
        );
        const r = await callOperation(ctx.dispatch, 'workos.rollback.get', {});
        ctx.result(r, () =>
          [
            `Rolled back: ${r?.deleted.users ?? 0} users, ${r?.deleted.organizations ?? 0} organizations, ${r?.deleted.memberships ?? 0} memberships, ${r?.deleted.totp ?? 0} factors deleted; ${r?.alreadyGone ?? 0} were already gone.`,
            p.notDeletable.roles.length
              ? `Left in place: environment roles ${p.notDeletable.roles.join(', ')} (WorkOS's API cannot delete environment roles; remove them in the dashboard if unused).`
              : '',
            p.repairedLeftAlone
              ? `Left as they are: ${p.repairedLeftAlone} pre-existing objects the import repaired or linked.`
              : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      })();
    });
}
