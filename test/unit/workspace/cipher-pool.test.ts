import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createFieldCipher } from '../../../src/main/workspace';
import { startCipherPool, type BulkEncryptor } from '../../../src/main/workspace/cipher-pool';

// The pool's workers must produce exactly what the workspace cipher reads back, for the right row only, in order.

let pool: BulkEncryptor | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('cipher pool', () => {
  it('encrypts on worker threads what the workspace cipher decrypts, in request order, bound to each row', async () => {
    const key = randomBytes(32);
    const reader = createFieldCipher(key);
    const handedOver = Buffer.from(key);
    pool = startCipherPool(handedOver, 2);
    expect(handedOver.equals(Buffer.alloc(32))).toBe(true); // the caller's copy is wiped once handed over

    const batches = Array.from({ length: 6 }, (_, b) => {
      const ids = Array.from({ length: 250 }, (_, i) => `auth0|user-${b}-${i}`);
      const values = ids.map((id, i) => `$2b$10$${id}-${'é'.repeat(i % 5)}`);
      return { ids, values };
    });
    const results = await Promise.all(
      batches.map((x) => pool!.encryptMany('password_hashes', 'hash_enc', x.ids, x.values)),
    );
    results.forEach((blobs, b) => {
      const { ids, values } = batches[b]!;
      expect(blobs).toHaveLength(ids.length);
      blobs.forEach((blob, i) => {
        const ref = { table: 'password_hashes', column: 'hash_enc', id: ids[i]! };
        expect(reader.decrypt(ref, blob).toString('utf8')).toBe(values[i]);
      });
    });
    const [first, second] = results[0]!;
    expect(() =>
      reader.decrypt({ table: 'password_hashes', column: 'hash_enc', id: batches[0]!.ids[1]! }, first!),
    ).toThrow(/could not be decrypted/);
    expect(first!.subarray(1, 13).equals(second!.subarray(1, 13))).toBe(false); // fresh nonces
  });

  it('refuses work once closed', async () => {
    pool = startCipherPool(randomBytes(32), 1);
    await pool.close();
    await expect(pool.encryptMany('t', 'c', ['a'], ['x'])).rejects.toThrow(/closed/);
  });
});
