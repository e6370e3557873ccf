import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt as scryptCb } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { reviewDataDigest } from '../review/data-digest';
import { decisionsDigest } from '../review/decisions';
import { PACKAGE_ORIGIN_SETTING, type PackageOrigin } from '../review/overlay';
import type { Workspace } from '../workspace';

// A migration package: one file carrying a workspace to a reviewer or another machine.
//
//   "A2WPKG\0\x01" | u32 BE header length | header JSON (UTF-8) | payload
//
// Payload, redacted: gzip(SQLite copy with every secret removed). Its SHA-256 is in the header.
// Payload, encrypted: AES-256-GCM(gzip(u32 key length | workspace data key | SQLite copy)) | 16-byte tag, under a
// key derived with scrypt from the passphrase (salt and cost in the header; the header is the AAD, so it cannot
// be edited). The key is never stored. Opening verifies the tag before anything decrypted is used.
//
// Redacted means: no password hashes, no TOTP secrets, no connection secrets (every *_enc column of every
// table), no key check; then VACUUM so no freed page keeps the removed bytes.
//
// Hostile input is refused with a reason: unknown magic, oversized header, truncation, a payload longer or
// shorter than declared, a wrong passphrase or tampering (GCM tag / SHA-256), output larger than declared (zip
// bomb), counts in the header that differ from the workspace inside.

const MAGIC = Buffer.from('A2WPKG\0\x01', 'latin1');
const MAX_HEADER = 64 * 1024;
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 128 * 1024 * 1024 };

export type PackageKind = 'redacted' | 'encrypted';

export interface PackageHeader {
  format: 'a2w-package';
  version: 1;
  kind: PackageKind;
  workspaceId: string;
  workspaceName: string;
  createdAt: string;
  counts: Record<string, number>;
  /** Bytes of the payload in the file (ciphertext + tag for encrypted). */
  payloadBytes: number;
  /** Bytes of the SQLite file inside (bounds decompression). */
  databaseBytes: number;
  sha256?: string;
  scrypt?: { N: number; r: number; p: number; salt: string };
  nonce?: string;
}

export interface PackageInfo {
  kind: PackageKind;
  workspaceName: string;
  createdAt: string;
  counts: Record<string, number>;
  path: string;
  bytes: number;
}

const COUNTED = [
  'auth0_users',
  'auth0_organizations',
  'auth0_memberships',
  'auth0_roles',
  'auth0_connections',
];

function counts(db: Database.Database): Record<string, number> {
  return Object.fromEntries(
    COUNTED.map((t) => [
      t.replace('auth0_', ''),
      db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number,
    ]),
  );
}

function refused(file: string, why: string, hint?: string): AppError {
  return new AppError('invalid_input', `${basename(file)} was refused: ${why}`, hint);
}

function deriveKey(passphrase: string, salt: Buffer, p = SCRYPT): Promise<Buffer> {
  return new Promise((res, rej) =>
    scryptCb(
      passphrase.normalize('NFC'),
      salt,
      32,
      { N: p.N, r: p.r, p: p.p, maxmem: SCRYPT.maxmem },
      (e, k) => (e ? rej(e) : res(k)),
    ),
  );
}

// Keys whose values are secrets wherever they sit in a connection's JSON (nested too), and Auth0's custom-database
// `configuration` (settings that scripts read: typically credentials of the legacy store).
const SECRET_KEY =
  /secret|private|passw|passphrase|decryption_?key|signing_?key|api_?key|(^|_)token$|credential/i;
const PRIVATE_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) =>
        SECRET_KEY.test(k) || k === 'configuration' ? [k, '[redacted]'] : [k, scrub(v)],
      ),
    );
  }
  return typeof value === 'string' && PRIVATE_PEM.test(value) ? '[redacted]' : value;
}

function scrubJsonColumns(db: Database.Database, table: string, key: string, columns: string[]): void {
  const rows = db.prepare(`SELECT ${key} AS k, ${columns.join(', ')} FROM ${table}`).all() as Record<
    string,
    string | null
  >[];
  const update = db.prepare(
    `UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${key} = ?`,
  );
  for (const r of rows) {
    const next = columns.map((c) => (r[c] === null ? null : JSON.stringify(scrub(JSON.parse(r[c]!)))));
    update.run(...next, r.k);
  }
}

