import { Command } from 'commander';
import { createCliContext, globals, reportFailure, type CliContext } from './cli/context';
import { registerCredentials } from './cli/commands/credentials';
import { registerMerge } from './cli/commands/merge';
import { registerDemo } from './cli/commands/demo';
import { registerExport } from './cli/commands/export';
import { registerSandbox } from './cli/commands/sandbox';
import { registerWorkspace } from './cli/commands/workspace';
import { registerPlan } from './cli/commands/plan';
import { registerImport } from './cli/commands/import';
import { registerVerify } from './cli/commands/verify';
import { registerRollback } from './cli/commands/rollback';
import { registerReview } from './cli/commands/review';
import { registerDecide } from './cli/commands/decide';
import { registerPackage } from './cli/commands/package';
import { registerSso } from './cli/commands/sso';
import { registerReport } from './cli/commands/report';

// The command-line front end. Same services and contract as the desktop app; `--json` prints one JSON object.
const version = process.env.npm_package_version ?? '0.1.0';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('auth0-to-workos')
    .description('Auth0 to WorkOS Migration Assistant (command line)')
    .version(version)
    .option('--json', 'print one JSON object on stdout')
    .option('--user-data <dir>', 'app data folder (default: the OS user-data folder)')
    .showHelpAfterError()
    .exitOverride();

  let active: Command = program;
  program.hook('preAction', (_root, cmd) => {
    active = cmd;
  });
  const run = (fn: (ctx: CliContext) => Promise<void>) => async () => {
    const opts = globals(active);
    // This entry file sits next to the built worker and sandbox host; shared chunks do not.
    const ctx = createCliContext(opts, version, __dirname);
    try {
      await fn(ctx);
    } catch (err) {
      exitCode = reportFailure(err, Boolean(opts.json));
    } finally {
      await ctx.services.close();
    }
  };
  registerWorkspace(program, run);
  registerReview(program, run);
  registerDecide(program, run);
  registerPackage(program, run);
  registerCredentials(program, run);
  registerSandbox(program, run);
  registerMerge(program, run);
  registerDemo(program, run);
  registerExport(program, run);
  registerPlan(program, run);
  registerImport(program, run);
  registerVerify(program, run);
  registerRollback(program, run);
  registerSso(program, run);
  registerReport(program, run);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      return 0;
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  // A command may set process.exitCode for a completed run whose outcome is a failure (a failed test).
  return exitCode || Number(process.exitCode ?? 0);
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
