import type { Workspace } from '../workspace';
import { cachedStatement } from '../workspace/statements';

// The merged password hashes and TOTP secrets, decrypted only at the moment a request needs them. The row references
// are those the merge encrypted with (src/main/passwords/merge.ts): the live table, column and user id.

export interface ImportableHash {
  hash: string;
  /** WorkOS password_hash_type from the classifier (bcrypt, firebase-scrypt, ssha, scrypt, pbkdf2, argon2). */
  type: string;
}

/** The user's hash if the classifier found it importable; null otherwise (no hash, unknown or unsalted digest). */
export function importableHash(ws: Workspace, userId: string): ImportableHash | null {
  const row = cachedStatement(
    ws.db,
    'SELECT hash_enc, workos_type FROM password_hashes WHERE user_id = ? AND importable = 1 AND valid = 1 AND workos_type IS NOT NULL',
  ).get(userId) as { hash_enc: Buffer; workos_type: string } | undefined;
  if (!row || !ws.cipher) return null;
  const hash = ws.cipher.decrypt({ table: 'password_hashes', column: 'hash_enc', id: userId }, row.hash_enc);
  return { hash: hash.toString('utf8'), type: row.workos_type };
}

export function hasImportableHash(ws: Workspace, userId: string): boolean {
  return (
    cachedStatement(
      ws.db,
      'SELECT 1 FROM password_hashes WHERE user_id = ? AND importable = 1 AND valid = 1 AND workos_type IS NOT NULL',
    ).get(userId) !== undefined
  );
}

export function hasTotpSecret(ws: Workspace, userId: string): boolean {
  return cachedStatement(ws.db, 'SELECT 1 FROM mfa_totp_secrets WHERE user_id = ?').get(userId) !== undefined;
}

export function totpSecret(ws: Workspace, userId: string): string | null {
  const row = cachedStatement(ws.db, 'SELECT secret_enc FROM mfa_totp_secrets WHERE user_id = ?').get(
    userId,
  ) as { secret_enc: Buffer } | undefined;
  if (!row || !ws.cipher) return null;
  return ws.cipher
    .decrypt({ table: 'mfa_totp_secrets', column: 'secret_enc', id: userId }, row.secret_enc)
    .toString('utf8');
}