/** Removes every secret from a copy of a workspace database. */
export function redactDatabase(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('secure_delete = ON');
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
    db.transaction(() => {
      for (const t of tables) {
        const cols = db.prepare(`PRAGMA table_info(${t})`).all() as { name: string; notnull: number }[];
        for (const c of cols.filter((x) => /_enc$/.test(x.name))) {
          if (c.notnull) db.prepare(`DELETE FROM ${t}`).run();
          else db.prepare(`UPDATE ${t} SET ${c.name} = NULL`).run();
        }
      }
      for (const t of ['auth0_connections', 'auth0_stage_connections'])
        if (tables.includes(t)) scrubJsonColumns(db, t, 'connection_id', ['options_json', 'raw_json']);
      db.prepare("DELETE FROM meta WHERE key = 'key_check'").run();
      db.prepare(
        "INSERT INTO meta (key, value) VALUES ('redacted', 'true') ON CONFLICT (key) DO UPDATE SET value = 'true'",
      ).run();
    })();
    db.exec('VACUUM');
  } finally {
    db.close();
  }
}

/** What a reviewer's decisions start from: lets their signed decision file be checked against the original. */
function recordOrigin(ws: Workspace, file: string): void {
  const origin: PackageOrigin = {
    workspaceId: ws.id,
    workspaceName: ws.name,
    dataDigest: reviewDataDigest(ws),
    decisionsDigest: decisionsDigest(ws),
    savedAt: new Date().toISOString(),
  };
  const db = new Database(file);
  try {
    db.prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    ).run(PACKAGE_ORIGIN_SETTING, JSON.stringify(origin), origin.savedAt);
  } finally {
    db.close();
  }
}

/** Copies the workspace's database to `file` (a consistent snapshot, even while WAL is in use). */
function snapshot(ws: Workspace, file: string): void {
  ws.db.prepare('VACUUM INTO ?').run(file);
}

async function writeHeaderAndPayload(out: string, header: PackageHeader, payloadFile: string): Promise<void> {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  const fh = await fsp.open(out, 'wx', 0o600);
  try {
    await fh.write(Buffer.concat([MAGIC, len, json]));
  } finally {
    await fh.close();
  }
  await pipeline(createReadStream(payloadFile), createWriteStream(out, { flags: 'a' }));
}

async function sha256File(file: string, start = 0): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { start }) as AsyncIterable<Buffer>) h.update(c);
  return h.digest('hex');
}

/** Prefixes the stream with a buffer (the data key, for encrypted packages). */
function prefix(buf: Buffer): Transform {
  let sent = false;
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      if (!sent) {
        sent = true;
        this.push(buf);
      }
      cb(null, chunk);
    },
    flush(cb) {
      if (!sent) this.push(buf);
      cb();
    },
  });
}

