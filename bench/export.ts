// Export benchmark: a generated tenant served by the Auth0 sandbox (in a child process, rate limits lifted but
// headers present), exported by the real export job in a worker thread of this process.
//   node --import tsx bench/export.ts [--users 1000000] [--orgs 20000] [--memberships 1500000] [--seed S]
// Prints one JSON line: wall time of the whole export, peak RSS of this process (VmHWM: the export's worker thread
// lives in it, beside this harness) overall and per entity; the users-file ingest measured on its own in a child
// process that loads nothing else (gunzip + parse on its thread + staged inserts + merge of the downloaded file into a
// fresh workspace): rate, CPU seconds and that process's peak RSS; counts.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { ingestUsers, tuneForBulkWrites } from '../src/main/auth0/export/ingest';
import { mergeEntity, prepareMerge } from '../src/main/auth0/export/stage';
import type { Keychain } from '../src/main/secrets/keychain';
import { createWorkspace } from '../src/main/workspace';
import { startWalCheckpointer } from '../src/main/workspace/wal-checkpointer';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    orgs: { type: 'string', default: '20000' },
    // Default: 1.5 per user, the 1M users / 1.5M memberships tenant.
    memberships: { type: 'string' },
    seed: { type: 'string', default: 'bench-export' },
    serve: { type: 'boolean', default: false },
    ingest: { type: 'string' },
    dir: { type: 'string' },
  },
});

interface Served {
  baseUrl: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  users: number;
  organizations: number;
  memberships: number;
  generateSeconds: number;
}

