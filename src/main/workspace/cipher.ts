import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomFillSync,
  type KeyObject,
} from 'node:crypto';
import { AppError } from '../../shared/errors';

/** The identity of the cell a ciphertext belongs to; it is bound in as AAD so a blob cannot be moved to another row. */
export interface RowRef {
  table: string;
  column: string;
  id: string;
}

export interface FieldCipher {
  encrypt(ref: RowRef, plaintext: Buffer | string): Buffer;
  decrypt(ref: RowRef, blob: Buffer): Buffer;
}

export const DATA_KEY_BYTES = 32;
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES;

// Blob layout: version (1 byte) | nonce (12) | ciphertext | GCM tag (16).
// The AAD is the canonical JSON of an array of plain strings and a number, for which JSON.stringify is canonical.
function aad(ref: RowRef): Buffer {
  return Buffer.from(JSON.stringify(['a2w-field', VERSION, ref.table, ref.column, ref.id]), 'utf8');
}

// Random nonces drawn from a refilled pool: one getrandom call per 4096 encryptions instead of one each, which
// matters when a merge encrypts a million hashes. Each nonce is copied out before the pool is refilled.
const NONCE_POOL = Buffer.alloc(NONCE_BYTES * 4096);
let noncePos = NONCE_POOL.length;
function takeNonce(into: Buffer, at: number): void {
  if (noncePos === NONCE_POOL.length) {
    randomFillSync(NONCE_POOL);
    noncePos = 0;
  }
  NONCE_POOL.copy(into, at, noncePos, noncePos + NONCE_BYTES);
  noncePos += NONCE_BYTES;
}

/** Size of the blob that encrypting `plaintextBytes` bytes produces. */
export function blobBytes(plaintextBytes: number): number {
  return HEADER_BYTES + plaintextBytes + TAG_BYTES;
}

function checkRef(ref: RowRef): void {
  for (const part of [ref.table, ref.column, ref.id]) {
    if (typeof part !== 'string' || part.length === 0) {
      throw new AppError(
        'invalid_input',
        'A row reference for field encryption needs a table, a column and an id.',
      );
    }
  }
}

export interface DisposableCipher extends FieldCipher {
  /** Drops the key; any later use throws. */
  dispose(): void;
}

/** The key is copied: the caller may wipe its own buffer. */
export function createFieldCipher(dataKey: Buffer): DisposableCipher {
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new AppError(
      'secrets_unavailable',
      `The workspace data key has the wrong length (${dataKey.length} bytes).`,
    );
  }
  // A KeyObject made once: turning a Buffer into a key on every call was most of the cost of encrypting a field.
  // Its native copy cannot be wiped on dispose; dropping the reference lets it be freed with the cipher.
  let key: KeyObject | null = createSecretKey(Buffer.from(dataKey));
  const alive = (): KeyObject => {
    if (!key)
      throw new AppError('secrets_unavailable', 'The workspace was closed; its data key is no longer held.');
    return key;
  };
  return {
    dispose() {
      key = null;
    },
    encrypt(ref, plaintext) {
      const k = alive();
      checkRef(ref);
      const input = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      // Written in place: one allocation per value instead of four and two concatenations.
      const blob = Buffer.allocUnsafe(blobBytes(input.length));
      blob[0] = VERSION;
      takeNonce(blob, 1);
      const cipher = createCipheriv('aes-256-gcm', k, blob.subarray(1, HEADER_BYTES), {
        authTagLength: TAG_BYTES,
      });
      cipher.setAAD(aad(ref));
      const body = cipher.update(input);
      body.copy(blob, HEADER_BYTES);
      cipher.final(); // GCM is a stream mode: nothing is held back
      cipher.getAuthTag().copy(blob, HEADER_BYTES + body.length);
      return blob;
    },
    decrypt(ref, blob) {
      const k = alive();
      checkRef(ref);
      // The message names the column only: row ids can be user identifiers.
      const refused = (why: string) =>
        new AppError(
          'secrets_unavailable',
          `A protected value in ${ref.table}.${ref.column} could not be decrypted: ${why}.`,
          'The value was altered, moved from another row, or encrypted with another workspace key.',
        );
      if (!Buffer.isBuffer(blob) || blob.length < HEADER_BYTES + TAG_BYTES) throw refused('it is too short');
      if (blob[0] !== VERSION) throw refused(`unknown format version ${blob[0]}`);
      const nonce = blob.subarray(1, HEADER_BYTES);
      const tag = blob.subarray(blob.length - TAG_BYTES);
      const body = blob.subarray(HEADER_BYTES, blob.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(ref));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw refused('authentication failed');
      }
    },
  };
}