export async function savePackage(
  ws: Workspace,
  out: string,
  opts: { mode: 'redacted' } | { mode: 'encrypted'; passphrase: string },
): Promise<PackageInfo> {
  if (opts.mode === 'encrypted' && (!opts.passphrase || opts.passphrase.length < 12))
    throw new AppError('invalid_input', 'A package passphrase must have at least 12 characters.');
  if (opts.mode === 'encrypted' && !ws.secretsAvailable)
    throw new AppError(
      'secrets_unavailable',
      'An encrypted package carries the secrets, but this workspace is open without its key.',
      'Save a redacted package instead, or open the workspace on the computer that created it.',
    );
  const exists = await fsp.lstat(out).catch(() => null);
  if (exists) throw new AppError('invalid_input', `${basename(out)} already exists; choose a new file name.`);
  const work = await fsp.mkdtemp(join(tmpdir(), 'a2w-pkg-'));
  try {
    const dbFile = join(work, 'workspace.sqlite');
    snapshot(ws, dbFile);
    if (opts.mode === 'redacted') {
      recordOrigin(ws, dbFile);
      redactDatabase(dbFile);
    }
    const db = new Database(dbFile, { readonly: true });
    const c = counts(db);
    db.close();
    const databaseBytes = (await fsp.stat(dbFile)).size;
    const payload = join(work, 'payload');
    const base = {
      format: 'a2w-package' as const,
      version: 1 as const,
      kind: opts.mode,
      workspaceId: ws.id,
      workspaceName: ws.name,
      createdAt: new Date().toISOString(),
      counts: c,
      databaseBytes,
    };
    let header: PackageHeader;
    if (opts.mode === 'redacted') {
      await pipeline(createReadStream(dbFile), createGzip(), createWriteStream(payload, { mode: 0o600 }));
      header = { ...base, payloadBytes: (await fsp.stat(payload)).size, sha256: await sha256File(payload) };
    } else {
      const salt = randomBytes(16);
      const nonce = randomBytes(12);
      const key = await deriveKey(opts.passphrase, salt);
      // The payload length is known only afterwards: encrypt to a temp file, then write the header.
      const provisional: Omit<PackageHeader, 'payloadBytes'> = {
        ...base,
        scrypt: { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
        nonce: nonce.toString('base64'),
      };
      const dataKey = ws.dataKeyForWorker()!;
      const keyBlock = Buffer.alloc(4 + dataKey.length);
      keyBlock.writeUInt32BE(dataKey.length);
      dataKey.copy(keyBlock, 4);
      dataKey.fill(0);
      // Ciphertext length = compressed length + tag; the header (AAD) needs it, so compress first.
      const gz = join(work, 'payload.gz');
      await pipeline(
        createReadStream(dbFile),
        prefix(keyBlock),
        createGzip(),
        createWriteStream(gz, { mode: 0o600 }),
      );
      keyBlock.fill(0);
      header = { ...provisional, payloadBytes: (await fsp.stat(gz)).size + 16 };
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(JSON.stringify(header), 'utf8'));
      await pipeline(createReadStream(gz), cipher, createWriteStream(payload, { mode: 0o600 }));
      await fsp.appendFile(payload, cipher.getAuthTag());
      key.fill(0);
    }
    await writeHeaderAndPayload(out, header, payload);
    ws.audit.append({
      actor: 'admin',
      action: 'package.saved',
      details: { kind: opts.mode, users: c.users ?? 0, organizations: c.organizations ?? 0 },
    });
    return {
      kind: header.kind,
      workspaceName: header.workspaceName,
      createdAt: header.createdAt,
      counts: c,
      path: out,
      bytes: (await fsp.stat(out)).size,
    };
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}

export async function readPackageHeader(
  file: string,
): Promise<{ header: PackageHeader; payloadOffset: number; size: number }> {
  const st = await fsp.stat(file).catch(() => null);
  if (!st?.isFile()) throw new AppError('not_found', `No package file at ${file}.`);
  const fh = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length + 4);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead < head.length || !head.subarray(0, MAGIC.length).equals(MAGIC))
      throw refused(file, 'it is not a migration package of this app.');
    const len = head.readUInt32BE(MAGIC.length);
    if (len === 0 || len > MAX_HEADER) throw refused(file, 'its header is damaged.');
    const hbuf = Buffer.alloc(len);
    const r = await fh.read(hbuf, 0, len, head.length);
    if (r.bytesRead < len) throw refused(file, 'it is truncated (the header is incomplete).');
    let header: PackageHeader;
    try {
      header = JSON.parse(hbuf.toString('utf8')) as PackageHeader;
    } catch {
      throw refused(file, 'its header is not readable.');
    }
    const okNum = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
    if (
      header?.format !== 'a2w-package' ||
      header.version !== 1 ||
      (header.kind !== 'redacted' && header.kind !== 'encrypted') ||
      !okNum(header.payloadBytes) ||
      !okNum(header.databaseBytes) ||
      typeof header.workspaceName !== 'string' ||
      typeof header.counts !== 'object'
    )
      throw refused(file, 'its header is not a valid package header.');
    const payloadOffset = head.length + len;
    const actual = st.size - payloadOffset;
    if (actual < header.payloadBytes)
      throw refused(file, `it is truncated (${actual} of ${header.payloadBytes} payload bytes).`);
    if (actual > header.payloadBytes)
      throw refused(file, 'it has data after the declared payload (it was altered).');
    return { header, payloadOffset, size: st.size };
  } finally {
    await fh.close();
  }
}

/** Refuses decompressed output past `limit` bytes: a zip bomb cannot fill the disk. */
function limitBytes(file: string, limit: number): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      n += chunk.length;
      if (n > limit)
        cb(refused(file, 'it decompresses to more than it declares (a compression bomb or tampering).'));
      else cb(null, chunk);
    },
  });
}

/**
 * Unpacks a package into a new workspace file `dest`. Returns the header and, for encrypted packages, the
 * workspace data key (the caller stores it in the keychain and zeroes it).
 */
