import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src/shared/contract';
import { generateTenant } from '../../../src/main/sandbox/generator';
import type { Auth0Sandbox } from '../../../src/main/sandbox/auth0/server';
import { Prng } from '../../../src/main/sandbox/common/prng';
import {
  createTestWorkspace,
  credsOf,
  runExport,
  snapshot,
  startSandbox,
  withWorkspace,
  type TestWorkspace,
} from './helpers';

// An export process SIGKILLed at random points (in different entities) and resumed must end with exactly the
// tables an uninterrupted export produces.

const tenant = generateTenant({ users: 1_500, orgs: 40, seed: 'export-kill' });
let dir: string;
let sb: Auth0Sandbox;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-export-kill-'));
  // Latency spreads the run over enough events to kill it in the middle of each entity.
  sb = await startSandbox(tenant, { faults: { latencyMs: 8 } });
});
afterAll(async () => {
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

const PARAMS = (runId: string) => ({
  runId,
  entities: ['roles', 'connections', 'organizations', 'memberships', 'users', 'mfa', 'logic'],
  initialIntervalMs: 0,
  usersBatchSize: 100,
});

/** Runs the export in a child process and SIGKILLs it at the `killAt`-th progress event. */
function runAndKill(tw: TestWorkspace, keyFile: string, params: object, killAt: number): Promise<JobInfo> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/integration/export/run-export.ts', tw.file, JSON.stringify(params)],
    {
      env: { ...process.env, A2W_DATA_KEY_FILE: keyFile, A2W_TEST_AUTH0: JSON.stringify(credsOf(sb)) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    let seen = 0;
    let last: JobInfo | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as { event: string; info?: JobInfo };
      if (parsed.event !== 'job' || !parsed.info) return;
      last = parsed.info;
      if (parsed.info.state === 'running' && ++seen === killAt) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && last) resolve(last);
      else
        reject(
          new Error(
            `run-export ended (code ${code}) before the kill at event ${killAt}: ${stderr.slice(-1500)}`,
          ),
        );
    });
  });
}

describe('export kill and resume', () => {
  it('gives the same tables after SIGKILLs at random points and resume as an uninterrupted run', async () => {
    const reference = await createTestWorkspace(dir, 'reference');
    const events: JobInfo[] = [];
    const ref = await runExport(reference, sb, {
      entities: PARAMS('x').entities,
      onEvent: (i) => events.push(i),
    });
    expect(ref.job.state).toBe('completed');
    const expected = withWorkspace(reference, snapshot);
    const running = events.filter((e) => e.state === 'running').length;
    expect(running).toBeGreaterThan(20);

    const tw = await createTestWorkspace(dir, 'killed');
    const keyFile = join(dir, 'key.bin');
    writeFileSync(keyFile, tw.dataKey, { mode: 0o600 });
    const runId = crypto.randomUUID();
    // Three kills at random points spread over the run (seeded, so a failure can be replayed).
    const seed = `kill-${Date.now() % 1000}`;
    const rng = new Prng(seed);
    const third = Math.floor(running / 4);
    const points = [0, 1, 2].map(() => rng.int(3, Math.max(4, third)));
    const messages: string[] = [];
    // First run: killed; each further kill happens during a resume in a child process of its own.
    const first = await runAndKill(tw, keyFile, PARAMS(runId), points[0]!);
    const jobId = first.id;
    messages.push(first.message ?? '');
    for (const p of points.slice(1)) {
      const info = await resumeAndKill(tw, keyFile, jobId, p);
      messages.push(info.message ?? '');
    }
    const resumed = await runExport(tw, sb, { resumeJobId: jobId });
    expect(resumed.job.state).toBe('completed');
    expect(resumed.runId).toBe(runId);
    withWorkspace(tw, (ws) => {
      expect(snapshot(ws), `kill points ${points.join(',')} (seed ${seed})`).toEqual(expected);
      expect(ws.db.prepare('SELECT state FROM auth0_export_runs WHERE run_id = ?').pluck().get(runId)).toBe(
        'complete',
      );
    });
    // The kills landed in the middle of work, not before it started.
    expect(messages.filter((m) => /\d/.test(m)).length).toBe(3);
  });
});

/** Resumes a job in a child process and kills it at the `killAt`-th progress event of that process. */
function resumeAndKill(tw: TestWorkspace, keyFile: string, jobId: string, killAt: number): Promise<JobInfo> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/integration/export/run-export.ts', tw.file, JSON.stringify({ resume: jobId })],
    {
      env: { ...process.env, A2W_DATA_KEY_FILE: keyFile, A2W_TEST_AUTH0: JSON.stringify(credsOf(sb)) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    let seen = 0;
    let last: JobInfo | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as { event: string; info?: JobInfo };
      if (parsed.event !== 'job' || !parsed.info) return;
      last = parsed.info;
      if (parsed.info.state === 'running' && ++seen === killAt) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && last) resolve(last);
      else
        reject(
          new Error(
            `resumed run-export ended (code ${code}) before the kill at event ${killAt}: ${stderr.slice(-1500)}`,
          ),
        );
    });
  });
}
