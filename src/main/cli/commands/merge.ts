import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { callOperation } from '../../api/dispatch';
import type { MergeJobParams } from '../../passwords/merge-job';
import { MERGE_JOB_KINDS } from '../../passwords/merge-job';
import type { CliContext } from '../context';
import { secretFromEnvOrPrompt } from '../prompt';

// merge-passwords / merge-mfa: the same merge job as the app. The passphrase comes from
// AUTH0_EXPORT_PGP_PASSPHRASE or a hidden prompt, never from an argument. An interrupted merge of the same file
// is resumed where it stopped.

const PASSPHRASE_ENV = 'AUTH0_EXPORT_PGP_PASSPHRASE';

async function isPgp(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => {
    throw new AppError('not_found', `${file} does not exist or cannot be read.`);
  });
  try {
    const head = Buffer.alloc(32);
    const { bytesRead } = await handle.read(head, 0, 32, 0);
    return (
      (bytesRead > 0 && (head[0]! & 0x80) !== 0) ||
      head.toString('latin1').trimStart().startsWith('-----BEGIN PGP')
    );
  } finally {
    await handle.close();
  }
}

function register(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
  kind: 'passwords' | 'mfa',
): void {
  const what = kind === 'passwords' ? 'password-hash file' : 'MFA-secret file';
  program
    .command(kind === 'passwords' ? 'merge-passwords' : 'merge-mfa')
    .description(`merge Auth0 support's ${what} (plain NDJSON or PGP-encrypted) into the workspace`)
    .requiredOption('--workspace <path>', 'workspace file')
    .requiredOption('--file <file>', `the ${what}`)
    .option(
      '--pgp-key <keyfile>',
      `your ASCII-armored private key, for an encrypted file (passphrase from ${PASSPHRASE_ENV} or a prompt)`,
    )
    .action(function (this: Command) {
      const o = this.opts<{ workspace: string; file: string; pgpKey?: string }>();
      return run(async (ctx) => {
        await ctx.openWorkspace(o.workspace);
        const file = resolve(o.file);
        const encrypted = await isPgp(file);
        let key: { file: string } | undefined;
        let passphrase: string | undefined;
        if (encrypted) {
          if (!o.pgpKey)
            throw new AppError('credentials_missing', `${o.file} is PGP-encrypted: give --pgp-key KEYFILE.`);
          key = { file: resolve(o.pgpKey) };
          passphrase = await secretFromEnvOrPrompt(PASSPHRASE_ENV, 'Passphrase of the private key: ');
        }
        const secrets = { ...(key ? { key } : {}), ...(passphrase ? { passphrase } : {}) };

        const ws = ctx.services.requireWorkspace();
        const unfinished = ctx.services
          .jobs()
          .list()
          .find(
            (j) =>
              j.kind === MERGE_JOB_KINDS[kind] &&
              ['interrupted', 'paused', 'failed', 'cancelled'].includes(j.state),
          );
        const sameFile =
          unfinished &&
          (
            JSON.parse(
              ws.db.prepare('SELECT params_json FROM jobs WHERE id = ?').pluck().get(unfinished.id) as string,
            ) as MergeJobParams
          ).file === file;
        ctx.say(sameFile ? `Resuming the merge of ${o.file}…` : `Merging ${o.file}…`);
        const started: { id: string } = sameFile
          ? await callOperation(ctx.dispatch, 'passwords.resume', { jobId: unfinished.id, ...secrets })
          : await callOperation(ctx.dispatch, 'passwords.merge', { kind, path: file, ...secrets });
        const settled = await ctx.services.jobs().wait(started.id);
        if (settled.state !== 'completed') {
          const e = settled.error;
          throw new AppError(
            e?.code ?? 'internal',
            e?.message ?? `The merge ended ${settled.state}.`,
            e?.hint,
          );
        }
        const { latest } = await callOperation(ctx.dispatch, 'passwords.status', { kind });
        if (!latest) throw new AppError('internal', 'The merge completed but recorded no result.');
        const c = latest.counts;
        const out = {
          lines: c.lines,
          matched: c.matched,
          unmatched: latest.unmatched,
          ambiguous: c.ambiguous,
          duplicates: c.duplicates,
          blocked: c.blocked,
          ...(kind === 'passwords'
            ? { withoutHash: latest.withoutValue, byAlgorithm: c.byAlgorithm }
            : { toReenrol: latest.withoutValue }),
          added: latest.added,
          changed: latest.changed,
          unchanged: latest.unchanged,
          removed: latest.removed,
          fileSha256: latest.fileSha256,
        };
        ctx.result(out, () =>
          [
            `Merged ${latest.fileName} (${latest.encrypted ? 'PGP, decrypted in memory' : 'plain'}; SHA-256 ${latest.fileSha256.slice(0, 16)}…)`,
            `Lines       ${c.lines}`,
            `Matched     ${c.matched}   blocked (kept, flagged) ${c.blocked}`,
            `Unmatched   ${latest.unmatched}   ambiguous ${c.ambiguous}   duplicates ${c.duplicates}`,
            kind === 'passwords'
              ? `Algorithms  ${
                  Object.entries(c.byAlgorithm)
                    .map(([a, n]) => `${a} ${n}`)
                    .join(', ') || 'none'
                }  (not importable ${c.notImportable})\nWithout hash ${latest.withoutValue} database users (reset or just-in-time migration)`
              : `To re-enrol ${latest.withoutValue} users (SMS/push or TOTP without secret)`,
            `Changes     added ${latest.added}, changed ${latest.changed}, unchanged ${latest.unchanged}, removed ${latest.removed}`,
          ].join('\n'),
        );
      })();
    });
}

export function registerMerge(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => () => Promise<void>,
): void {
  register(program, run, 'passwords');
  register(program, run, 'mfa');
}
