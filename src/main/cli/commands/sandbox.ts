import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { startSandboxes } from '../../sandbox';
import type { CliContext } from '../context';

// Serves both sandboxes in this process until SIGINT/SIGTERM. Prints one JSON line with their addresses, the
// sandbox-only credentials to use against them, and the support files written into --out.
export function registerSandbox(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
): void {
  program
    .command('sandbox')
    .description(
      'run the local Auth0 and WorkOS sandboxes on a generated or given tenant (rehearsals, demos, tests)',
    )
    .option('--tenant <file>', 'tenant file (docs/tenant-format.md)')
    .option('--users <n>', 'generated tenant: number of users', '1000')
    .option('--orgs <n>', 'generated tenant: number of organizations', '20')
    .option('--seed <seed>', 'generated tenant: seed', 'rehearsal')
    .option('--auth0-port <port>', 'Auth0 sandbox port (default: a free port)', '0')
    .option('--workos-port <port>', 'WorkOS sandbox port (default: a free port)', '0')
    .option('--limits <which>', 'published (Auth0 paid plan, WorkOS published limits) or none', 'published')
    .option(
      '--out <dir>',
      'write the support files (hash file plain and PGP-encrypted, key, passphrase, MFA secrets) here',
    )
    .action(function (this: Command) {
      const o = this.opts<{
        tenant?: string;
        users: string;
        orgs: string;
        seed: string;
        auth0Port: string;
        workosPort: string;
        limits: string;
        out?: string;
      }>();
      return run(async (ctx) => {
        const int = (v: string, flag: string, min: number, max: number) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < min || n > max)
            throw new AppError('invalid_input', `${flag} must be an integer from ${min} to ${max}.`);
          return n;
        };
        if (o.limits !== 'published' && o.limits !== 'none')
          throw new AppError('invalid_input', '--limits must be published or none.');
        if (o.out) await ctx.services.guard.assert(resolve(o.out), 'hash file');
        const running = await startSandboxes({
          ...(o.tenant
            ? { tenantFile: resolve(o.tenant) }
            : {
                generate: {
                  users: int(o.users, '--users', 1, 2_000_000),
                  orgs: int(o.orgs, '--orgs', 1, 100_000),
                  seed: o.seed,
                },
              }),
          auth0Port: int(o.auth0Port, '--auth0-port', 0, 65535),
          workosPort: int(o.workosPort, '--workos-port', 0, 65535),
          limits: o.limits,
          ...(o.out ? { supportFilesDir: resolve(o.out) } : {}),
        });
        const { tenantData: _t, close, ...description } = running;
        // This line is the command's output in both modes: scripts read it to find the sandboxes.
        process.stdout.write(JSON.stringify(description) + '\n');
        if (!ctx.json) process.stderr.write('Sandboxes running. Press Ctrl+C to stop.\n');
        await new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        await close();
      })();
    });
}
