import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { JobInfo } from '../../../shared/contract';
import { newKeyHandle, offerPgpKey, withdrawPgpKey } from '../../passwords/key-broker';
import { forgetKey, listKeys, loadKey, readKeyFile, rememberKey } from '../../passwords/keys';
import { fileSha256, type MergeKind } from '../../passwords/merge';
import { MERGE_JOB_KINDS, type MergeJobParams } from '../../passwords/merge-job';
import { listEntries, mergeStatus } from '../../passwords/results';
import { secureDelete } from '../../passwords/secure-delete';
import type { AppServices } from '../../services';
import type { Handlers } from '../dispatch';

type PasswordHandlers = Pick<
  Handlers,
  | 'passwords.inspect'
  | 'passwords.merge'
  | 'passwords.resume'
  | 'passwords.status'
  | 'passwords.list'
  | 'passwords.keys'
  | 'passwords.forgetKey'
  | 'passwords.removePlaintext'
>;

type KeySource = { file: string; remember?: boolean } | { keychain: string };

async function sniffFormat(path: string): Promise<'plain' | 'pgp' | 'other'> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, 64, 0);
    const text = head
      .subarray(0, bytesRead)
      .toString('latin1')
      .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
      .trimStart();
    if (text.startsWith('-----BEGIN PGP MESSAGE')) return 'pgp';
    const first = head[0] ?? 0;
    if (bytesRead > 0 && first & 0x80) return 'pgp';
    if (text.startsWith('{') || bytesRead === 0) return 'plain';
    return 'other';
  } finally {
    await handle.close();
  }
}

export function passwordsHandlers(s: AppServices): PasswordHandlers {
  const writable = () => {
    const ws = s.requireWorkspace();
    ws.assertWritable();
    return ws;
  };

  /** Reads the key (file or keychain) and offers it with the passphrase to the job that will hold `handle`. */
  const offerKey = async (handle: string, key: KeySource | undefined, passphrase: string | undefined) => {
    if (!key)
      throw new AppError('credentials_missing', 'This file is PGP-encrypted: choose your private key file.');
    if (!passphrase) throw new AppError('credentials_missing', 'Type the passphrase of your private key.');
    let armored: string;
    if ('keychain' in key) armored = await loadKey(s.keychain, key.keychain);
    else {
      armored = (await readKeyFile(key.file)).armored;
      if (key.remember) await rememberKey(s.keychain, armored);
    }
    offerPgpKey(handle, { privateKeyArmored: armored, passphrase });
  };

  const latestJob = (kind: MergeKind): JobInfo | null =>
    s
      .jobs()
      .list()
      .find((j) => j.kind === MERGE_JOB_KINDS[kind]) ?? null;

  return {
    'passwords.inspect': async ({ path }) => {
      const st = await stat(path).catch(() => null);
      if (!st?.isFile())
        throw new AppError('not_found', `${basename(path)} does not exist or is not a file.`);
      const format = await sniffFormat(path);
      const verdict = format === 'pgp' ? { ok: true as const } : await s.guard.check(path, 'hash file');
      return {
        name: basename(path),
        bytes: st.size,
        format,
        locationProblem: verdict.ok ? null : `${verdict.reason} ${verdict.hint}`,
      };
    },

    'passwords.merge': async ({ kind, path, key, passphrase }) => {
      writable();
      const st = await stat(path).catch(() => null);
      if (!st?.isFile())
        throw new AppError('not_found', `${basename(path)} does not exist or is not a file.`);
      const encrypted = (await sniffFormat(path)) === 'pgp';
      if (!encrypted) await s.guard.assert(path, 'hash file');
      const params: MergeJobParams = { file: path };
      if (encrypted) {
        params.keyHandle = newKeyHandle();
        await offerKey(params.keyHandle, key, passphrase);
      }
      try {
        return await s.jobs().start(MERGE_JOB_KINDS[kind], params);
      } catch (err) {
        if (params.keyHandle) withdrawPgpKey(params.keyHandle);
        throw err;
      }
    },

    'passwords.resume': async ({ jobId, key, passphrase }) => {
      const ws = writable();
      const row = ws.db.prepare('SELECT kind, params_json FROM jobs WHERE id = ?').get(jobId) as
        { kind: string; params_json: string } | undefined;
      if (!row || !Object.values(MERGE_JOB_KINDS).includes(row.kind)) {
        throw new AppError('not_found', `There is no merge job ${jobId} in this workspace.`);
      }
      const params = JSON.parse(row.params_json) as MergeJobParams;
      if (params.keyHandle) await offerKey(params.keyHandle, key, passphrase);
      return s.jobs().resume(jobId);
    },

    'passwords.status': async ({ kind }) => {
      const ws = s.requireWorkspace();
      const exportedUsers = ws.db.prepare('SELECT count(*) FROM auth0_users').pluck().get() as number;
      return { latest: mergeStatus(ws.db, kind).latest, job: latestJob(kind), exportedUsers };
    },

    'passwords.list': async ({ kind, list, search, offset, limit }) =>
      listEntries(s.requireWorkspace().db, kind, list, { offset, limit, ...(search ? { search } : {}) }),

    'passwords.keys': async () => listKeys(s.keychain),

    'passwords.forgetKey': async ({ fingerprint }) => {
      await forgetKey(s.keychain, fingerprint);
      return listKeys(s.keychain);
    },

    'passwords.removePlaintext': async ({ path }) => {
      const ws = writable();
      const st = await stat(path).catch(() => null);
      if (!st?.isFile())
        throw new AppError('not_found', `${basename(path)} does not exist or is not a file.`);
      // Only the decrypted file a completed merge read: this operation must not become a way to erase any file.
      const sha = await fileSha256(path);
      const merged = ws.db
        .prepare(
          "SELECT 1 FROM password_merge_runs WHERE encrypted = 0 AND state IN ('committed', 'superseded') AND file_sha256 = ?",
        )
        .get(sha);
      if (!merged) {
        throw new AppError(
          'invalid_input',
          `${basename(path)} is not a decrypted file that a completed merge read, so it is not removed from here.`,
        );
      }
      const result = await secureDelete(path);
      ws.audit.append({
        actor: 'admin',
        action: 'passwords.plaintext_removed',
        details: { fileName: basename(path), bytes: result.overwrittenBytes },
      });
      return { removed: true, ...result };
    },
  };
}
