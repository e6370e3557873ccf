import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOperation, createDispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { wizardStatus } from '../../../src/main/wizard';
import { generateTenant } from '../../../src/main/sandbox/generator';
import type { Auth0Sandbox } from '../../../src/main/sandbox/auth0/server';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { createAppServices, type AppServices } from '../../../src/main/services';
import { startSandbox, workerEntry } from './helpers';

// The export through the contract, as the Export step and the CLI drive it: credentials from the real OS keychain
// handed to the worker thread, export.start, pause and resume, export.status with the completeness table.

const tenant = generateTenant({ users: 800, orgs: 30, seed: 'export-api' });
let dir: string;
let sb: Auth0Sandbox;
let s: AppServices;
const keychain = osKeychain('com.auth0-to-workos.assistant.test-export-api');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-export-api-'));
  sb = await startSandbox(tenant, { faults: { latencyMs: 15 } });
  s = createAppServices({ userDataDir: join(dir, 'data'), keychain, host: 'harness', workerEntry });
});
afterAll(async () => {
  const ws = s?.workspace();
  if (ws) {
    await s.credentials.delete(ws, 'auth0').catch(() => undefined);
    await keychain.delete(accounts.workspaceKey(ws.id)).catch(() => undefined);
  }
  await s?.close();
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('export operations', () => {
  it('starts, pauses, resumes and reports completeness through the contract', async () => {
    const dispatch = createDispatcher(createHandlers(s));
    await callOperation(dispatch, 'workspace.create', { folder: join(dir, 'ws'), name: 'api export' });
    const none = await callOperation(dispatch, 'export.status', {});
    expect(none.run).toBeNull();
    await callOperation(dispatch, 'credentials.setAuth0', {
      domain: sb.domain,
      clientId: sb.clientId,
      clientSecret: sb.clientSecret,
      baseUrl: sb.baseUrl,
    });

    const messages: string[] = [];
    const offMessages = s.events.on((name, payload) => {
      if (name === 'job.progress') messages.push((payload as { message?: string }).message ?? '');
    });
    const started = await callOperation(dispatch, 'export.start', {});
    expect(started.run?.state).toBe('running');
    expect(started.entities.map((e) => e.entity)).toEqual([
      'roles',
      'connections',
      'organizations',
      'memberships',
      'users',
      'mfa',
      'logic',
    ]);
    const jobId = started.run!.jobId!;
    await expect(callOperation(dispatch, 'export.start', {})).rejects.toMatchObject({ code: 'job_conflict' });

    // Pause once some entity is under way, check the status, then resume.
    await new Promise<void>((resolve) => {
      const off = s.events.on((name, payload) => {
        if (name === 'job.progress' && (payload as { done: number }).done > 5) {
          off();
          resolve();
        }
      });
    });
    // Pause while a request is in flight: slow the sandbox down and wait until a request has arrived. The pause
    // must end that request at once (not after the SDK's 60 s timeout) and record a pause, not a network failure.
    sb.setFaults({ latencyMs: 20_000 });
    const arrived = sb.stats().faults.delayed;
    while (sb.stats().faults.delayed === arrived) await new Promise((r) => setTimeout(r, 5));
    const pauseAsked = performance.now();
    const pausedJob = await callOperation(dispatch, 'jobs.pause', { id: jobId });
    expect(performance.now() - pauseAsked).toBeLessThan(2000);
    expect(pausedJob.state).toBe('paused');
    sb.setFaults({ latencyMs: 15 });
    const runRow = s.requireWorkspace().db.prepare('SELECT state, error_json FROM auth0_export_runs').get();
    expect(runRow).toEqual({ state: 'running', error_json: null });
    const paused = await callOperation(dispatch, 'export.status', {});
    expect(paused.run?.state).toBe('paused');
    expect(paused.run?.error).toBeUndefined();
    expect(paused.entities.some((e) => e.state === 'running' || e.state === 'done')).toBe(true);

    await callOperation(dispatch, 'jobs.resume', { id: jobId });
    const done = await s.jobs().wait(jobId);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('completed');
    offMessages();
    // Said before the merge's synchronous work (seconds at a million users), not left at the last count.
    expect(messages).toContain(`Users (5 of 7): merging ${tenant.users.length} into the workspace`);

    const status = await callOperation(dispatch, 'export.status', {});
    expect(status.run?.state).toBe('complete');
    expect(status.run?.tenantDomain).toBe(sb.domain);
    expect(status.entities.every((e) => e.state === 'done')).toBe(true);
    expect(status.completeness).toHaveLength(7);
    expect(status.completeness.every((c) => c.complete)).toBe(true);
    expect(status.completeness.find((c) => c.entity === 'users')?.exported).toBe(tenant.users.length);
    expect(status.completeness.find((c) => c.entity === 'memberships')?.expected).toBe(tenant.members.length);
    expect(status.lastComplete?.runId).toBe(status.run?.runId);

    const ws = s.requireWorkspace();
    const wizard = wizardStatus(ws, await s.credentials.status(ws));
    expect(wizard.steps.find((st) => st.id === 'export')?.state).toBe('done');
    // The secret never reached the workspace file.
    const rows = ws.db.prepare('SELECT params_json, checkpoint_json FROM jobs').all();
    expect(JSON.stringify(rows)).not.toContain(sb.clientSecret);
  });
});
