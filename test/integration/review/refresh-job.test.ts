import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOperation, createDispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { computeFindings, materializeUserIssues, userRuleCount } from '../../../src/main/review/findings';
import { REVIEW_REFRESH_JOB } from '../../../src/main/review/refresh-job';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { createAppServices, type AppServices } from '../../../src/main/services';
import type { JobInfo } from '../../../src/shared/contract';
import { clearKeychainService, testKeychainService } from '../../harness/keychain';
import { exportedTenant, type Exported } from './setup';

// The review's full refresh runs as a job in a worker thread (a minute at 1M users must not block the app's main
// process): the first visit starts it, its progress arrives as job.progress events, and the result equals the
// findings computed in this thread.

const service = testKeychainService('review-refresh');
let ex: Exported;
let s: AppServices;

beforeAll(async () => {
  ex = await exportedTenant({ users: 250, orgs: 6, seed: 'refresh-job' });
  const ws = ex.open();
  const id = ws.id;
  ws.close();
  await osKeychain(service).set(accounts.workspaceKey(id), ex.tw.dataKey.toString('base64'));
  s = createAppServices({
    userDataDir: join(ex.dir, 'profile'),
    keychain: osKeychain(service),
    host: 'cli',
    workerEntry: join(process.cwd(), 'src/main/jobs/worker.ts'),
  });
  await s.openWorkspace(ex.tw.file);
});

afterAll(async () => {
  await s?.close();
  await clearKeychainService(service);
  ex?.cleanup();
});

describe('review.refresh job', () => {
  it('computes the review in a worker with progress, and the result matches an in-thread computation', async () => {
    const api = createDispatcher(createHandlers(s));
    const events: JobInfo[] = [];
    s.events.on((name, payload) => {
      if (name === 'job.progress' && (payload as JobInfo).kind === REVIEW_REFRESH_JOB)
        events.push(payload as JobInfo);
    });
    const first = await callOperation(api, 'review.summary', {});
    expect(first.computedAt).toBeNull();
    expect(first.refreshing).toMatchObject({ kind: REVIEW_REFRESH_JOB });
    // Asking again joins the running job instead of starting a second one.
    const again = await callOperation(api, 'review.refresh', {});
    expect(again.job.id).toBe(first.refreshing!.id);
    const done = await s.jobs().wait(first.refreshing!.id);
    expect(done.state).toBe('completed');
    // Progress (events, throttled): one step per user rule, then one per user mapped.
    const total = userRuleCount + ex.manifest.users;
    const running = events.filter((e) => e.state === 'running' && e.done > 0);
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((e) => e.total === total)).toBe(true);
    expect(Math.max(...running.map((e) => e.done))).toBeGreaterThan(userRuleCount);
    const seen = running.map((e) => e.done);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    const summary = await callOperation(api, 'review.summary', {});
    expect(summary.computedAt).not.toBeNull();
    expect(summary.refreshing).toBeNull();
    expect(summary.stale).toBe(false);
    expect(summary.outcomes!.create).toBeGreaterThan(0);
    const direct = computeFindings(s.requireWorkspace().db, { materialize: false });
    expect(summary.findings.map((f) => [f.code, f.count]).sort()).toEqual(
      direct.map((f) => [f.code, f.count]).sort(),
    );
    expect(summary.findings.find((f) => f.code === 'blocked_users')!.count).toBe(ex.manifest.blocked);
  });

  it('a refresh stopped after the rules leaves every filter total equal to its rows and to the summary', async () => {
    const api = createDispatcher(createHandlers(s));
    const ws = s.requireWorkspace();
    const one = ws.db
      .prepare('SELECT user_id FROM auth0_users WHERE blocked = 1 LIMIT 1')
      .pluck()
      .get() as string;
    ws.db.prepare('UPDATE auth0_users SET blocked = 0 WHERE user_id = ?').run(one);
    materializeUserIssues(ws.db); // the rules alone, as a pause after them would leave it
    const page = await callOperation(api, 'review.users', { filter: 'blocked_users', limit: 500 });
    expect(page.rows).toHaveLength(ex.manifest.blocked - 1);
    expect(page.total).toBe(ex.manifest.blocked - 1);
    const summary = await callOperation(api, 'review.summary', {});
    expect(summary.findings.find((f) => f.code === 'blocked_users')!.count).toBe(ex.manifest.blocked - 1);
  });
});
