// Benchmark of the whole password-hash merge (read, match against the exported users, classify, AES-256-GCM encrypt
// every hash with its row AAD, stage, commit): 1,000,000 lines, plain NDJSON and PGP (RSA-4096, zlib like GnuPG),
// against a workspace holding the matching 1,000,000 users. Each measurement runs in its own child process on a fresh
// copy of the workspace, so peak RSS is the merge's own.
//   node --import tsx bench/merge.ts [--lines N] [--threads on|off] [--keep DIR] [--only plain|pgp] [--shuffled]
// The file lists the users in the order of their ids, as Auth0's does when ids follow creation (ObjectIds); with
// --shuffled a plain file in an unrelated order is measured too (each lookup then lands on another part of the
// user index).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import { runMerge, type MergeCheckpoint, type MergeTimings } from '../src/main/passwords/merge';
import { THREAD_RESOURCE_LIMITS } from '../src/main/jobs/thread-entry';
import { memoryKeychain } from '../src/main/secrets/keychain';
import { createWorkspace, openWorkspaceWithKey } from '../src/main/workspace';

const CONNECTION = 'Username-Password-Authentication';
const builtStageThread = resolve(__dirname, '../out/main/stage-thread.js');

interface Result {
  lines: number;
  matched: number;
  seconds: number;
  linesPerSecond: number;
  peakRssMB: number;
  /** The sampled peak split into the V8 heap and memory outside it that V8 knows of (the rest is native). */
  atSampledPeakMB: {
    rssStaging: number;
    rssEndOfCommit: number;
    rss: number;
    v8Heap: number;
    external: number;
  };
  cpuSeconds: number;
  linesPerCpuSecond: number;
  /** The field cipher alone in the same process (one createCipheriv per value): the floor of the merge's cost. */
  cipherEncryptsPerCpuSecond: number;
  /**
   * Milliseconds per phase: read, match and waitEncrypt are the reading half's (on its own thread when threads are
   * on); waitBatches, write (encryption shared with the reading thread included) and commit are the merge's thread.
   */
  mainThreadMs: MergeTimings;
}

function userId(j: number): string {
  return j % 10 === 0 ? `auth0|legacy-${j}` : `auth0|${j.toString(16).padStart(24, '0')}`;
}

