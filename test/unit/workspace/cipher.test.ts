import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import { createFieldCipher, type RowRef } from '../../../src/main/workspace';

const key = randomBytes(32);
const ref: RowRef = { table: 'password_hashes', column: 'hash', id: 'auth0|abc123' };

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected decryption to be refused');
}

describe('field cipher', () => {
  it('round-trips strings and bytes, with a fresh nonce each time', () => {
    const c = createFieldCipher(key);
    const secret = '$2b$10$abcdefghijklmnopqrstuuO1lJ0f7p9f0bJ9v2Vn1cQ6m7G1x3b8y';
    const a = c.encrypt(ref, secret);
    const b = c.encrypt(ref, secret);
    expect(a.equals(b)).toBe(false);
    expect(a[0]).toBe(1); // format version
    expect(a.length).toBe(1 + 12 + Buffer.byteLength(secret) + 16);
    expect(a.includes(Buffer.from(secret))).toBe(false);
    expect(c.decrypt(ref, a).toString('utf8')).toBe(secret);
    const bytes = randomBytes(64);
    expect(c.decrypt(ref, c.encrypt(ref, bytes)).equals(bytes)).toBe(true);
    expect(c.decrypt(ref, c.encrypt(ref, '')).length).toBe(0);
  });

  it('keeps the blob format: version, nonce, AES-256-GCM body and tag over the canonical JSON of the row ref', () => {
    const c = createFieldCipher(key);
    for (const r of [ref, { table: 'mfa_totp_secrets', column: 'secret_enc', id: 'sms|"quoted" é\\' }]) {
      const blob = c.encrypt(r, 'value');
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(1, 13), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(JSON.stringify(['a2w-field', 1, r.table, r.column, r.id]), 'utf8'));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      const plain = Buffer.concat([decipher.update(blob.subarray(13, blob.length - 16)), decipher.final()]);
      expect(plain.toString('utf8')).toBe('value');
    }
  });

  it('refuses a ciphertext moved to another row, column or table (AAD)', () => {
    const c = createFieldCipher(key);
    const blob = c.encrypt(ref, 'secret');
    for (const other of [
      { ...ref, id: 'auth0|abc124' },
      { ...ref, column: 'salt' },
      { ...ref, table: 'totp' },
    ]) {
      const err = refusal(() => c.decrypt(other, blob));
      expect(err.code).toBe('secrets_unavailable');
      expect(err.message).not.toContain('secret"');
      expect(err.message).not.toContain(other.id); // row ids can be user identifiers
    }
  });

  it('refuses tampered ciphertext, tag, nonce or version', () => {
    const c = createFieldCipher(key);
    const blob = c.encrypt(ref, 'secret value');
    for (const at of [0, 5, 14, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[at] = bad[at]! ^ 0x01;
      expect(refusal(() => c.decrypt(ref, bad)).code).toBe('secrets_unavailable');
    }
    expect(refusal(() => c.decrypt(ref, blob.subarray(0, 20))).message).toMatch(/too short/);
  });

  it('refuses a ciphertext made under another key', () => {
    const blob = createFieldCipher(randomBytes(32)).encrypt(ref, 'x');
    expect(refusal(() => createFieldCipher(key).decrypt(ref, blob)).code).toBe('secrets_unavailable');
  });

  it('does not confuse row refs whose parts would concatenate alike', () => {
    const c = createFieldCipher(key);
    const blob = c.encrypt({ table: 'a', column: 'b:c', id: 'd' }, 'x');
    expect(() => c.decrypt({ table: 'a:b', column: 'c', id: 'd' }, blob)).toThrow(AppError);
  });

  it('rejects a key of the wrong length and empty row refs', () => {
    expect(() => createFieldCipher(randomBytes(16))).toThrow(/wrong length/);
    expect(() => createFieldCipher(key).encrypt({ table: 't', column: 'c', id: '' }, 'x')).toThrow(AppError);
  });
});
