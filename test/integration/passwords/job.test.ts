import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src/shared/contract';
import { exportedTenant, lineOwner, type Exported } from './setup';

// The merge as a real job: a worker thread in a separate process, the PGP key handed over in memory, the disk watched
// for plaintext hashes while it runs, a SIGKILL in the middle and a resume.

let t: Exported;
let keyFile: string;
let passphraseFile: string;

beforeAll(async () => {
  t = await exportedTenant({ users: 3000, orgs: 6, seed: 'job-1' });
  keyFile = join(t.dir, 'data.key');
  writeFileSync(keyFile, t.tw.dataKey, { mode: 0o600 });
  passphraseFile = t.files.passphraseFile;
}, 120_000);
afterAll(() => t?.cleanup());

interface Run {
  settled: JobInfo | null;
  killed: boolean;
  events: JobInfo[];
}

function runMerge(
  args: string[],
  env: Record<string, string>,
  onEvent?: (info: JobInfo, kill: () => void) => void,
): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/integration/passwords/run-merge.ts', ...args],
    {
      env: { ...process.env, A2W_DATA_KEY_FILE: keyFile, A2W_PGP_PASSPHRASE_FILE: passphraseFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const run: Run = { settled: null, killed: false, events: [] };
  const kill = () => {
    run.killed = true;
    child.kill('SIGKILL');
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as { event: string; info?: JobInfo; error?: unknown };
    if (msg.event === 'job' && msg.info) {
      run.events.push(msg.info);
      if (!run.killed) onEvent?.(msg.info, kill);
    } else if (msg.event === 'settled' && msg.info) run.settled = msg.info;
    else if (msg.event === 'error') stderr += JSON.stringify(msg.error);
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(run);
      else reject(new Error(`run-merge exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

const FILLER_LINES = 60_000;

let longFile: Promise<string> | undefined;
function longPgpFile(): Promise<string> {
  const file = join(t.dir, 'passwords-long.ndjson.pgp');
  longFile ??= writeLongPgpFile(file, FILLER_LINES).then(() => file);
  return longFile;
}

/** The tenant's password lines followed by `filler` lines of users the tenant does not have, encrypted to its key. */
async function writeLongPgpFile(target: string, filler: number): Promise<void> {
  const lines = [readFileSync(t.files.passwordsPlain, 'utf8').trimEnd()];
  for (let i = 0; i < filler; i++) {
    const oid = (0xf00000000000 + i).toString(16).padStart(24, '0');
    lines.push(
      JSON.stringify({
        _id: { $oid: oid },
        email: `nobody-${i}@example.invalid`,
        passwordHash: '$2b$10$abcdefghijklmnopqrstuuTHZIVv9eWzHq8x1tlvM2i8ETbfU7DGe',
        connection: 'Username-Password-Authentication',
      }),
    );
  }
  const publicKey = await openpgp.readKey({ armoredKey: readFileSync(t.files.publicKey, 'utf8') });
  const message = await openpgp.createMessage({ binary: Buffer.from(lines.join('\n') + '\n') });
  const encrypted = await openpgp.encrypt({ message, encryptionKeys: publicKey, format: 'binary' });
  writeFileSync(target, encrypted as Uint8Array, { mode: 0o600 });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('merge job in a worker thread', () => {
  it('a PGP merge writes no plaintext hash to the workspace folder, the temp folder or the logs', async () => {
    const wsDir = join(t.dir, 'ws-scan');
    mkdirSync(wsDir);
    const wsFile = join(wsDir, 'scan.a2w.sqlite');
    writeFileSync(wsFile, readFileSync(t.tw.file));
    const tmp = join(t.dir, 'tmp');
    const logs = join(t.dir, 'logs');
    mkdirSync(tmp);
    mkdirSync(logs);
    // Every non-bcrypt hash and a sample of the bcrypt ones, whole and as their last 24 characters (a value split
    // across pages would still leave its tail). A sample keeps each scan fast enough to run on every progress event.
    const distinct = [...new Set(t.tenant.passwords.map((l) => l.passwordHash))];
    const hashes = [
      ...distinct.filter((h) => !h.startsWith('$2')),
      ...distinct.filter((h) => h.startsWith('$2')).slice(0, 150),
    ];
    const needles = hashes.flatMap((h) => [h, h.slice(-24)]).map((n) => Buffer.from(n));
    let scans = 0;
    const scan = () => {
      for (const f of [...filesUnder(wsDir), ...filesUnder(tmp), ...filesUnder(logs)]) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(f);
        } catch {
          continue; // a -wal or -shm file removed between listing and reading
        }
        for (const n of needles) expect(bytes.includes(n), `${f} holds a hash`).toBe(false);
      }
      scans++;
    };
    // Scans during the merge, at most one a second: each reads the whole workspace, and a slow machine would
    // otherwise spend the test's time scanning rather than merging.
    let lastScan = 0;
    const run = await runMerge(
      [wsFile, 'passwords', t.files.passwordsPgp, t.files.privateKey],
      { TMPDIR: tmp, TMP: tmp, TEMP: tmp, A2W_LOG_DIR: logs },
      () => {
        if (Date.now() - lastScan < 1000) return;
        scan();
        lastScan = Date.now();
      },
    );
    expect(run.settled?.state, JSON.stringify(run.settled?.error)).toBe('completed');
    scan();
    expect(scans).toBeGreaterThan(1);
    expect(statSync(join(logs, 'merge.log')).size).toBeGreaterThan(0);
    // The passphrase is not in the job's stored parameters nor anywhere in the workspace.
    const pass = readFileSync(passphraseFile, 'utf8').trim();
    for (const f of filesUnder(wsDir)) expect(readFileSync(f).includes(Buffer.from(pass)), f).toBe(false);
  });

  it('resumes after SIGKILL in the middle of a PGP merge and ends with every hash matched', async () => {
    const wsDir = join(t.dir, 'ws-kill');
    mkdirSync(wsDir);
    const wsFile = join(wsDir, 'kill.a2w.sqlite');
    writeFileSync(wsFile, readFileSync(t.tw.file));
    // The tenant's lines, then enough lines of unknown users that the kill at the first progress lands mid-file
    // however fast the merge (the tenant's lines alone were sometimes all merged before the kill arrived).
    const pgpFile = await longPgpFile();
    const first = await runMerge([wsFile, 'passwords', pgpFile, t.files.privateKey], {}, (info, kill) => {
      if (info.state === 'running' && info.done > 0) kill();
    });
    expect(first.killed).toBe(true);
    const jobId = first.events.at(-1)!.id;

    const { openWorkspaceWithKey } = await import('../../../src/main/workspace');
    const peek = openWorkspaceWithKey(wsFile, t.tw.dataKey);
    const staged = peek.db
      .prepare(
        "SELECT count(*) FROM password_hash_rows WHERE run IN (SELECT seq FROM password_merge_runs WHERE state = 'staging')",
      )
      .pluck()
      .get() as number;
    const live = peek.db.prepare('SELECT count(*) FROM password_hashes').pluck().get() as number;
    const cp = JSON.parse(
      peek.db.prepare('SELECT checkpoint_json FROM jobs WHERE id = ?').pluck().get(jobId) as string,
    );
    peek.close();
    expect(live).toBe(0); // nothing provisional was committed
    expect(staged).toBeGreaterThan(0);
    expect(cp.linesApplied).toBeGreaterThan(0);
    expect(cp.linesApplied).toBeLessThan(t.manifest.passwordLines + FILLER_LINES);

    const second = await runMerge([wsFile, 'passwords', pgpFile, t.files.privateKey], {
      A2W_RESUME_JOB: jobId,
    });
    expect(second.settled?.state, JSON.stringify(second.settled?.error)).toBe('completed');

    const ws = openWorkspaceWithKey(wsFile, t.tw.dataKey);
    try {
      const users = new Set(t.tenant.users.map((u) => u.user_id));
      const expected = new Map<string, string>();
      for (const l of t.tenant.passwords) {
        const owner = lineOwner(l);
        if (users.has(owner) && !expected.has(owner)) expected.set(owner, l.passwordHash);
      }
      const rows = ws.db.prepare('SELECT user_id, hash_enc FROM password_hashes').all() as {
        user_id: string;
        hash_enc: Buffer;
      }[];
      expect(rows.length).toBe(expected.size);
      for (const r of rows) {
        const plain = ws
          .cipher!.decrypt({ table: 'password_hashes', column: 'hash_enc', id: r.user_id }, r.hash_enc)
          .toString();
        expect(plain).toBe(expected.get(r.user_id));
      }
      const run = JSON.parse(
        ws.db
          .prepare("SELECT counts_json FROM password_merge_runs WHERE state = 'committed'")
          .pluck()
          .get() as string,
      );
      expect(run.counts.lines).toBe(t.manifest.passwordLines + FILLER_LINES);
      expect(run.counts.noSuchUser).toBeGreaterThanOrEqual(FILLER_LINES);
      expect(run.counts.duplicates).toBe(t.manifest.duplicatePasswordLines);
    } finally {
      ws.close();
    }
  });

  it('a resumed PGP merge without the key held in memory fails with a clear message and merges nothing', async () => {
    const wsDir = join(t.dir, 'ws-nokey');
    mkdirSync(wsDir);
    const wsFile = join(wsDir, 'nokey.a2w.sqlite');
    writeFileSync(wsFile, readFileSync(t.tw.file));
    const pgpFile = await longPgpFile();
    const first = await runMerge([wsFile, 'passwords', pgpFile, t.files.privateKey], {}, (info, kill) => {
      if (info.state === 'running' && info.done > 0) kill();
    });
    const jobId = first.events.at(-1)!.id;
    expect(first.killed).toBe(true);
    const second = await runMerge([wsFile, 'passwords', pgpFile], { A2W_RESUME_JOB: jobId });
    expect(second.settled?.state).toBe('failed');
    expect(second.settled?.error?.message).toMatch(/no longer held in memory/);
  });
});
