import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MergeCheckpoint, MergeEnv, MergeKind, MergeSummary } from '../../../src/main/passwords/merge';
import { runMerge } from '../../../src/main/passwords/merge';
import type { PgpKeyInput } from '../../../src/main/passwords/reader';
import { generateTenantWithManifest, type GeneratedTenant } from '../../../src/main/sandbox/generator';
import { writeSupportFiles, type SupportFiles } from '../../../src/main/sandbox/support-files';
import { openWorkspaceWithKey, type Workspace } from '../../../src/main/workspace';
import { createTestWorkspace, runExport, startSandbox, type TestWorkspace } from '../export/helpers';

// A generated tenant exported by the real export job from the Auth0 sandbox into a real workspace, plus the files
// Auth0 support would send for it (RSA-2048 instead of 4096 to keep the test fast).

export interface Exported extends GeneratedTenant {
  dir: string;
  tw: TestWorkspace;
  files: SupportFiles;
  pgp: PgpKeyInput;
  open(readOnly?: boolean): Workspace;
  cleanup(): void;
}

export async function exportedTenant(opts: { users: number; orgs: number; seed: string }): Promise<Exported> {
  const gen = generateTenantWithManifest(opts);
  const dir = mkdtempSync(join(tmpdir(), 'a2w-pw-'));
  const sb = await startSandbox(gen.tenant);
  try {
    const tw = await createTestWorkspace(dir, 'passwords');
    const { job } = await runExport(tw, sb);
    if (job.state !== 'completed') throw new Error(`export ended ${job.state}: ${JSON.stringify(job.error)}`);
    const files = await writeSupportFiles(gen.tenant, join(dir, 'support'), { rsaBits: 2048 });
    const pgp = {
      privateKeyArmored: readFileSync(files.privateKey, 'utf8'),
      passphrase: readFileSync(files.passphraseFile, 'utf8').trim(),
    };
    return {
      ...gen,
      dir,
      tw,
      files,
      pgp,
      open: (readOnly = false) => openWorkspaceWithKey(tw.file, tw.dataKey, { readOnly }),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    await sb.close();
  }
}

/** Runs a merge in this thread with a checkpoint kept in memory (the job runner's part is tested separately). */
export async function mergeDirect(
  ws: Workspace,
  kind: MergeKind,
  file: string,
  opts: {
    pgp?: PgpKeyInput;
    checkpoint?: MergeCheckpoint | null;
    maxLineBytes?: number;
    env?: Partial<MergeEnv>;
  } = {},
): Promise<{ summary: MergeSummary; checkpoint: MergeCheckpoint | null }> {
  let checkpoint = opts.checkpoint ?? null;
  const summary = await runMerge({
    workspace: ws,
    kind,
    file,
    ...(opts.pgp ? { pgp: opts.pgp } : {}),
    checkpoint,
    saveCheckpoint: (cp) => (checkpoint = cp),
    ...(opts.maxLineBytes ? { maxLineBytes: opts.maxLineBytes } : {}),
    ...opts.env,
  });
  return { summary, checkpoint };
}

/** The user a password line belongs to, by Auth0's rule. */
export function lineOwner(line: { alt_id?: string; _id: { $oid: string } }): string {
  if (line.alt_id) return `auth0|${line.alt_id}`;
  return line._id.$oid.startsWith('auth0|') ? line._id.$oid : `auth0|${line._id.$oid}`;
}

/**
 * Every row of the merge's tables (ciphertexts as hex), for before/after comparisons; the views of the committed
 * values without their run id, which every merge renews.
 */
export function mergeTables(ws: Workspace): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, select] of [
    ['password_merge_runs', 'SELECT * FROM password_merge_runs'],
    ['password_merge_lines', 'SELECT * FROM password_merge_lines'],
    ['password_hash_rows', 'SELECT * FROM password_hash_rows'],
    ['mfa_totp_secret_rows', 'SELECT * FROM mfa_totp_secret_rows'],
    [
      'password_hashes',
      'SELECT user_id, hash_enc, algorithm, workos_type, importable, valid, cost, reason, blocked, via, line FROM password_hashes',
    ],
    ['mfa_totp_secrets', 'SELECT user_id, secret_enc, via, line FROM mfa_totp_secrets'],
    ['password_hash_classes', 'SELECT * FROM password_hash_classes'],
    ['auth0_users', 'SELECT * FROM auth0_users'],
  ] as const) {
    out[name] = (ws.db.prepare(`${select} ORDER BY 1, 2`).all() as Record<string, unknown>[]).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v])),
    );
  }
  return out;
}
