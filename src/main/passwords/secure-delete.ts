import { randomFillSync } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../shared/errors';

// Removes a decrypted hash file after a successful merge, at the admin's request: overwrite its bytes with random
// data, flush, rename, delete. Honest about the limits: on SSDs (wear levelling, over-provisioning), copy-on-write or
// journaling file systems (APFS, Btrfs, ZFS) and with snapshots or backups (Time Machine, Volume Shadow Copy, cloud
// backup) the old blocks may survive. Full-disk encryption is what really protects a file that was once written.

export const SECURE_DELETE_NOTE =
  'The file was overwritten with random data, flushed to disk and deleted. On SSDs, copy-on-write file systems (APFS, Btrfs, ZFS) and where snapshots or backups exist (Time Machine, Volume Shadow Copy, cloud backup), earlier copies of its blocks may survive: overwriting cannot reach them. Full-disk encryption (FileVault, BitLocker, LUKS) is what protects them; delete any backup or snapshot that holds the file.';

const CHUNK = 1024 * 1024;

export async function secureDelete(file: string): Promise<{ overwrittenBytes: number; note: string }> {
  const name = basename(file);
  const st = await stat(file).catch(() => null);
  if (!st) throw new AppError('not_found', `${name} does not exist.`);
  if (!st.isFile()) throw new AppError('invalid_input', `${name} is not a regular file.`);
  const handle = await open(file, 'r+');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (let pos = 0; pos < st.size; pos += CHUNK) {
      const n = Math.min(CHUNK, st.size - pos);
      randomFillSync(buf, 0, n);
      await handle.write(buf, 0, n, pos);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A neutral name first, so the directory entry no longer says what the file was.
  const neutral = join(dirname(file), `.a2w-removed-${process.pid}-${Date.now()}`);
  await rename(file, neutral);
  await unlink(neutral);
  return { overwrittenBytes: st.size, note: SECURE_DELETE_NOTE };
}
