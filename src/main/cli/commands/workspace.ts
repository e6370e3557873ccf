import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { WorkspaceSummary } from '../../../shared/contract';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';

export function describeWorkspace(s: WorkspaceSummary): string {
  const lines = [
    `Workspace  ${s.name}${s.rehearsal ? '  [REHEARSAL]' : ''}`,
    `File       ${s.path}`,
    `Created    ${s.createdAt}`,
    `Mode       ${s.readOnly ? 'read-only' : 'read-write'}; secrets ${s.secretsAvailable ? 'available' : 'unavailable'}`,
    `Audit log  ${s.audit.ok ? 'intact' : 'TAMPERED'} (${s.audit.entries} entries, head ${s.audit.head.slice(0, 16)}…)`,
  ];
  for (const w of s.warnings) lines.push(`Warning    ${w}`);
  if (s.audit.problem) lines.push(`Problem    ${s.audit.problem}`);
  return lines.join('\n');
}

export function registerWorkspace(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
): void {
  const ws = program.command('workspace').description('create a workspace or show one');

  ws.command('create')
    .description('create a new workspace file (its data key goes into the OS keychain)')
    .requiredOption('--name <name>', 'display name of the migration')
    .option('--folder <dir>', 'local folder for the workspace file (default: the app data folder)')
    .action(function (this: Command) {
      const o = this.opts<{ name: string; folder?: string }>();
      return run(async (ctx) => {
        const folder = o.folder ? resolve(o.folder) : ctx.services.defaultFolder();
        const summary = await callOperation(ctx.dispatch, 'workspace.create', { folder, name: o.name });
        ctx.result({ ok: true, workspace: summary }, () => `Created.\n${describeWorkspace(summary)}`);
      })();
    });

  ws.command('info')
    .description('show a workspace: mode, secrets, audit-chain check, where the workflow stands')
    .requiredOption('--workspace <path>', 'workspace file')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const summary = await callOperation(ctx.dispatch, 'workspace.current', {});
        const wizard = await callOperation(ctx.dispatch, 'wizard.status', {});
        const credentials = await callOperation(ctx.dispatch, 'credentials.status', {});
        ctx.result({ ok: true, workspace: summary, wizard, credentials }, () =>
          [
            describeWorkspace(summary!),
            `Next step  ${wizard.current}`,
            `Auth0      ${credentials.auth0 ? `${credentials.auth0.domain} (${credentials.auth0.clientId}), secret ${credentials.auth0.hasSecret ? 'in keychain' : 'MISSING'}` : 'not connected'}`,
            `WorkOS     ${credentials.workos ? `${credentials.workos.environment}, API key ${credentials.workos.hasKey ? 'in keychain' : 'MISSING'}` : 'not connected'}`,
          ].join('\n'),
        );
      })();
    });
}
