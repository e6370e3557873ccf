import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callOperation, createDispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { osKeychain } from '../../../src/main/secrets/keychain';
import { createAppServices } from '../../../src/main/services';

// Rehearsal mode end to end below the UI: the sandboxes start in their own process, the Connect settings point at
// them, the connection test passes with every scope, and a reopened rehearsal workspace gets its sandboxes back
// with the same credentials.
const service = `a2w-test-rehearsal-${randomUUID()}`;
const keychain = osKeychain(service);
const root = mkdtempSync(path.join(tmpdir(), 'a2w-rehearsal-'));
const sandboxEntry = path.resolve(__dirname, '../../../src/main/sandbox/host.ts');

afterAll(async () => {
  for (const a of await keychain.list()) await keychain.delete(a);
  rmSync(root, { recursive: true, force: true });
});

describe('rehearsal mode', () => {
  it('starts the sandboxes, connects, survives a reopen, and stops', async () => {
    const services = createAppServices({
      userDataDir: path.join(root, 'profile'),
      keychain,
      host: 'harness',
      sandboxEntry,
    });
    const dispatch = createDispatcher(createHandlers(services));
    try {
      const started = await callOperation(dispatch, 'rehearsal.start', {
        folder: path.join(root, 'ws'),
        users: 120,
        orgs: 4,
        seed: 'reh-1',
      });
      expect(started.workspace.rehearsal).toBe(true);
      expect(started.status.running).toBe(true);
      expect(started.status.sandboxes?.tenant.users).toBeGreaterThanOrEqual(120);
      // The renderer never receives the sandbox secrets.
      expect(JSON.stringify(started)).not.toMatch(/clientSecret|apiKey|sk_test_/);
      const files = started.status.sandboxes!.files!;
      expect(statSync(files.passwordsPgp!).mode & 0o777).toBe(0o600);
      expect(existsSync(files.passwordsPlain!)).toBe(true);

      const creds = await callOperation(dispatch, 'credentials.status', {});
      expect(creds.auth0).toMatchObject({
        hasSecret: true,
        baseUrl: started.status.sandboxes!.auth0.baseUrl,
      });
      expect(creds.workos).toMatchObject({ environment: 'rehearsal', hasKey: true });
      const test = await callOperation(dispatch, 'credentials.test', {});
      expect(test.auth0).toMatchObject({ ok: true, missing: [] });
      expect(test.workos).toMatchObject({ ok: true, report: { rehearsal: true } });
      const wizard = await callOperation(dispatch, 'wizard.status', {});
      expect(wizard.steps.find((s) => s.id === 'connect')?.state).toBe('done');

      // Stopped sandboxes fail the test with a network error that says what to do.
      await callOperation(dispatch, 'rehearsal.stop', {});
      const down = await callOperation(dispatch, 'credentials.test', {});
      expect(down.auth0.ok).toBe(false);
      expect(down.auth0.error?.code).toBe('network');
      expect(
        (await callOperation(dispatch, 'wizard.status', {})).steps.find((s) => s.id === 'connect')?.state,
      ).not.toBe('done');

      // Reopen and resume: same credentials valid again against new ports.
      const file = started.workspace.path;
      await callOperation(dispatch, 'workspace.close', {});
      await callOperation(dispatch, 'workspace.open', { path: file });
      const resumed = await callOperation(dispatch, 'rehearsal.resume', {});
      expect(resumed.running).toBe(true);
      expect(resumed.settings).toMatchObject({ users: 120, orgs: 4, seed: 'reh-1' });
      const again = await callOperation(dispatch, 'credentials.test', {});
      expect(again.auth0.ok && again.workos.ok).toBe(true);
    } finally {
      await services.close();
    }
    expect(services.rehearsal.running()).toBeNull();
  });

  it('refuses rehearsal.resume on an ordinary workspace', async () => {
    const services = createAppServices({
      userDataDir: path.join(root, 'profile2'),
      keychain,
      host: 'harness',
      sandboxEntry,
    });
    const dispatch = createDispatcher(createHandlers(services));
    try {
      await callOperation(dispatch, 'workspace.create', { folder: path.join(root, 'plain'), name: 'Plain' });
      await expect(callOperation(dispatch, 'rehearsal.resume', {})).rejects.toMatchObject({
        code: 'not_available',
      });
    } finally {
      await services.close();
    }
  });
});
