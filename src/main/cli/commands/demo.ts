import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { readFileSync } from 'node:fs';
import { callOperation } from '../../api/dispatch';
import { signOff } from '../../review/decisions';
import type { CliContext } from '../context';
import { saveReport } from '../../report/save';
import { followJob } from './plan';
import { generateMissingLinks } from './sso';

// The headless demo: the whole migration, SSO hand-off and report included, against the built-in sandboxes in a
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
          let files: Record<string, string> = {};
          await step('export: Auth0 tenant into the workspace', async () => {
            await followJob(ctx, async () => {
              const st = await callOperation(ctx.dispatch, 'export.start', {});
              if (!st.run?.jobId) throw new AppError('internal', 'The export started without a job.');
              return st.run.jobId;
            });
            const st = await callOperation(ctx.dispatch, 'export.status', {});
            const users = st.completeness.find((c) => c.entity === 'users');
            if (st.completeness.some((c) => !c.complete))
              throw new AppError('remote_error', 'The export finished incomplete.');
            return { users: users?.exported ?? null, entities: st.completeness.length };
          });
          await step('merge: password hashes and TOTP secrets from the support files', async () => {
            files = (await callOperation(ctx.dispatch, 'rehearsal.status', {})).sandboxes?.files ?? {};
            const pgpKey = { file: files.privateKey!, remember: false };
            const passphrase = readFileSync(files.passphraseFile!, 'utf8').trim();
            const detail: Record<string, unknown> = {};
            for (const [kind, file] of [
              ['passwords', files.passwordsPgp],
              ['mfa', files.mfaSecretsPgp],
            ] as const) {
              if (!file)
                throw new AppError('not_found', `The rehearsal support files lack the ${kind} file.`);
              await followJob(ctx, () =>
                callOperation(ctx.dispatch, 'passwords.merge', { kind, path: file, key: pgpKey, passphrase }),
              );
              const st = await callOperation(ctx.dispatch, 'passwords.status', { kind });
              detail[kind] = st.latest ? st.latest.counts.matched + st.latest.counts.blocked : 0;
            }
            return detail;
          });
          await step('review: default decisions, signed off', async () => {
            // Through the contract where the review operations exist in this build; the same function otherwise.
            const r = await ctx.dispatch('review.signOff', { reviewer: 'Headless demo' });
            if (!r.ok) {
              if (!/Unknown operation/.test(r.error.message))
                throw new AppError(r.error.code, r.error.message, r.error.hint);
              signOff(ctx.services.requireWorkspace(), 'Headless demo');
            }
            return { signedOff: true };
          });
          let planId = '';
          let planned: Record<string, Record<string, number>> = {};
          await step('plan: diff against the WorkOS sandbox', async () => {
            await followJob(ctx, () => callOperation(ctx.dispatch, 'workos.plan.create', {}));
            const plan = await callOperation(ctx.dispatch, 'workos.plan.get', {});
            if (!plan) throw new AppError('internal', 'The plan job finished without a plan.');
            if (plan.blockers.length) throw new AppError('plan_stale', plan.blockers[0]!);
            planId = plan.planId;
            planned = plan.counts;
            return Object.fromEntries(Object.entries(plan.counts).map(([k, c]) => [k, c.create]));
          });
          const importStatus = await (async () => {
            let status: Awaited<ReturnType<typeof callOperation<'workos.import.status'>>> = null;
            await step('import: execute the plan', async () => {
              const plan = (await callOperation(ctx.dispatch, 'workos.plan.get', {}))!;
              await followJob(ctx, () =>
                callOperation(ctx.dispatch, 'workos.import.start', {
                  planId,
                  confirmEnvironment: plan.environment,
                }),
              );
              status = await callOperation(ctx.dispatch, 'workos.import.status', {});
              return {
                done: Object.fromEntries(Object.entries(status!.counts).map(([k, c]) => [k, c.done])),
                failed: status!.failed,
                rateLimited: status!.stats?.rateLimited ?? 0,
              };
            });
            return status!;
          })();
          const verification = await (async () => {
            let v: Awaited<ReturnType<typeof callOperation<'workos.verify.get'>>> = null;
            await step('verify: read back and sign in with every generated password', async () => {
              await followJob(ctx, () => callOperation(ctx.dispatch, 'workos.verify.start', {}));
              v = await callOperation(ctx.dispatch, 'workos.verify.get', {});
              return {
                ok: v!.ok,
                mismatches: v!.counts.mismatches,
                passwords: `${v!.counts.passwords.verified}/${v!.counts.passwords.checked}`,
              };
            });
            return v!;
          })();
          let sso: Record<string, number> = {};
          await step('sso: hand-off, Admin Portal links for every organization with SSO', async () => {
            let h = await callOperation(ctx.dispatch, 'sso.handoff', {});
            // Links are bearer secrets: the demo generates them through the sandbox and reports only how many.
            const links = await generateMissingLinks(ctx, h);
            for (const c of h.connections.filter((x) => !x.handedOff && x.organizations.length === 0))
              await callOperation(ctx.dispatch, 'sso.markHandled', {
                connectionId: c.connectionId,
                handled: true,
                note: 'Demo: enabled for no organization',
              });
            h = await callOperation(ctx.dispatch, 'sso.handoff', {});
            sso = { ...h.summary, linksGeneratedNow: links.length, socialProviders: h.social.length };
            return { enterprise: h.summary.enterprise, handedOff: h.summary.handedOff, links: links.length };
          });
          let report: Record<string, unknown> = {};
          await step('report: migration report built and saved', async () => {
            const r = await callOperation(ctx.dispatch, 'report.get', {});
            const path = join(folder, 'migration-report.md');
            await saveReport(ctx.services.requireWorkspace(), r, path, 'md');
            report = {
              saved: true,
              format: 'md',
              ...(o.keep ? { path } : {}),
              exportedUsers: r.stages.exported.users ?? 0,
              toMigrate: r.stages.review.toMigrate,
              created: r.import?.created ?? {},
              failed: r.import?.failed ?? null,
              verificationOk: r.verification?.ok ?? false,
              notMoved: Object.fromEntries(r.notMoved.map((x) => [x.code, x.count])),
              auditEntries: r.audit.entries,
              auditHeadHash: r.audit.headHash,
              auditChainOk: r.audit.chainOk,
            };
            return { timeline: r.timeline.length, auditChainOk: r.audit.chainOk };
          });
          // Every planned write landed once and verification agrees with the plan.
          const counts = Object.fromEntries(
            Object.entries(planned).map(([kind, c]) => {
              const done = importStatus.counts[kind as keyof typeof importStatus.counts]?.done ?? 0;
              const want = (c.create ?? 0) + (c.repair ?? 0) + (kind === 'user' ? (c.conflict ?? 0) : 0);
              return [kind, { planned: want, imported: done, match: want === done }];
            }),
          );
          const allMatch =
            Object.values(counts).every((c) => c.match) &&
            importStatus.failed === 0 &&
            verification.ok &&
            verification.counts.passwords.checked > 0 &&
            verification.counts.passwords.verified === verification.counts.passwords.checked;
          if (!allMatch) process.exitCode = 1;
          const wizard = await callOperation(ctx.dispatch, 'wizard.status', {});
          const pending = wizard.steps.filter((s) => s.state === 'unavailable').map((s) => s.id);
          const notDone = wizard.steps.filter((s) => s.state !== 'done').map((s) => s.id);
          const summary = {
            ok: allMatch,
            seconds: (Date.now() - started) / 1000,
            counts,
            verification: verification.counts,
            sso,
            report,
            stepsNotDone: notDone,
            steps,
            notYetAvailable: pending,
            ...(o.keep ? { folder } : {}),
          };
          ctx.result(summary, () =>
            [
              `Demo finished in ${summary.seconds.toFixed(1)} s: ${allMatch ? 'every count matches and verification passed' : 'COUNTS OR VERIFICATION DO NOT MATCH'}.`,
              pending.length ? `Not yet available in this version: ${pending.join(', ')}.` : '',
              notDone.length ? `Wizard steps not done: ${notDone.join(', ')}.` : 'Every wizard step is done.',
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
