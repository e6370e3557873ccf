import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSupportFile, type PgpKeyInput, type SupportFileItem } from '../../../src/main/passwords/reader';
import { mfaSecretLines, writeSupportFiles } from '../../../src/main/sandbox/support-files';
import type { SupportFileTenant } from '../../../src/main/sandbox/support-files';

const dir = mkdtempSync(join(tmpdir(), 'a2w-pgp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = 2000;
const plain = Array.from({ length: LINES }, (_, i) =>
  JSON.stringify({
    _id: { $oid: `oid${i}` },
    passwordHash: `$2b$10$${String(i).padStart(53, 'a')}`,
    connection: 'db',
  }),
).join('\n');

let key: PgpKeyInput;
let otherKey: PgpKeyInput;
let binaryFile: string;
let armoredFile: string;

async function makeKey(name: string, passphrase: string) {
  return openpgp.generateKey({
    type: 'curve25519',
    userIDs: [{ name, email: `${name.toLowerCase()}@example.com` }],
    passphrase,
    format: 'armored',
  });
}

async function encryptTo(armoredPublic: string, data: string, format: 'binary' | 'armored', compress = true) {
  const pub = await openpgp.readKey({ armoredKey: armoredPublic });
  const message = await openpgp.createMessage({ binary: Buffer.from(data) });
  const config = compress ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib } : {};
  return format === 'binary'
    ? Buffer.from(await openpgp.encrypt({ message, encryptionKeys: pub, format: 'binary', config }))
    : await openpgp.encrypt({ message, encryptionKeys: pub, format: 'armored', config });
}

async function readAll(file: string, pgp: PgpKeyInput): Promise<SupportFileItem[]> {
  const out: SupportFileItem[] = [];
  for await (const item of readSupportFile({ file, pgp })) out.push(item);
  return out;
}

beforeAll(async () => {
  const a = await makeKey('Admin', 'right passphrase');
  const b = await makeKey('Other', 'other passphrase');
  key = { privateKeyArmored: a.privateKey, passphrase: 'right passphrase' };
  otherKey = { privateKeyArmored: b.privateKey, passphrase: 'other passphrase' };
  binaryFile = join(dir, 'hashes.ndjson.pgp');
  armoredFile = join(dir, 'hashes.ndjson.asc');
  writeFileSync(binaryFile, await encryptTo(a.publicKey, plain + '\n', 'binary'));
  writeFileSync(armoredFile, await encryptTo(a.publicKey, plain, 'armored', false));
});

describe('readSupportFile: PGP', () => {
  it('round-trips a binary message', async () => {
    const items = await readAll(binaryFile, key);
    expect(items).toHaveLength(LINES);
    expect(items[LINES - 1]).toEqual({ line: LINES, record: JSON.parse(plain.split('\n')[LINES - 1]!) });
  });

  it('round-trips an ASCII-armored message (no trailing newline)', async () => {
    const items = await readAll(armoredFile, key);
    expect(items).toHaveLength(LINES);
    expect(items.every((i) => 'record' in i)).toBe(true);
  });

  it('names both keys when the file is encrypted to another key', async () => {
    const err = await readAll(binaryFile, otherKey).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'credentials_invalid' });
    const message = (err as Error).message;
    expect(message).toMatch(/hashes\.ndjson\.pgp is encrypted to key id [0-9A-F]{16}/);
    expect(message).toMatch(/not to the private key [0-9A-F]{40} \("Other"\)/);
    expect(message).not.toContain('@example.com');
  });

  it('reports a wrong passphrase', async () => {
    await expect(readAll(binaryFile, { ...key, passphrase: 'wrong' })).rejects.toMatchObject({
      code: 'credentials_invalid',
      message: expect.stringMatching(/passphrase does not unlock the private key [0-9A-F]{40} \("Admin"\)/),
    });
  });

  it('reports a private key file that is not a key', async () => {
    await expect(
      readAll(binaryFile, { privateKeyArmored: 'not a key', passphrase: 'x' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/not an ASCII-armored OpenPGP private key/),
    });
  });

  it('fails the integrity check at the end when a byte mid-file is flipped', async () => {
    const bytes = readFileSync(binaryFile);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    const file = join(dir, 'flipped.pgp');
    writeFileSync(file, bytes);
    await expect(readAll(file, key)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /flipped\.pgp (failed OpenPGP's integrity check|is truncated or damaged).*Nothing from it may be used/,
      ),
    });
  });

  it('flags records as provisional: a flipped byte near the end still yields early lines before failing', async () => {
    const uncompressed = join(dir, 'late-flip.pgp');
    const pub = await openpgp.readKey({
      armoredKey: (await openpgp.readPrivateKey({ armoredKey: key.privateKeyArmored })).toPublic().armor(),
    });
    const bytes = Buffer.from(
      await openpgp.encrypt({
        message: await openpgp.createMessage({ binary: Buffer.from(plain + '\n') }),
        encryptionKeys: pub,
        format: 'binary',
      }),
    );
    bytes[bytes.length - 40]! ^= 0x01;
    writeFileSync(uncompressed, bytes);
    let seen = 0;
    const err = await (async () => {
      for await (const _item of readSupportFile({ file: uncompressed, pgp: key })) seen++;
    })().catch((e: unknown) => e);
    expect(seen).toBeGreaterThan(0);
    expect(err).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/late-flip\.pgp/) });
  });

  it('reports a truncated file', async () => {
    const bytes = readFileSync(binaryFile);
    const file = join(dir, 'truncated.pgp');
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(readAll(file, key)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /truncated\.pgp (is truncated or damaged|failed OpenPGP's integrity check)/,
      ),
    });
  });

  it('reports a truncated armored file', async () => {
    const text = readFileSync(armoredFile, 'utf8');
    const file = join(dir, 'truncated.asc');
    writeFileSync(file, text.slice(0, Math.floor(text.length * 0.5)));
    await expect(readAll(file, key)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/truncated\.asc/),
    });
  });

  it('reports binary garbage given as a PGP file', async () => {
    const file = join(dir, 'garbage.pgp');
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) & 0xff;
    garbage[0] = 0x85; // a plausible old-format packet header (tag 1) followed by nonsense
    writeFileSync(file, garbage);
    await expect(readAll(file, key)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/garbage\.pgp/),
    });
  });

  it('refuses a plain file when a key is given', async () => {
    const file = join(dir, 'plain.ndjson');
    writeFileSync(file, plain);
    await expect(readAll(file, key)).rejects.toMatchObject({
      message: expect.stringMatching(/plain\.ndjson is not PGP-encrypted/),
    });
  });
});