export async function unpackPackage(
  file: string,
  dest: string,
  passphrase?: string,
): Promise<{ header: PackageHeader; dataKey: Buffer | null }> {
  const { header, payloadOffset, size } = await readPackageHeader(file);
  if (await fsp.lstat(dest).catch(() => null))
    throw new AppError('workspace_exists', `${basename(dest)} already exists.`);
  const work = await fsp.mkdtemp(join(tmpdir(), 'a2w-pkg-'));
  try {
    let dataKey: Buffer | null = null;
    const dbTmp = join(work, 'workspace.sqlite');
    const limit = header.databaseBytes + (header.kind === 'encrypted' ? 4 + 64 : 0);
    if (header.kind === 'redacted') {
      const sum = await sha256File(file, payloadOffset);
      if (sum !== header.sha256)
        throw refused(file, 'its content does not match its checksum (damaged or tampered).');
      await pipeline(
        createReadStream(file, { start: payloadOffset }),
        createGunzip(),
        limitBytes(file, header.databaseBytes),
        createWriteStream(dbTmp, { mode: 0o600 }),
      ).catch((e: unknown) => {
        throw e instanceof AppError ? e : refused(file, 'its payload is not valid compressed data.');
      });
    } else {
      if (!passphrase) throw new AppError('invalid_input', 'This package is encrypted: give its passphrase.');
      if (!header.scrypt || !header.nonce) throw refused(file, 'its encryption parameters are missing.');
      const { N, r, p, salt } = header.scrypt;
      if (![N, r, p].every((x) => Number.isSafeInteger(x)) || N > 1 << 20 || N < 1 << 14 || r > 32 || p > 16)
        throw refused(file, 'its key-derivation parameters are out of range.');
      const key = await deriveKey(passphrase, Buffer.from(salt, 'base64'), {
        N,
        r,
        p,
        maxmem: SCRYPT.maxmem,
      });
      const tagStart = size - 16;
      const fh = await fsp.open(file, 'r');
      const tag = Buffer.alloc(16);
      await fh.read(tag, 0, 16, tagStart);
      await fh.close();
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'base64'));
      decipher.setAAD(Buffer.from(JSON.stringify(header), 'utf8'));
      decipher.setAuthTag(tag);
      const gz = join(work, 'payload.gz');
      try {
        await pipeline(
          createReadStream(file, { start: payloadOffset, end: tagStart - 1 }),
          decipher,
          createWriteStream(gz, { mode: 0o600 }),
        );
      } catch {
        throw refused(file, 'the passphrase is wrong, or the package was damaged or tampered with.');
      } finally {
        key.fill(0);
      }
      const raw = join(work, 'raw');
      await pipeline(
        createReadStream(gz),
        createGunzip(),
        limitBytes(file, limit),
        createWriteStream(raw, { mode: 0o600 }),
      ).catch((e: unknown) => {
        throw e instanceof AppError ? e : refused(file, 'its payload is not valid compressed data.');
      });
      const fr = await fsp.open(raw, 'r');
      try {
        const lenBuf = Buffer.alloc(4);
        await fr.read(lenBuf, 0, 4, 0);
        const klen = lenBuf.readUInt32BE(0);
        if (klen !== 32) throw refused(file, 'its key block is malformed.');
        dataKey = Buffer.alloc(klen);
        await fr.read(dataKey, 0, klen, 4);
      } finally {
        await fr.close();
      }
      await pipeline(createReadStream(raw, { start: 4 + 32 }), createWriteStream(dbTmp, { mode: 0o600 }));
    }
    // The header's counts must be the counts of the workspace inside.
    let inner: Record<string, number>;
    try {
      const db = new Database(dbTmp, { readonly: true, fileMustExist: true });
      try {
        inner = counts(db);
      } finally {
        db.close();
      }
    } catch (e) {
      dataKey?.fill(0);
      throw e instanceof AppError ? e : refused(file, 'the workspace inside is not readable.');
    }
    for (const [k, v] of Object.entries(header.counts)) {
      if (inner[k] !== v) {
        dataKey?.fill(0);
        throw refused(file, `its manifest says ${v} ${k} but the workspace inside holds ${inner[k] ?? 0}.`);
      }
    }
    await fsp.copyFile(dbTmp, dest);
    await fsp.chmod(dest, 0o600);
    return { header, dataKey };
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}
