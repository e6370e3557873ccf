import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import type { Workspace } from '../../../src/main/workspace';
import { exportedTenant, mergeDirect, mergeTables, type Exported } from './setup';

// Hostile and damaged files are refused with a clear message that names the file (never its content), and the
// workspace's merge tables are exactly as they were before.

let t: Exported;
let ws: Workspace;
let before: Record<string, unknown[]>;
// The same files are refused whether the file is read on the merge's thread or on threads of their own (large files).
let threads = false;

beforeAll(async () => {
  t = await exportedTenant({ users: 300, orgs: 4, seed: 'hostile-1' });
  ws = t.open();
  await mergeDirect(ws, 'passwords', t.files.passwordsPlain);
  before = mergeTables(ws);
}, 120_000);
afterAll(() => {
  ws?.close();
  t?.cleanup();
});

async function expectRefused(
  file: string,
  opts: Parameters<typeof mergeDirect>[3],
  message: RegExp,
  code?: string,
): Promise<void> {
  let caught: unknown;
  try {
    await mergeDirect(ws, 'passwords', file, { ...opts, env: { ...opts?.env, threads } });
  } catch (err) {
    caught = err;
  }
  expect(caught, 'the merge should have been refused').toBeInstanceOf(AppError);
  const e = caught as AppError;
  expect(e.message).toMatch(message);
  if (code) expect(e.code).toBe(code);
  // Never an echo of the content: no hash, no email.
  expect(e.message + (e.hint ?? '')).not.toMatch(/\$2[aby]\$|@/);
  expect(mergeTables(ws)).toEqual(before);
}

describe.each([false, true])('hostile support files (on threads of their own: %s)', (onThreads) => {
  beforeAll(() => {
    threads = onThreads;
  });

  it('wrong private key', async () => {
    const other = await openpgp.generateKey({
      type: 'curve25519',
      userIDs: [{ name: 'Someone else' }],
      passphrase: 'x',
      format: 'armored',
    });
    await expectRefused(
      t.files.passwordsPgp,
      { pgp: { privateKeyArmored: other.privateKey, passphrase: 'x' } },
      /is encrypted to key id .* not to the private key/,
      'credentials_invalid',
    );
  });

  it('wrong passphrase', async () => {
    await expectRefused(
      t.files.passwordsPgp,
      { pgp: { ...t.pgp, passphrase: 'not it' } },
      /passphrase does not unlock/,
      'credentials_invalid',
    );
  });

  it('corrupted PGP packet', async () => {
    const bytes = readFileSync(t.files.passwordsPgp);
    const at = Math.floor(bytes.length * 0.6);
    for (let i = 0; i < 16; i++) bytes[at + i] = bytes[at + i]! ^ 0xa5;
    const file = join(t.dir, 'corrupted.pgp');
    writeFileSync(file, bytes);
    await expectRefused(file, { pgp: t.pgp }, /corrupted\.pgp/);
  });

  it('truncated PGP file', async () => {
    const bytes = readFileSync(t.files.passwordsPgp);
    const file = join(t.dir, 'truncated.pgp');
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    await expectRefused(file, { pgp: t.pgp }, /truncated\.pgp is truncated or damaged|truncated\.pgp failed/);
  });

  it('binary garbage, as a plain file and with a key', async () => {
    const file = join(t.dir, 'garbage.bin');
    writeFileSync(file, Buffer.concat([Buffer.from([0x00, 0x01, 0x02]), randomBytes(64 * 1024)]));
    await expectRefused(file, {}, /garbage\.bin is a binary file/);
    await expectRefused(file, { pgp: t.pgp }, /garbage\.bin/);
  });

  it('a 50 MB line', async () => {
    const file = join(t.dir, 'huge-line.ndjson');
    const fd = openSync(file, 'w');
    writeSync(fd, readFileSync(t.files.passwordsPlain, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    writeSync(fd, '{"passwordHash":"');
    const block = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, '","connection":"x"}\n');
    closeSync(fd);
    await expectRefused(file, {}, /huge-line\.ndjson is damaged: 1 line could not be read \(line 4:/);
  });

  it('invalid UTF-8', async () => {
    const lines = readFileSync(t.files.passwordsPlain, 'utf8').split('\n').slice(0, 5);
    const file = join(t.dir, 'latin1.ndjson');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(lines.slice(0, 2).join('\n') + '\n'),
        Buffer.from('{"email":"caf\xe9","connection":"x"}\n', 'latin1'),
        Buffer.from(lines.slice(2).join('\n') + '\n'),
      ]),
    );
    await expectRefused(file, {}, /latin1\.ndjson is damaged: 1 line could not be read \(line 3:/);
  });

  it('a non-JSON line is reported by number, never echoed', async () => {
    const lines = readFileSync(t.files.passwordsPlain, 'utf8').split('\n').slice(0, 4);
    const file = join(t.dir, 'notjson.ndjson');
    writeFileSync(file, [lines[0], 'this is not json $2b$10$secret', ...lines.slice(1)].join('\n') + '\n');
    await expectRefused(file, {}, /notjson\.ndjson is damaged: 1 line could not be read \(line 2:/);
  });

  it('a plain hash file is refused when given with a key, and a PGP file without one', async () => {
    await expectRefused(t.files.passwordsPlain, { pgp: t.pgp }, /is not PGP-encrypted/);
    await expectRefused(t.files.passwordsPgp, {}, /is PGP-encrypted/);
  });
});
