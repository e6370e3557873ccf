import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src/shared/contract';
import { JobRunner } from '../../../src/main/jobs/runner';
import { openWorkspaceWithKey } from '../../../src/main/workspace';
import { createTestWorkspace, numbersSummary } from './helpers';

// THE kill test: a separate process runs selftest.count and is SIGKILLed midway. Reopening the workspace must find
// the job interrupted with a checkpoint that matches the table exactly, and resume must finish 1..N with no gap and
// no duplicate.

const workerEntry = resolve('src/main/jobs/worker.ts');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-kill-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Killed {
  jobId: string;
  lastSeen: JobInfo;
}

/** Starts run-job.ts, SIGKILLs it once it reports at least `killAt` items, resolves after it died. */
function runAndKill(file: string, keyFile: string | null, params: object, killAt: number): Promise<Killed> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/harness/run-job.ts', file, 'selftest.count', JSON.stringify(params)],
    {
      env: { ...process.env, ...(keyFile ? { A2W_DATA_KEY_FILE: keyFile } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    let lastSeen: JobInfo | null = null;
    let killed = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as { event: string; info?: JobInfo };
      if (parsed.event !== 'job' || !parsed.info) return;
      lastSeen = parsed.info;
      if (!killed && parsed.info.state === 'running' && parsed.info.done >= killAt) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && lastSeen) resolvePromise({ jobId: lastSeen.id, lastSeen });
      else
        reject(
          new Error(
            `run-job exited (code ${code}, signal ${signal}) before the kill: ${stderr.slice(-2000)}`,
          ),
        );
    });
  });
}

describe('kill -9 in the middle of a job, then resume', () => {
  const cases = [
    { name: 'early, between small steps', params: { to: 300, rowsPerStep: 3, delayMs: 15 }, killAt: 30 },
    { name: 'halfway, between small steps', params: { to: 300, rowsPerStep: 3, delayMs: 15 }, killAt: 150 },
    // No delay between steps of 200 000 rows: when the first progress arrives the worker is already inside the next
    // transaction, so the kill lands mid-transaction and that step must roll back entirely.
    {
      name: 'inside a large transaction',
      params: { to: 1_000_000, rowsPerStep: 200_000, delayMs: 0 },
      killAt: 200_000,
    },
  ];

  for (const [index, c] of cases.entries()) {
    it(`resumes exactly once per number after a kill ${c.name}`, async () => {
      const created = await createTestWorkspace(join(dir, `case-${index}`));
      let keyFile: string | null = null;
      if (created.dataKey) {
        keyFile = join(dir, `case-${index}.key`);
        writeFileSync(keyFile, created.dataKey, { mode: 0o600 });
      }
      const N = c.params.to;
      const killed = await runAndKill(created.file, keyFile, c.params, c.killAt);

      const workspace = openWorkspaceWithKey(created.file, created.dataKey);
      try {
        // Killed midway: some numbers exist, not all, and the saved checkpoint covers exactly what is in the table.
        const afterKill = numbersSummary(workspace);
        // Progress is only reported after its transaction commits, so everything seen before the kill is in the table.
        expect(afterKill.count).toBeGreaterThanOrEqual(c.killAt);
        expect(afterKill.count).toBeLessThan(N);
        expect(afterKill.count % c.params.rowsPerStep).toBe(0);
        const row = workspace.db
          .prepare('SELECT state, done, checkpoint_json FROM jobs WHERE id = ?')
          .get(killed.jobId) as {
          state: string;
          done: number;
          checkpoint_json: string;
        };
        expect(row.state).toBe('running');
        expect(JSON.parse(row.checkpoint_json)).toEqual({ last: afterKill.count });
        expect(row.done).toBe(afterKill.count);
        expect(afterKill).toEqual({ count: afterKill.count, min: 1, max: afterKill.count });

        const events: JobInfo[] = [];
        const runner = new JobRunner({ workspace, workerEntry, onEvent: (info) => events.push(info) });
        const recovered = runner.recoverInterrupted();
        expect(recovered).toHaveLength(1);
        expect(recovered[0]).toMatchObject({
          id: killed.jobId,
          state: 'interrupted',
          done: afterKill.count,
          total: N,
        });
        expect(runner.recoverInterrupted()).toEqual([]);

        await runner.resume(killed.jobId);
        const final = await runner.wait(killed.jobId);
        await runner.close();
        expect(final).toMatchObject({ state: 'completed', done: N, total: N });
        expect(numbersSummary(workspace)).toEqual({ count: N, min: 1, max: N });
        // The resumed run started where the checkpoint said, not at 0.
        expect(events.find((e) => e.state === 'running')?.done).toBe(afterKill.count);
      } finally {
        workspace.close();
      }
    });
  }
});
