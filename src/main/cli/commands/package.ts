import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import { exportWorkosCliDir, importWorkosCliDir } from '../../pkg/workos-cli';
import type { CliContext } from '../context';

// Migration packages: save/open our own package file, write/read WorkOS's migrations CLI directory.
type Run = (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>;

export function registerPackage(program: Command, run: Run): void {
  const pkg = program
    .command('package')
    .description('migration packages (own format and WorkOS CLI directories)');

  pkg
    .command('save')
    .description(
      'save the workspace as one package file: --redacted (no secrets) or encrypted with a passphrase',
    )
    .requiredOption('--workspace <path>', 'workspace file')
    .requiredOption('--out <file>', 'package file to write')
    .option('--redacted', 'leave out every secret (for reviewers)')
    .option('--passphrase-env <VAR>', 'environment variable holding the passphrase (encrypted package)')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; out: string; redacted?: boolean; passphraseEnv?: string }>();
      return run(async (ctx) => {
        if (Boolean(o.redacted) === Boolean(o.passphraseEnv))
          throw new AppError('invalid_input', 'Give exactly one of --redacted and --passphrase-env VAR.');
        const passphrase = o.passphraseEnv ? process.env[o.passphraseEnv] : undefined;
        if (o.passphraseEnv && !passphrase)
          throw new AppError('invalid_input', `The environment variable ${o.passphraseEnv} is not set.`);
        await ctx.openWorkspace(o.workspace);
        const info = await callOperation(ctx.dispatch, 'package.save', {
          out: resolve(o.out),
          mode: o.redacted ? 'redacted' : 'encrypted',
          ...(passphrase ? { passphrase } : {}),
        });
        ctx.result(
          { ok: true, package: info },
          () => `Saved ${info.kind} package ${info.path} (${info.bytes} bytes).`,
        );
      })();
    });

  pkg
    .command('open')
    .description('open a package as a new workspace (a redacted one opens read-only)')
    .argument('<file>')
    .requiredOption('--workspace <path>', 'folder for the new workspace file')
    .option('--passphrase-env <VAR>', 'environment variable holding the passphrase (encrypted package)')
    .action(function (this: Command, file: string) {
      const o = this.opts<{ workspace: string; passphraseEnv?: string }>();
      return run(async (ctx) => {
        const passphrase = o.passphraseEnv ? process.env[o.passphraseEnv] : undefined;
        const r = await callOperation(ctx.dispatch, 'package.open', {
          file: resolve(file),
          folder: resolve(o.workspace),
          ...(passphrase ? { passphrase } : {}),
        });
        ctx.result({ ok: true, ...r }, () => `Opened ${r.package.kind} package as ${r.workspacePath}.`);
      })();
    });

  pkg
    .command('export-workos-cli')
    .description("write WorkOS's migrations CLI directory (manifest.json + CSVs; no secrets)")
    .requiredOption('--workspace <path>', 'workspace file')
    .requiredOption('--out <dir>', 'new or empty folder')
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; out: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const r = await exportWorkosCliDir(ctx.services.requireWorkspace(), resolve(o.out));
        ctx.result(
          { ok: true, ...r },
          () =>
            `Wrote ${r.dir}: ${Object.entries(r.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}.`,
        );
      })();
    });

  pkg
    .command('import-workos-cli')
    .description('read a WorkOS migrations CLI directory into an empty workspace')
    .argument('<dir>')
    .requiredOption('--workspace <path>', 'workspace file (new, empty)')
    .action(function (this: Command, dir: string) {
      const o = this.opts<{ workspace: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const r = await importWorkosCliDir(ctx.services.requireWorkspace(), resolve(dir));
        ctx.result(
          { ok: true, ...r },
          () =>
            `Read ${Object.entries(r.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}.`,
        );
      })();
    });
}