describe('writeSupportFiles', () => {
  const tenant: SupportFileTenant = {
    tenant: { name: 'acme' },
    users: [
      { user_id: 'auth0|u1', email: 'u1@example.com', created_at: '', updated_at: '', identities: [] },
      { user_id: 'google-oauth2|g1', created_at: '', updated_at: '', identities: [] },
    ],
    passwords: [
      {
        _id: { $oid: 'u1' },
        email: 'u1@example.com',
        email_verified: true,
        passwordHash: '$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
        password_set_date: { $date: '2020-01-01T00:00:00.000Z' },
        tenant: 'acme',
        connection: 'Username-Password-Authentication',
        _tmp_is_unique: true,
        identifiers: [{ type: 'email', value: 'u1@example.com', verified: true }],
      },
    ],
    mfa: [
      {
        user_id: 'auth0|u1',
        id: 'totp|1',
        type: 'totp',
        confirmed: true,
        created_at: '2020',
        totp_secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      },
      {
        user_id: 'google-oauth2|g1',
        id: 'totp|2',
        type: 'totp',
        confirmed: true,
        created_at: '2020',
        totp_secret: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
      },
      {
        user_id: 'auth0|u1',
        id: 'phone|1',
        type: 'phone',
        confirmed: true,
        created_at: '2020',
        phone_number: '+15550100',
      },
    ],
  };

  it('writes plain and PGP files readable with the written key, all mode 0600', async () => {
    const out = join(dir, 'support');
    const started = Date.now();
    const files = await writeSupportFiles(tenant, out, { rsaBits: 2048 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(20_000);
    const pgp: PgpKeyInput = {
      privateKeyArmored: readFileSync(files.privateKey, 'utf8'),
      passphrase: readFileSync(files.passphraseFile, 'utf8').trim(),
    };
    expect(readFileSync(files.privateKey, 'utf8')).toMatch(/BEGIN PGP PRIVATE KEY BLOCK/);
    const locked = await openpgp.readPrivateKey({ armoredKey: pgp.privateKeyArmored });
    expect(locked.isDecrypted()).toBe(false);

    const fromPlain: unknown[] = [];
    for await (const i of readSupportFile({ file: files.passwordsPlain })) fromPlain.push(i);
    expect(fromPlain).toEqual([{ line: 1, record: tenant.passwords[0] }]);
    for (const f of [files.passwordsPgp, files.passwordsPgpArmored!]) {
      expect(await readAll(f, pgp)).toEqual([{ line: 1, record: tenant.passwords[0] }]);
    }
    const mfa = (await readAll(files.mfaSecretsPgp, pgp)).map((i) => ('record' in i ? i.record : i));
    expect(mfa).toEqual(mfaSecretLines(tenant));
    expect(mfa).toHaveLength(2);
    expect(mfa[0]).toMatchObject({
      user_id: 'auth0|u1',
      email: 'u1@example.com',
      totp_secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    });

    for (const f of Object.values(files)) {
      if (typeof f === 'string' && f.startsWith(out)) expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    // The encrypted file does not contain the hash in the clear.
    expect(readFileSync(files.passwordsPgp).includes(Buffer.from(tenant.passwords[0]!.passwordHash))).toBe(
      false,
    );
  });

  it('generates the RSA-4096 key Auth0 support requires, in seconds', async () => {
    const started = Date.now();
    const files = await writeSupportFiles(tenant, join(dir, 'support4096'), { armored: false });
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(30); // typically 1-6 s on 2 cores; RSA prime search time varies
    const key4096 = await openpgp.readPrivateKey({ armoredKey: readFileSync(files.privateKey, 'utf8') });
    expect(key4096.getAlgorithmInfo()).toMatchObject({ algorithm: 'rsaEncryptSign', bits: 4096 });
    const passphrase = readFileSync(files.passphraseFile, 'utf8').trim();
    expect(
      await readAll(files.passwordsPgp, {
        privateKeyArmored: readFileSync(files.privateKey, 'utf8'),
        passphrase,
      }),
    ).toHaveLength(1);
  });
});
