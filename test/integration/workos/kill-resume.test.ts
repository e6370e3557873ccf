import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src/shared/contract';
import { Prng } from '../../../src/main/sandbox/common/prng';
import type { WorkosSandbox } from '../../../src/main/sandbox/workos';
import { journalCounts } from '../../../src/main/workos/journal';
import { WORKOS_JOB_KINDS } from '../../../src/main/workos/jobs';
import type { Exported } from '../passwords/setup';
import { apiFor, planDirect, reviewedTenant, sandbox, verifyDirect } from './setup';

// The import runs in a child process that is SIGKILLed at 10+ random moments (after a random number of milliseconds
// of running: during the WorkOS check, journal creation, any phase, with requests in flight); each time the job is
// resumed by a new process. At the end WorkOS must hold exactly the plan: no duplicate, nothing missing, every
// membership with its roles, every password signing in.

let t: Exported;
let sb: WorkosSandbox;
let keyFile: string;

beforeAll(async () => {
  t = await reviewedTenant({ users: 300, orgs: 6, seed: 'workos-kill' });
  // Answers take a little while, so that a run lasts long enough to be killed many times.
  sb = await sandbox({ faults: { latencyMs: 15 }, multipleRolesEnabled: true });
  keyFile = join(t.dir, 'kill.key');
  writeFileSync(keyFile, t.tw.dataKey, { mode: 0o600 });
}, 120_000);
afterAll(async () => {
  await sb?.close();
  t?.cleanup();
});

interface Run {
  killed: boolean;
  last: JobInfo | null;
}

function runImport(params: object, resumeId: string | null, killAfterMs: number | null): Promise<Run> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/integration/workos/run-job.ts',
      t.tw.file,
      WORKOS_JOB_KINDS.import,
      JSON.stringify(params),
      ...(resumeId ? [resumeId] : []),
    ],
    {
      env: {
        ...process.env,
        A2W_DATA_KEY_FILE: keyFile,
        A2W_TEST_WORKOS: JSON.stringify({ environment: 'test', apiKey: sb.apiKey, baseUrl: sb.baseUrl }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    let last: JobInfo | null = null;
    let timer: NodeJS.Timeout | null = null;
    let killed = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as { event: string; info?: JobInfo };
      if (!parsed.info) return;
      last = parsed.info;
      if (killAfterMs !== null && !timer && parsed.info.state === 'running')
        timer = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, killAfterMs);
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL' || code === 0) resolve({ killed: killed && signal === 'SIGKILL', last });
      else reject(new Error(`run-job exited with ${code}: ${stderr.slice(-1500)}`));
    });
  });
}

describe('import killed with SIGKILL at random points, then resumed', () => {
  it('ends with WorkOS holding exactly the plan', async () => {
    const ws = t.open();
    let planId: string;
    try {
      planId = (await planDirect(ws, apiFor(sb), { multipleRoles: true })).planId;
    } finally {
      ws.close();
    }
    const params = { planId, limits: 'none', concurrency: 4 };
    const dice = new Prng('kill-points');
    let jobId: string | null = null;
    let kills = 0;
    for (let i = 0; i < 30 && kills < 12; i++) {
      const run = await runImport(params, jobId, 150 + Math.floor(dice.next() * 700));
      jobId = run.last?.id ?? jobId;
      if (run.killed) kills++;
      else if (run.last?.state === 'completed') break;
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    const final = await runImport(params, jobId, null);
    expect(final.last?.state).toBe('completed');

    const check = t.open();
    try {
      const c = journalCounts(check, planId);
      for (const k of Object.values(c)) {
        expect(k.failed).toBe(0);
        expect(k.pending + k.in_flight).toBe(0);
      }
      const plan = check.db
        .prepare(
          "SELECT kind, count(*) AS n FROM workos_plan_items WHERE plan_id = ? AND action = 'create' GROUP BY kind",
        )
        .all(planId) as { kind: string; n: number }[];
      const planned = Object.fromEntries(plan.map((r) => [r.kind, r.n]));
      const state = sb.state();
      expect(state.users).toHaveLength(planned.user!);
      expect(new Set(state.users.map((u) => u.email.toLowerCase())).size).toBe(state.users.length);
      expect(state.organizations).toHaveLength(planned.organization!);
      expect(new Set(state.organizations.map((o) => o.external_id)).size).toBe(state.organizations.length);
      expect(state.memberships).toHaveLength(planned.membership!);
      expect(state.authFactors).toHaveLength(planned.totp!);
      expect(new Set(state.authFactors.map((f) => f.user_id)).size).toBe(state.authFactors.length);
      expect(state.roles.filter((r) => r.type === 'EnvironmentRole')).toHaveLength(1 + (planned.role ?? 0));
      const v = await verifyDirect(check, apiFor(sb), planId, t, sb.clientId);
      expect(v.counts.mismatches).toBe(0);
      expect(v.counts.passwords.verified).toBe(v.counts.passwords.checked);
      expect(v.counts.passwords.checked).toBeGreaterThan(100);
    } finally {
      check.close();
    }
  });
});