async function child(wsFile: string, keyFile: string, file: string, pgpFile?: string): Promise<void> {
  const key = readFileSync(keyFile);
  const ws = openWorkspaceWithKey(wsFile, key);
  key.fill(0);
  const pgp = pgpFile
    ? (JSON.parse(readFileSync(pgpFile, 'utf8')) as { privateKeyArmored: string; passphrase: string })
    : undefined;
  // Where the peak RSS is: the V8 heap (JS objects and garbage not yet collected) or native memory (SQLite's page
  // cache, OpenSSL, zlib, buffers).
  let peak = { rss: 0, heapTotal: 0, external: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = { rss: m.rss, heapTotal: m.heapTotal, external: m.external };
  }, 25);
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  let checkpoint: MergeCheckpoint | null = null;
  const rssPhases = { staging: 0, commit: 0 };
  const timings: MergeTimings = { read: 0, match: 0, waitEncrypt: 0, waitBatches: 0, write: 0, commit: 0 };
  let checkpoints = 0;
  const summary = await runMerge({
    workspace: ws,
    kind: 'passwords',
    file,
    ...(pgp ? { pgp } : {}),
    checkpoint,
    timings,
    // --threads on|off overrides the merge's own choice ('auto': threads for a large file on two cores or more).
    ...(process.env.A2W_BENCH_THREADS ? { threads: process.env.A2W_BENCH_THREADS === 'on' } : {}),
    // The built reading thread (what the app and the CLI run) when `npm run build` has made one; else the TypeScript,
    // whose loader (tsx) adds some 35 MB to the thread.
    ...(existsSync(builtStageThread) ? { stageThreadEntry: builtStageThread } : {}),
    saveCheckpoint: (cp) => {
      checkpoint = cp;
      // Called inside the staging transactions and at the end of the commit: RSS of each phase, even though the
      // commit runs synchronously (the interval sampler cannot run then).
      // Sampled: reading RSS costs about a millisecond, which at every checkpoint was part of what was measured.
      if (!cp.committed && checkpoints++ % 50 !== 0) return;
      const rss = process.memoryUsage.rss();
      if (cp.committed) rssPhases.commit = Math.max(rssPhases.commit, rss);
      else rssPhases.staging = Math.max(rssPhases.staging, rss);
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const lines = summary.counts.lines;
  // Read before the cipher floor below: its 50,000 cipher objects hold native memory until a GC frees them.
  const peakRssMB = Math.round(ownPeakRss() / 1048576);
  const c1 = process.cpuUsage();
  for (let i = 0; i < 50_000; i++)
    ws.cipher!.encrypt(
      { table: 'password_hashes', column: 'hash_enc', id: userId(i) },
      '$2b$10$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0',
    );
  const c = process.cpuUsage(c1);
  ws.close();
  const result: Result = {
    lines,
    matched: summary.counts.matched + summary.counts.blocked,
    seconds: Math.round(seconds * 100) / 100,
    linesPerSecond: Math.round(lines / seconds),
    peakRssMB,
    atSampledPeakMB: {
      rssStaging: Math.round(rssPhases.staging / 1048576),
      rssEndOfCommit: Math.round(rssPhases.commit / 1048576),
      rss: Math.round(peak.rss / 1048576),
      v8Heap: Math.round(peak.heapTotal / 1048576),
      external: Math.round(peak.external / 1048576),
    },
    cpuSeconds: Math.round(cpuSeconds * 100) / 100,
    linesPerCpuSecond: Math.round(lines / cpuSeconds),
    cipherEncryptsPerCpuSecond: Math.round(50_000 / ((c.user + c.system) / 1e6)),
    mainThreadMs: Object.fromEntries(
      Object.entries(timings).map(([k, v]) => [k, Math.round(v)]),
    ) as unknown as MergeTimings,
  };
  process.stdout.write(JSON.stringify(result));
}

/**
 * This process's own peak RSS. getrusage's maxRSS is not: Linux carries it over from the parent through fork and
 * exec, so a child of a parent holding 400 MB reported 400 MB whatever it used. VmHWM belongs to the process's own
 * address space.
 */
function ownPeakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let prng = 0x2545f491;
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

// A prime larger than any --lines: i * SHUFFLE mod lines visits every user once, in an order unrelated to their ids.
const SHUFFLE = 1_000_003;

/** The users' lines in user order, or (`shuffled`) in an order unrelated to their ids. */
async function generate(file: string, lines: number, shuffled = false): Promise<void> {
  const out = createWriteStream(file, { mode: 0o600 });
  const BLOCK = 5000;
  for (let i = 0; i < lines; i += BLOCK) {
    let text = '';
    for (let k = i; k < Math.min(lines, i + BLOCK); k++) {
      const j = shuffled ? (k * SHUFFLE) % lines : k;
      const email = `user${j}@example.com`;
      text +=
        JSON.stringify({
          _id: { $oid: j.toString(16).padStart(24, '0') },
          email,
          email_verified: true,
          passwordHash: `$2b$10$${bcryptTail()}`,
          password_set_date: { $date: '2019-12-06T18:36:12.412Z' },
          tenant: 'acme',
          connection: CONNECTION,
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

/** A workspace whose auth0_users holds the file's users (bulk SQL insert: this is a bench, not the export). */
async function workspaceWithUsers(dir: string, lines: number): Promise<{ file: string; keyFile: string }> {
  const ws = await createWorkspace(join(dir, 'bench.a2w.sqlite'), {
    keychain: memoryKeychain(),
    name: 'bench',
    guard: { check: async () => ({ ok: true }), assert: async () => undefined },
  });
  const insert = ws.db.prepare(
    `INSERT INTO auth0_users (user_id, connection, strategy, is_database, email, email_lower, blocked, has_mfa, raw_json)
     VALUES (?, ?, 'auth0', 1, ?, ?, ?, 0, '{}')`,
  );
  const BLOCK = 50_000;
  for (let i = 0; i < lines; i += BLOCK) {
    ws.db.transaction(() => {
      for (let j = i; j < Math.min(lines, i + BLOCK); j++) {
        const email = `user${j}@example.com`;
        insert.run(userId(j), CONNECTION, email, email, j % 50 === 0 ? 1 : 0);
      }
    })();
  }
  ws.db.pragma('wal_checkpoint(TRUNCATE)');
  const keyFile = join(dir, 'data.key');
  writeFileSync(keyFile, ws.dataKeyForWorker()!, { mode: 0o600 });
  const file = ws.file;
  ws.close();
  return { file, keyFile };
}

function measure(dir: string, base: string, keyFile: string, args: string[]): Result {
  const copy = join(dir, `run-${randomBytes(4).toString('hex')}.a2w.sqlite`);
  copyFileSync(base, copy);
  try {
    const prof = process.env.A2W_BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.A2W_BENCH_PROFILE}`]
      : [];
    const run = spawnSync(
      process.execPath,
      [
        ...prof,
        // The young-generation bound the app gives its job threads (THREAD_RESOURCE_LIMITS), here for the main thread.
        `--max-semi-space-size=${THREAD_RESOURCE_LIMITS.maxYoungGenerationSizeMb / 3}`,
        '--import',
        'tsx',
        __filename_,
        '--child',
        copy,
        keyFile,
        ...args,
      ],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as Result;
  } finally {
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
  }
}

const __filename_ = process.argv[1]!;

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1]!, argv[2]!, argv[3]!, argv[4]);
  const lines = Number(flag(argv, '--lines') ?? 1_000_000);
  // --keep DIR: prepare the files and the workspace into DIR once and reuse them on later runs (for iterating).
  const keep = flag(argv, '--keep');
  const only = flag(argv, '--only') as 'plain' | 'pgp' | undefined;
  const threads = flag(argv, '--threads');
  const shuffled = argv.includes('--shuffled');
  if (threads === 'on' || threads === 'off') process.env.A2W_BENCH_THREADS = threads;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'a2w-bench-merge-'));
  try {
    const t0 = Date.now();
    const plain = join(dir, 'passwords.ndjson');
    const pgpFile = join(dir, 'passwords.ndjson.pgp');
    const keyJson = join(dir, 'pgp.json');
    const prepared = join(dir, 'prepared.json');
    let ws: { file: string; keyFile: string };
    if (keep && existsSync(prepared)) {
      const saved = JSON.parse(readFileSync(prepared, 'utf8')) as typeof ws & { lines: number };
      if (saved.lines !== lines) throw new Error(`${dir} was prepared for another --lines`);
      ws = saved;
    } else {
      mkdirSync(dir, { recursive: true });
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
      writeFileSync(keyJson, JSON.stringify({ privateKeyArmored: privateKey, passphrase }), { mode: 0o600 });
      ws = await workspaceWithUsers(dir, lines);
      if (keep) writeFileSync(prepared, JSON.stringify({ ...ws, lines }));
    }
    const plainShuffled = join(dir, 'passwords-shuffled.ndjson');
    if (shuffled && !existsSync(plainShuffled)) await generate(plainShuffled, lines, true);
    const prepSeconds = (Date.now() - t0) / 1000;
    const loadBefore = os.loadavg().map((l) => Math.round(l * 10) / 10);
    const out = {
      ...(only !== 'pgp' ? { plain: measure(dir, ws.file, ws.keyFile, [plain]) } : {}),
      ...(shuffled ? { plainShuffled: measure(dir, ws.file, ws.keyFile, [plainShuffled]) } : {}),
      ...(only !== 'plain' ? { pgp: measure(dir, ws.file, ws.keyFile, [pgpFile, keyJson]) } : {}),
      users: lines,
      fileMB: {
        plain: Math.round(statSync(plain).size / 1048576),
        pgp: Math.round(statSync(pgpFile).size / 1048576),
      },
      prepSeconds,
      node: process.version,
      openssl: process.versions.openssl,
      loadAverage: { before: loadBefore, after: os.loadavg().map((l) => Math.round(l * 10) / 10) },
      cores: os.cpus().length,
      readingThread: existsSync(builtStageThread) ? 'built' : 'typescript',
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
