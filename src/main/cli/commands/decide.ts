import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';

// Scripted decisions: `decide include|exclude|clear`, `decide survivor`, `decide policy`, `decide role`,
// `decide sign-off`, `decide reopen`. Every one names the person deciding (--by) for the audit log.
// `decide export-file` (in a reviewer's copy) writes the signed decision file; `decide apply-file` verifies one
// and applies it to the original workspace once the signer's key fingerprint is confirmed (--fingerprint).

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

  common(decide.command('export-file'))
    .description("write the signed decision file of a reviewer's copy (decisions + sign-off), signed as --by")
    .requiredOption('--out <file>', 'decision file to write (must not exist)')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; by: string; out: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const f = await callOperation(ctx.dispatch, 'review.exportDecisions', { signer: o.by });
        const out = resolve(o.out);
        try {
          writeFileSync(out, f.text, { flag: 'wx', mode: 0o600 });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST')
            throw new AppError('invalid_input', `${out} already exists; choose a new file name.`);
          throw e;
        }
        ctx.result(
          { ok: true, file: out, fingerprint: f.fingerprint, decisions: f.decisions, signedOff: f.signedOff },
          () =>
            `Wrote ${out}: ${f.decisions} decision(s)${f.signedOff ? ' and the sign-off' : ''}.\n` +
            `Signed with key ${f.fingerprint}: tell the admin this fingerprint (not by the same channel as the file).`,
        );
      })();
    });

  decide
    .command('apply-file')
    .description('verify a signed decision file and apply it to the original workspace')
    .argument('<file>')
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--fingerprint <fp>', "the signer's key fingerprint, as confirmed with the reviewer")
    .option('--dry-run', 'verify and show the changes only')
    .action(function (this: Command, file: string) {
      const o = this.opts<{ workspace: string; fingerprint?: string; dryRun?: boolean }>();
      return run(async (ctx) => {
        let text: string;
        try {
          text = readFileSync(resolve(file), 'utf8');
        } catch {
          throw new AppError('not_found', `Cannot read the decision file ${resolve(file)}.`);
        }
        await ctx.openWorkspace(o.workspace);
        const preview = await callOperation(ctx.dispatch, 'review.previewDecisions', { text });
        const lines = () => [
          `Signed by ${preview.signer} with key ${preview.fingerprint} at ${preview.createdAt}.`,
          ...preview.changes.map((c) => `  ${c.kind.padEnd(16)} ${c.target}: ${c.from} -> ${c.to}`),
          preview.changes.length ? `${preview.changes.length} change(s).` : 'No decision changes.',
          preview.signOff
            ? `Sign-off by ${preview.signOff.reviewer} at ${preview.signOff.at}.`
            : 'No sign-off.',
        ];
        if (o.dryRun) {
          ctx.result({ ok: true, dryRun: true, preview }, () => lines().join('\n'));
          return;
        }
        if (!o.fingerprint)
          throw new AppError(
            'invalid_input',
            `The file is signed with key ${preview.fingerprint}; confirm it with the reviewer and pass it as --fingerprint.`,
            'Use --dry-run to see the changes first.',
          );
        const r = await callOperation(ctx.dispatch, 'review.applyDecisions', {
          text,
          fingerprint: o.fingerprint,
        });
        ctx.result({ ok: true, applied: r.applied, signedOff: r.signedOff, signOff: r.summary.signOff }, () =>
          [...lines(), r.signedOff ? 'Applied and signed off.' : 'Applied.'].join('\n'),
        );
      })();
    });
}
