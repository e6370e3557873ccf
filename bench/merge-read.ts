// Benchmark of the support-file reader alone (no matching, no workspace): 1,000,000 generated lines, plain NDJSON
// and PGP (RSA-4096, zlib-compressed like GnuPG's default). Each measurement runs in its own child process so that
// peak RSS is the reader's own.  Run: node --import tsx bench/merge-read.ts [--lines N]
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import { readSupportFileBatches, type PgpKeyInput } from '../src/main/passwords/reader';

interface Result {
  lines: number;
  seconds: number;
  linesPerSecond: number;
  peakRssMB: number;
  /** CPU time of the reading process: wall-clock figures are only meaningful on an idle machine. */
  cpuSeconds: number;
  linesPerCpuSecond: number;
}

async function child(file: string, keyFile?: string): Promise<void> {
  const pgp: PgpKeyInput | undefined = keyFile ? JSON.parse(readFileSync(keyFile, 'utf8')) : undefined;
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  let lines = 0;
  let errors = 0;
  for await (const batch of readSupportFileBatches(pgp ? { file, pgp } : { file })) {
    for (const item of batch) {
      if ('error' in item) errors++;
      else lines++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (errors > 0) throw new Error(`${errors} lines were reported as errors`);
  const result: Result = {
    lines,
    seconds: Math.round(seconds * 100) / 100,
    linesPerSecond: Math.round(lines / seconds),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuSeconds: Math.round(cpuSeconds * 100) / 100,
    linesPerCpuSecond: Math.round(lines / cpuSeconds),
  };
  process.stdout.write(JSON.stringify(result));
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let prng = 0x2545f491;
/** Random-looking salt+digest, so that the PGP file compresses like real hashes do (barely), not 30:1. */
function bcryptTail(): string {
  let out = '';
  for (let i = 0; i < 53; i++) {
    prng ^= prng << 13;
    prng ^= prng >>> 17;
    prng ^= prng << 5;
    out += BCRYPT_ALPHABET[(prng >>> 0) % 64];
  }
  return out;
}

async function generate(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  const BLOCK = 5000;
  for (let i = 0; i < lines; i += BLOCK) {
    let text = '';
    for (let j = i; j < Math.min(lines, i + BLOCK); j++) {
      const oid = j.toString(16).padStart(24, '0');
      const email = `user${j}@example.com`;
      text +=
        JSON.stringify({
          _id: { $oid: oid },
          email,
          email_verified: true,
          passwordHash: `$2b$10$${bcryptTail()}`,
          password_set_date: { $date: '2019-12-06T18:36:12.412Z' },
          tenant: 'acme',
          connection: 'Username-Password-Authentication',
          _tmp_is_unique: true,
          identifiers: [{ type: 'email', value: email, verified: true }],
          ...(j % 10 === 0 ? { alt_id: `legacy-${j}` } : {}),
        }) + '\n';
    }
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

async function encrypt(source: string, target: string, armoredPublic: string): Promise<void> {
  const input = Readable.toWeb(
    createReadStream(source, { highWaterMark: 1 << 20 }),
  ) as NodeReadableStream<Uint8Array>;
  const message = await openpgp.createMessage({
    binary: input as unknown as openpgp.NodeWebStream<Uint8Array>,
  });
  const encrypted = await openpgp.encrypt({
    message,
    encryptionKeys: await openpgp.readKey({ armoredKey: armoredPublic }),
    format: 'binary',
    config: { preferredCompressionAlgorithm: openpgp.enums.compression.zlib },
  });
  await (encrypted as unknown as NodeReadableStream<Uint8Array>).pipeTo(
    Writable.toWeb(createWriteStream(target)) as unknown as WritableStream<Uint8Array>,
  );
}

function measure(args: string[]): Result {
  const run = spawnSync(process.execPath, ['--import', 'tsx', __filename_, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Result;
}

const __filename_ = process.argv[1]!;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1]!, argv[2]);
  const lines = argv[0] === '--lines' ? Number(argv[1]) : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'a2w-bench-merge-read-'));
  try {
    const plain = join(dir, 'passwords.ndjson');
    const pgpFile = join(dir, 'passwords.ndjson.pgp');
    const keyFile = join(dir, 'key.json');
    const t0 = Date.now();
    await generate(plain, lines);
    const passphrase = 'bench passphrase';
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'rsa',
      rsaBits: 4096,
      userIDs: [{ name: 'bench' }],
      passphrase,
      format: 'armored',
    });
    await encrypt(plain, pgpFile, publicKey);
    writeFileSync(keyFile, JSON.stringify({ privateKeyArmored: privateKey, passphrase }), { mode: 0o600 });
    const prepSeconds = (Date.now() - t0) / 1000;
    const out = {
      plain: measure([plain]),
      pgp: measure([pgpFile, keyFile]),
      fileMB: {
        plain: Math.round(statSync(plain).size / 1048576),
        pgp: Math.round(statSync(pgpFile).size / 1048576),
      },
      prepSeconds,
      node: process.version,
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
      cores: os.cpus().length,
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