async function serve(): Promise<void> {
  const { generateTenant } = await import('../src/main/sandbox/generator');
  const { startAuth0Sandbox } = await import('../src/main/sandbox/auth0/server');
  const t0 = performance.now();
  const tenant = generateTenant({
    users: Number(values.users),
    orgs: Number(values.orgs),
    memberships: Number(values.memberships ?? Math.round(Number(values.users) * 1.5)),
    seed: values.seed!,
  });
  const generateSeconds = (performance.now() - t0) / 1000;
  const sb = await startAuth0Sandbox({
    tenant,
    // Lifted: far above any pace the exporter reaches, yet present so the pacer learns it may go fast.
    rateLimits: { default: { limit: 1_000_000, windowMs: 1000 } },
    jobProcessingMs: 500,
  });
  const out: Served = {
    baseUrl: sb.baseUrl,
    domain: sb.domain,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    users: tenant.users.length,
    organizations: tenant.organizations.length,
    memberships: tenant.members.length,
    generateSeconds,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  // The sandbox's rendered export files live in a temporary directory until it closes.
  process.once('SIGTERM', () => void sb.close().finally(() => process.exit(0)));
}

function memoryKeychain(): Keychain {
  const m = new Map<string, string>();
  return {
    get: async (a) => m.get(a) ?? null,
    set: async (a, s) => void m.set(a, s),
    delete: async (a) => m.delete(a),
    list: async () => [...m.keys()],
  };
}

const builtWorker = resolve(__dirname, '../out/main/worker.js');
const builtCheckpointThread = resolve(__dirname, '../out/main/wal-checkpoint-thread.js');
const builtGunzipThread = resolve(__dirname, '../out/main/gunzip-thread.js');
let workerRuns = '';
let peakRss = 0;
let phase = 'start';
const peakByPhase: Record<string, number> = {};
const sample = () => {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  peakByPhase[phase] = Math.max(peakByPhase[phase] ?? 0, Math.round(rss / 1048576));
};
/** The kernel's own high-water mark of this process's RSS (catches peaks between samples). */
const vmHwm = (): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const cpuSeconds = (since?: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(since);
  return Number(((c.user + c.system) / 1e6).toFixed(1));
};

async function main(): Promise<void> {
  // Imported here, not at the top: the ingest child (ingestOnly) must not load the SDK and the job runner.
  const { serveAuth0Credentials } = await import('../src/main/auth0/export/credentials-channel');
  const { EXPORT_JOB_KIND } = await import('../src/main/auth0/export/job');
  const { USER_EXPORT_FIELDS } = await import('../src/main/auth0/export/users');
  const { createAuth0Client } = await import('../src/main/auth0/client');
  const { JobRunner } = await import('../src/main/jobs/runner');
  const dir = mkdtempSync(join(tmpdir(), 'a2w-bench-export-'));
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=16384',
      '--import',
      'tsx',
      __filename,
      '--serve',
      '--users',
      values.users!,
      '--orgs',
      values.orgs!,
      ...(values.memberships ? ['--memberships', values.memberships] : []),
      '--seed',
      values.seed!,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const served = await new Promise<Served>((res, rej) => {
      createInterface({ input: child.stdout }).once('line', (l) => res(JSON.parse(l) as Served));
      child.once('exit', (code) => rej(new Error(`sandbox process exited (${code})`)));
    });
    const creds = {
      domain: served.domain,
      clientId: served.clientId,
      clientSecret: served.clientSecret,
      baseUrl: served.baseUrl,
    };
    const sampler = setInterval(sample, 50);

    // 1. The whole export through the job, as the app runs it.
    const keychain = memoryKeychain();
    const ws = await createWorkspace(join(dir, 'bench.a2w.sqlite'), {
      keychain,
      name: 'bench',
      guard: { assert: async () => undefined } as never,
    });
    const stop = serveAuth0Credentials(
      () => ws.id,
      async () => creds,
    );
    const runner = new JobRunner({
      workspace: ws,
      // The built job worker (what the app and the CLI run) when `npm run build` has made one; else the TypeScript, whose
      // compiler adds its own memory to the peak.
      workerEntry: existsSync(builtWorker) ? builtWorker : resolve(__dirname, '../src/main/jobs/worker.ts'),
      // The job's message names the entity being exported ("MFA enrolments (6 of 7): ..."): peaks are kept per entity.
      onEvent: (info) => {
        phase = /^[^(:]+/.exec(info.message ?? '')?.[0]?.trim() || phase;
      },
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    workerRuns = existsSync(builtWorker) ? 'built' : 'typescript';
    const job = await runner.start(EXPORT_JOB_KIND, {
      runId: crypto.randomUUID(),
      entities: ['roles', 'connections', 'organizations', 'memberships', 'users', 'mfa', 'logic'],
    });
    const done = await runner.wait(job.id);
    const wallSeconds = (performance.now() - t0) / 1000;
    const exportCpuSeconds = cpuSeconds(cpu0);
    const exportPeakRss = Math.max(peakRss, vmHwm());
    if (done.state !== 'completed') throw new Error(`export ended ${done.state}: ${done.error?.message}`);
    const counts = Object.fromEntries(
      (
        ws.db.prepare('SELECT entity, exported, expected, complete FROM auth0_export_completeness').all() as {
          entity: string;
          exported: number;
          expected: number | null;
          complete: number;
        }[]
      ).map((r) => [r.entity, { exported: r.exported, expected: r.expected, complete: r.complete === 1 }]),
    );
    await runner.close();
    stop();
    ws.close();

    // 2. The users file on its own: downloaded once to disk, then ingested into a fresh workspace and timed.
    phase = 'separate users-file ingest';
    const client = createAuth0Client(creds);
    const created = await client.jobs.usersExports.create({ format: 'json', fields: USER_EXPORT_FIELDS });
    let location: string | undefined;
    while (!location) {
      await new Promise((r) => setTimeout(r, 300));
      const j = (await client.jobs.get(created.id!)) as unknown as { status: string; location?: string };
      if (j.status === 'completed') location = j.location;
    }
    const file = join(dir, 'users.json.gz');
    // Streamed to disk: holding the file in this process would add its size to the peak RSS being measured.
    const download = await fetch(location);
    await pipeline(
      Readable.fromWeb(download.body as import('node:stream/web').ReadableStream),
      createWriteStream(file),
    );
    // Ingested by a child process of its own that loads only the ingest (no SDK, no job runner): its peak RSS is
    // the ingest's, not this harness's.
    const ingestRun = spawnSync(
      process.execPath,
      // The heap bounds the export job's thread runs with (THREAD_RESOURCE_LIMITS, the job's heapLimitMb).
      [
        '--max-semi-space-size=16',
        '--max-old-space-size=256',
        '--import',
        'tsx',
        __filename,
        '--ingest',
        file,
        '--dir',
        dir,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (ingestRun.status !== 0) throw new Error(`ingest child failed (${ingestRun.status})`);
    const ingest = JSON.parse(ingestRun.stdout.trim().split('\n').pop()!) as IngestFigures;
    clearInterval(sampler);
    sample();
    peakRss = Math.max(peakRss, vmHwm());

    console.log(
      JSON.stringify({
        users: served.users,
        organizations: served.organizations,
        memberships: served.memberships,
        wallSeconds: Number(wallSeconds.toFixed(1)),
        exportCpuSeconds,
        exportPeakRssMB: Math.round(exportPeakRss / 1048576),
        exportPeakRssMBByEntity: peakByPhase,
        jobWorker: workerRuns,
        usersIngestedPerSecond: Math.round(ingest.lines / ingest.seconds),
        usersStagedPerSecond: Math.round(ingest.lines / ingest.stageSeconds),
        ingestSeconds: ingest.seconds,
        mergeSeconds: ingest.mergeSeconds,
        mergeTransactionSeconds: ingest.mergeTransactionSeconds,
        ingestCpuSeconds: ingest.cpuSeconds,
        ingestPeakRssMB: ingest.peakRssMB,
        ingestLoadedRssMB: ingest.loadedRssMB,
        ingestCheckpointThread: ingest.checkpointThread,
        ingestLongestLogMB: ingest.longestLogMB,
        ingestYardstick: ingest.yardstick,
        usersFileMB: Number((statSync(file).size / 1048576).toFixed(1)),
        harnessPeakRssMB: Math.round(peakRss / 1048576),
        loadAverage: (await import('node:os')).loadavg()[0],
        tenantGenerateSeconds: Number(served.generateSeconds.toFixed(1)),
        counts,
      }),
    );
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface IngestFigures {
  lines: number;
  seconds: number;
  stageSeconds: number;
  mergeSeconds: number;
  /** Of the merge, the one transaction that swaps the tables in (the indexes are built before, one per transaction). */
  mergeTransactionSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  /** RSS once the modules were loaded, before the ingest started. */
  loadedRssMB: number;
  /** Which WAL checkpointing thread ran (the built app's, or the source through tsx), or none. */
  checkpointThread: string;
  threadCheckpoints: number;
  /** The longest the WAL was at one of the thread's checkpoints. */
  longestLogMB: number;
  /** This machine's speed at the ingest's two main kinds of work, independent of the app's code (machineYardstick). */
  yardstick: { jsonParseMBPerCpuSecond: number; pageWritesPerSecond: number };
}

/**
 * The same ingest varied by a third on one machine within a day, and by half between machines of the same kind. Two
 * figures taken beside it tell the machine's phase apart from a change in the code: V8 parsing the file's first
 * 20,000 lines (about a quarter of the staging's CPU), and 4 KB writes to a file (SQLite writes pages one write()
 * each; in this kind of VM a system call costs more than the copy it makes). Run after the ingest's peak RSS is read.
 */
async function machineYardstick(file: string, dir: string): Promise<IngestFigures['yardstick']> {
  const lines: string[] = [];
  const reader = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of reader) {
    if (line) lines.push(line);
    if (lines.length === 20_000) break;
  }
  reader.close();
  const bytes = lines.reduce((n, l) => n + l.length, 0);
  const cpu0 = process.cpuUsage();
  for (let round = 0; round < 5; round++) for (const l of lines) JSON.parse(l);
  const parseCpu = cpuSeconds(cpu0);
  const page = Buffer.alloc(4096, 1);
  const scratch = join(dir, 'yardstick.bin');
  const fd = openSync(scratch, 'w');
  const pages = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < pages; i++) writeSync(fd, page, 0, page.length, (i % 12_500) * 4096);
  const writeSeconds = (performance.now() - t0) / 1000;
  closeSync(fd);
  rmSync(scratch);
  return {
    jsonParseMBPerCpuSecond: Math.round((5 * bytes) / 1048576 / parseCpu),
    pageWritesPerSecond: Math.round(pages / writeSeconds),
  };
}

/** The users file into a fresh workspace, as the export job does it (file read on its thread, merge), timed. */
async function ingestOnly(file: string, dir: string): Promise<void> {
  const loadedMB = Math.round(process.memoryUsage.rss() / 1048576);
  const ws = await createWorkspace(join(dir, 'ingest.a2w.sqlite'), {
    keychain: memoryKeychain(),
    name: 'ingest',
    guard: { assert: async () => undefined } as never,
  });
  tuneForBulkWrites(ws.db);
  const built = existsSync(builtCheckpointThread);
  const checkpointer = startWalCheckpointer(ws.db, built ? { entryFile: builtCheckpointThread } : {});
  const threadKind = !checkpointer.running ? 'none' : built ? 'built' : 'typescript';
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  const result = await ingestUsers(ws.db, createReadStream(file, { highWaterMark: 2 ** 20 }), {
    skipLines: 0,
    onBatch: () => undefined,
    ...(built ? { gunzipThread: builtGunzipThread } : {}),
  });
  const t2 = performance.now();
  prepareMerge(ws.db, 'users');
  const tSwap = performance.now();
  ws.db.transaction(() => mergeEntity(ws.db, 'users'))();
  const t3 = performance.now();
  const checkpoints = await checkpointer.close();
  const figures: IngestFigures = {
    lines: result.lines,
    seconds: Number(((t3 - t1) / 1000).toFixed(2)),
    stageSeconds: Number(((t2 - t1) / 1000).toFixed(2)),
    mergeSeconds: Number(((t3 - t2) / 1000).toFixed(2)),
    mergeTransactionSeconds: Number(((t3 - tSwap) / 1000).toFixed(3)),
    cpuSeconds: cpuSeconds(cpu1),
    peakRssMB: Math.round(vmHwm() / 1048576),
    loadedRssMB: loadedMB,
    checkpointThread: threadKind,
    threadCheckpoints: checkpoints.checkpoints,
    longestLogMB: Math.round(
      (checkpoints.maxLogFrames * (ws.db.pragma('page_size', { simple: true }) as number)) / 1048576,
    ),
    yardstick: { jsonParseMBPerCpuSecond: 0, pageWritesPerSecond: 0 },
  };
  figures.yardstick = await machineYardstick(file, dir);
  ws.close();
  console.log(JSON.stringify(figures));
}

if (values.serve) void serve();
else if (values.ingest) void ingestOnly(values.ingest, values.dir!);
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
