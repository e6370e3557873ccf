import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import type { Tenant } from './tenant';

// Writes the files Auth0 support would send for a sandbox tenant: the password-hash NDJSON (plain, and
// PGP-encrypted to a freshly generated RSA-4096 key as Auth0 requires), the MFA-secret NDJSON (plain and PGP),
// the passphrase-protected private key and its passphrase. Every file is created with mode 0600.

export interface SupportFiles {
  passwordsPlain: string;
  passwordsPgp: string;
  passwordsPgpArmored?: string;
  privateKey: string;
  publicKey: string;
  passphraseFile: string;
  mfaSecrets: string;
  mfaSecretsPgp: string;
  /** Hex fingerprint of the generated key. */
  keyFingerprint: string;
}

export interface SupportFilesOptions {
  /** RSA modulus size; Auth0 support asks for 4096. Tests may pass 2048 for speed. */
  rsaBits?: 2048 | 3072 | 4096;
  /** Also write an ASCII-armored copy of the encrypted password file (default true). */
  armored?: boolean;
  /** Compress before encrypting, as GnuPG does by default (default true). */
  compress?: boolean;
}

export type SupportFileTenant = Pick<Tenant, 'passwords' | 'mfa' | 'users'> & { tenant?: { name: string } };

const FILE_MODE = 0o600;

export const SUPPORT_FILE_NAMES = {
  passwordsPlain: 'passwords.ndjson',
  passwordsPgp: 'passwords.ndjson.pgp',
  passwordsPgpArmored: 'passwords.ndjson.asc',
  privateKey: 'support-private-key.asc',
  publicKey: 'support-public-key.asc',
  passphraseFile: 'support-private-key.passphrase',
  mfaSecrets: 'mfa-secrets.ndjson',
  mfaSecretsPgp: 'mfa-secrets.ndjson.pgp',
} as const;

/** The MFA-secret file's lines: one per confirmed TOTP enrolment, keyed by user id (and email when known). */
export function mfaSecretLines(tenant: SupportFileTenant): object[] {
  const emails = new Map<string, string>();
  for (const u of tenant.users) if (u.email) emails.set(u.user_id, u.email);
  const out: object[] = [];
  for (const m of tenant.mfa) {
    if (m.type !== 'totp' || !m.totp_secret || !m.confirmed) continue;
    const email = emails.get(m.user_id);
    out.push({
      user_id: m.user_id,
      ...(email ? { email } : {}),
      type: 'totp',
      totp_secret: m.totp_secret,
      enrollment_id: m.id,
      created_at: m.created_at,
    });
  }
  return out;
}

async function writeSecretFile(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: FILE_MODE });
  await chmod(path, FILE_MODE); // the file may have existed with a wider mode
}

function openSecretStream(path: string): WriteStream {
  return createWriteStream(path, { mode: FILE_MODE });
}

async function finish(stream: WriteStream, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
  await chmod(path, FILE_MODE);
}

/** NDJSON written in blocks with backpressure, so a million-line tenant never becomes one string. */
async function writeNdjson(path: string, records: readonly object[]): Promise<void> {
  const out = openSecretStream(path);
  const BLOCK = 2000;
  for (let i = 0; i < records.length; i += BLOCK) {
    let text = '';
    const end = Math.min(records.length, i + BLOCK);
    for (let j = i; j < end; j++) text += JSON.stringify(records[j]) + '\n';
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  await finish(out, path);
}

/** Encrypts `source` to `target` as a stream (the plaintext is never held whole). */
async function encryptFile(
  source: string,
  target: string,
  publicKey: openpgp.PublicKey,
  armored: boolean,
  compress: boolean,
): Promise<void> {
  const input = Readable.toWeb(
    createReadStream(source, { highWaterMark: 1024 * 1024 }),
  ) as NodeReadableStream<Uint8Array>;
  const message = await openpgp.createMessage({
    binary: input as unknown as openpgp.NodeWebStream<Uint8Array>,
  });
  const config: openpgp.PartialConfig = compress
    ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib }
    : {};
  const encrypted = armored
    ? await openpgp.encrypt({ message, encryptionKeys: publicKey, format: 'armored', config })
    : await openpgp.encrypt({ message, encryptionKeys: publicKey, format: 'binary', config });
  const out = openSecretStream(target);
  await (encrypted as unknown as NodeReadableStream<Uint8Array | string>).pipeTo(
    Writable.toWeb(out) as unknown as WritableStream<Uint8Array | string>,
  );
  await chmod(target, FILE_MODE);
}

export async function writeSupportFiles(
  tenant: SupportFileTenant,
  outDir: string,
  options: SupportFilesOptions = {},
): Promise<SupportFiles> {
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  const path = (name: keyof typeof SUPPORT_FILE_NAMES) => join(outDir, SUPPORT_FILE_NAMES[name]);

  const passphrase = randomBytes(24).toString('base64url');
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'rsa',
    rsaBits: options.rsaBits ?? 4096,
    userIDs: [{ name: `Auth0 support export (${tenant.tenant?.name ?? 'sandbox'})` }],
    passphrase,
    format: 'armored',
  });
  const pub = await openpgp.readKey({ armoredKey: publicKey });

  const files: SupportFiles = {
    passwordsPlain: path('passwordsPlain'),
    passwordsPgp: path('passwordsPgp'),
    privateKey: path('privateKey'),
    publicKey: path('publicKey'),
    passphraseFile: path('passphraseFile'),
    mfaSecrets: path('mfaSecrets'),
    mfaSecretsPgp: path('mfaSecretsPgp'),
    keyFingerprint: pub.getFingerprint().toUpperCase(),
  };
  await writeSecretFile(files.privateKey, privateKey);
  await writeSecretFile(files.publicKey, publicKey);
  await writeSecretFile(files.passphraseFile, passphrase + '\n');

  const compress = options.compress ?? true;
  await writeNdjson(files.passwordsPlain, tenant.passwords);
  await encryptFile(files.passwordsPlain, files.passwordsPgp, pub, false, compress);
  if (options.armored ?? true) {
    files.passwordsPgpArmored = path('passwordsPgpArmored');
    await encryptFile(files.passwordsPlain, files.passwordsPgpArmored, pub, true, compress);
  }
  await writeNdjson(files.mfaSecrets, mfaSecretLines(tenant));
  await encryptFile(files.mfaSecrets, files.mfaSecretsPgp, pub, false, compress);
  return files;
}
