import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as openpgp from 'openpgp';
import { AppError } from '../../shared/errors';
import { accounts, type Keychain } from '../secrets/keychain';

// The admin's PGP private key for Auth0's support file: read from a file, or (at the admin's request) kept in the OS
// keychain, still protected by its passphrase. The passphrase itself is never stored anywhere.

export interface KeyInfo {
  fingerprint: string;
  /** The key's user id without any email address. */
  label: string;
}

const MAX_KEY_FILE_BYTES = 1024 * 1024;

async function describe(armored: string, what: string): Promise<{ key: openpgp.PrivateKey; info: KeyInfo }> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch {
    throw new AppError(
      'invalid_input',
      `${what} is not an ASCII-armored OpenPGP private key.`,
      'Export it with: gpg --export-secret-keys --armor KEYID > key.asc',
    );
  }
  const uid = key.getUserIDs()[0] ?? '';
  return {
    key,
    info: {
      fingerprint: key.getFingerprint().toUpperCase(),
      label: uid.replace(/<[^>]*>/g, '').trim() || 'unnamed key',
    },
  };
}

export async function readKeyFile(path: string): Promise<{ armored: string; info: KeyInfo }> {
  const name = basename(path);
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new AppError('not_found', `The key file ${name} does not exist.`);
  if (st.size > MAX_KEY_FILE_BYTES)
    throw new AppError('invalid_input', `${name} is too large to be a private key file.`);
  const armored = await readFile(path, 'utf8');
  return { armored, info: (await describe(armored, `The key file ${name}`)).info };
}

export async function rememberKey(keychain: Keychain, armored: string): Promise<KeyInfo> {
  const { key, info } = await describe(armored, 'The key');
  if (key.isDecrypted()) {
    throw new AppError(
      'invalid_input',
      'This private key has no passphrase, so it is not kept in the keychain.',
      'Protect it with a passphrase first (gpg --edit-key KEYID passwd).',
    );
  }
  await keychain.set(accounts.pgpKey(info.fingerprint), armored);
  return info;
}

export async function loadKey(keychain: Keychain, fingerprint: string): Promise<string> {
  const armored = await keychain.get(accounts.pgpKey(fingerprint.toUpperCase()));
  if (!armored)
    throw new AppError('not_found', `The keychain holds no private key with fingerprint ${fingerprint}.`);
  return armored;
}

export async function listKeys(keychain: Keychain): Promise<KeyInfo[]> {
  const prefix = accounts.pgpKey('');
  const out: KeyInfo[] = [];
  for (const account of await keychain.list()) {
    if (!account.startsWith(prefix)) continue;
    const armored = await keychain.get(account);
    if (!armored) continue;
    try {
      out.push((await describe(armored, 'A stored key')).info);
    } catch {
      out.push({ fingerprint: account.slice(prefix.length), label: 'unreadable key' });
    }
  }
  return out.sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
}

export async function forgetKey(keychain: Keychain, fingerprint: string): Promise<boolean> {
  return keychain.delete(accounts.pgpKey(fingerprint.toUpperCase()));
}
