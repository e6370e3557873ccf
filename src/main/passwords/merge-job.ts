import { z } from 'zod';
import { defineJob, type JobContext } from '../jobs/types';
import { createLocationGuard } from '../workspace';
import { claimPgpKey } from './key-broker';
import { runMerge, type MergeCheckpoint, type MergeKind, type MergeSummary } from './merge';

// The merge as a job (one kind per file type, so a password merge and an MFA merge may run side by side). The
// parameters hold the file's path and, for a PGP file, a random handle under which the key is claimed in memory
// (key-broker.ts): never the key or the passphrase, since parameters are stored.

const params = z
  .object({
    file: z.string().min(1).max(4096),
    keyHandle: z.string().uuid().optional(),
    maxLineBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional(),
  })
  .strict();
export type MergeJobParams = z.infer<typeof params>;

export const MERGE_JOB_KINDS: Record<MergeKind, string> = { passwords: 'merge.passwords', mfa: 'merge.mfa' };

function mergeJob(kind: MergeKind) {
  return defineJob<MergeJobParams, MergeCheckpoint, MergeSummary>({
    kind: MERGE_JOB_KINDS[kind],
    paramsSchema: params,
    async run(ctx: JobContext<MergeJobParams, MergeCheckpoint>) {
      const pgp = ctx.params.keyHandle ? await claimPgpKey(ctx.params.keyHandle) : undefined;
      try {
        return await runMerge({
          workspace: ctx.workspace,
          kind,
          file: ctx.params.file,
          ...(pgp ? { pgp } : {}),
          checkpoint: ctx.checkpoint,
          saveCheckpoint: (cp, progress) => ctx.saveCheckpoint(cp, progress),
          progress: (p) => ctx.progress(p),
          throwIfStopped: () => ctx.throwIfStopped(),
          guard: createLocationGuard(),
          ...(ctx.params.maxLineBytes ? { maxLineBytes: ctx.params.maxLineBytes } : {}),
        });
      } finally {
        if (pgp) pgp.passphrase = '';
      }
    },
  });
}

export const mergePasswordsJob = mergeJob('passwords');
export const mergeMfaJob = mergeJob('mfa');

/** Registry entries for both kinds. */
export const mergeJobDefinitions = {
  [mergePasswordsJob.kind]: mergePasswordsJob,
  [mergeMfaJob.kind]: mergeMfaJob,
};
