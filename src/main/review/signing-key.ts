import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { Keychain } from '../secrets/keychain';

// The reviewer's Ed25519 key pair, which signs decision files. The private key lives only in the OS keychain of the
// reviewer's account (PKCS#8, base64); the public key travels inside each file. What makes a file trustworthy is
// the fingerprint of that public key, which both sides compare out of band (read aloud, in a ticket): a file
// re-signed by someone else verifies, but under another fingerprint.

export const REVIEWER_KEY_ACCOUNT = 'review-signing-key:ed25519';

export interface ReviewerKey {
  privateKey: KeyObject;
  /** The raw 32-byte public key, base64url (the JWK "x"). */
  publicKey: string;
  fingerprint: string;
}

/** SHA-256 of the raw public key, first 128 bits as eight groups of four hex digits: short enough to read aloud. */
export function fingerprintOf(publicKey: string): string {
  const raw = Buffer.from(publicKey, 'base64url');
  const hex = createHash('sha256').update(raw).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)!.join('-');
}

/** Lower-case hex digits only, so "AB12 CD34…" and "ab12-cd34-…" compare equal. */
export function normalizeFingerprint(fp: string): string {
  return fp.toLowerCase().replace(/[^0-9a-f]/g, '');
}

function fromPkcs8(b64: string): ReviewerKey {
  const privateKey = createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new AppError(
      'keychain_unavailable',
      'The reviewer signing key in the keychain is not an Ed25519 key.',
    );
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = String(jwk.x);
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey) };
}

/** This account's reviewer key, created and stored in the keychain on first use. */
export async function reviewerKey(keychain: Keychain): Promise<ReviewerKey> {
  const stored = await keychain.get(REVIEWER_KEY_ACCOUNT);
  if (stored !== null) {
    try {
      return fromPkcs8(stored);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError(
        'keychain_unavailable',
        'The reviewer signing key in the keychain is damaged.',
        `Remove the keychain entry "${REVIEWER_KEY_ACCOUNT}"; a new key (with a new fingerprint) is then created.`,
      );
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  await keychain.set(REVIEWER_KEY_ACCOUNT, der.toString('base64'));
  der.fill(0);
  return fromPkcs8(await requireStored(keychain));
}

async function requireStored(keychain: Keychain): Promise<string> {
  const v = await keychain.get(REVIEWER_KEY_ACCOUNT);
  if (v === null)
    throw new AppError('keychain_unavailable', 'The keychain did not keep the new reviewer key.');
  return v;
}

export function signBytes(key: ReviewerKey, data: Buffer): string {
  return sign(null, data, key.privateKey).toString('base64');
}

/** False for a malformed key or signature as well as a wrong one. */
export function verifyBytes(publicKey: string, data: Buffer, signature: string): boolean {
  try {
    const raw = Buffer.from(publicKey, 'base64url');
    if (raw.length !== 32) return false;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    const sig = Buffer.from(signature, 'base64');
    return sig.length === 64 && verify(null, data, key, sig);
  } catch {
    return false;
  }
}
