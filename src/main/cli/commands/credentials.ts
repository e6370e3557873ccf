import type { Command } from 'commander';
import { callOperation } from '../../api/dispatch';
import type { CliContext } from '../context';
import { secretFromEnvOrPrompt } from '../prompt';

export function registerCredentials(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
): void {
  const creds = program
    .command('credentials')
    .description(
      'store or remove Auth0 / WorkOS credentials (secrets go to the OS keychain, never to arguments)',
    );

  const set = creds.command('set').description('store credentials for one side');
  set
    .command('auth0')
    .description('Auth0 M2M application; the secret is read from AUTH0_CLIENT_SECRET or prompted for')
    .requiredOption('--workspace <path>', 'workspace file')
    .option('--domain <domain>', 'tenant domain, e.g. acme.eu.auth0.com (default: AUTH0_DOMAIN)')
    .option('--client-id <id>', 'M2M application client id (default: AUTH0_CLIENT_ID)')
    .option('--base-url <url>', 'loopback base URL of a local sandbox (default: AUTH0_BASE_URL)')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; domain?: string; clientId?: string; baseUrl?: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const clientSecret = await secretFromEnvOrPrompt('AUTH0_CLIENT_SECRET', 'Auth0 client secret: ');
        const status = await callOperation(ctx.dispatch, 'credentials.setAuth0', {
          domain: o.domain ?? process.env.AUTH0_DOMAIN ?? '',
          clientId: o.clientId ?? process.env.AUTH0_CLIENT_ID ?? '',
          clientSecret,
          ...(o.baseUrl || process.env.AUTH0_BASE_URL
            ? { baseUrl: o.baseUrl ?? process.env.AUTH0_BASE_URL }
            : {}),
        });
        ctx.result(
          { ok: true, credentials: status },
          () => `Stored the Auth0 client secret in the OS keychain.`,
        );
      })();
    });
  set
    .command('workos')
    .description('WorkOS environment; the API key is read from WORKOS_API_KEY or prompted for')
    .requiredOption('--workspace <path>', 'workspace file')
    .requiredOption('--environment <label>', 'a label for the WorkOS environment, e.g. production or staging')
    .option('--base-url <url>', 'loopback base URL of a local sandbox (default: WORKOS_BASE_URL)')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; environment: string; baseUrl?: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const apiKey = await secretFromEnvOrPrompt('WORKOS_API_KEY', 'WorkOS API key: ');
        const status = await callOperation(ctx.dispatch, 'credentials.setWorkos', {
          environment: o.environment,
          apiKey,
          ...(o.baseUrl || process.env.WORKOS_BASE_URL
            ? { baseUrl: o.baseUrl ?? process.env.WORKOS_BASE_URL }
            : {}),
        });
        ctx.result({ ok: true, credentials: status }, () => `Stored the WorkOS API key in the OS keychain.`);
      })();
    });

  creds
    .command('test')
    .description('test the stored credentials: Auth0 token and granted scopes, WorkOS authenticated read')
    .requiredOption('--workspace <path>', 'workspace file')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const t = await callOperation(ctx.dispatch, 'credentials.test', {});
        ctx.result({ ok: t.auth0.ok && t.workos.ok, test: t }, () => {
          const lines = [
            t.auth0.ok
              ? `Auth0   OK (${t.auth0.granted.length} scopes granted)`
              : `Auth0   FAILED${t.auth0.error ? `: ${t.auth0.error.message}` : ''}`,
            ...t.auth0.missing.map(
              (m) =>
                `        missing ${m.scope}${m.optional ? ' (optional)' : ''}: needed for ${m.neededFor}`,
            ),
            t.workos.ok && t.workos.report
              ? `WorkOS  OK (${t.workos.report.host}, ${t.workos.report.environment}${t.workos.report.rehearsal ? ', REHEARSAL sandbox' : ''})`
              : `WorkOS  FAILED${t.workos.error ? `: ${t.workos.error.message}` : ''}`,
          ];
          return lines.join('\n');
        });
        if (!(t.auth0.ok && t.workos.ok)) process.exitCode = 1;
      })();
    });

  creds
    .command('delete')
    .description("remove one side's credentials from the keychain and the workspace")
    .argument('<side>', 'auth0 or workos')
    .requiredOption('--workspace <path>', 'workspace file')
    .action(function (this: Command, side: string) {
      const o = this.opts<{ workspace: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const status = await callOperation(ctx.dispatch, 'credentials.delete', {
          which: side as 'auth0' | 'workos',
        });
        ctx.result({ ok: true, credentials: status }, () => `Removed the ${side} credentials.`);
      })();
    });
}
