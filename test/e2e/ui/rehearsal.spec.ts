import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { AUTH0_SANDBOX_SCOPES, startAuth0Sandbox } from '../../../src/main/sandbox/auth0/server';
import { generateTenant } from '../../../src/main/sandbox/generator';
import { startWorkosSandbox } from '../../../src/main/sandbox/workos';
import type { Harness } from '../../harness/server';
import { expect, expectViewing, shot, stepButton, test, type UiRun } from './fixtures';

// Rehearsal mode end to end: from an empty app, start the local sandboxes on a generated tenant, land on a green
// Connect step, and get the sandboxes back after the workspace is closed and reopened. Then the Connect step's
// failures against real sandboxes: a wrong secret, a refused base URL, missing scopes.

// Sandbox start-up generates an RSA-4096 key for the support files: seconds on a fast machine, more on CI.
const START_TIMEOUT = 90_000;
test.setTimeout(240_000);

async function startRehearsal(page: Page, run: UiRun, name: string): Promise<string> {
  const folder = run.folder('local', 'rehearsals');
  const form = page.getByTestId('rehearsal-start');
  await form.getByRole('textbox', { name: 'Rehearsal name', exact: true }).fill(name);
  await form.getByRole('textbox', { name: 'Users', exact: true }).fill('200');
  await form.getByRole('textbox', { name: 'Organizations', exact: true }).fill('5');
  await form.getByRole('textbox', { name: 'Seed (optional)', exact: true }).fill('ui-rehearsal');
  await form.getByRole('textbox', { name: 'Rehearsal folder', exact: true }).fill(folder);
  await form.getByRole('button', { name: 'Start a rehearsal' }).click();
  return folder;
}

/** Rehearsal start-up is slow (key generation): wait for it before the usual ten-second expectations. */
async function expectLandedOnConnect(page: Page): Promise<void> {
  await expect(page.getByTestId('topbar-rehearsal')).toBeVisible({ timeout: START_TIMEOUT });
  await expectViewing(page, 'Connect');
}

async function expectGreen(page: Page): Promise<void> {
  const auth0 = page.getByTestId('test-auth0');
  const workos = page.getByTestId('test-workos');
  await expect(auth0).toHaveAttribute('data-ok', 'true', { timeout: START_TIMEOUT });
  await expect(auth0).toContainText('Auth0: OK');
  await expect(auth0).toContainText(`${AUTH0_SANDBOX_SCOPES.length} scopes granted`);
  await expect(workos).toHaveAttribute('data-ok', 'true');
  await expect(workos).toContainText('WorkOS: OK');
  await expect(workos).toContainText('rehearsal sandbox');
  await expect(page.getByTestId('missing-scopes')).toHaveCount(0);
  await expect(stepButton(page, 'connect')).toHaveAttribute('data-state', 'done');
}

function sandboxes(harness: Harness) {
  const running = harness.services.rehearsal.running();
  if (!running) throw new Error('The rehearsal sandboxes are not running.');
  return running;
}

test('rehearsal mode: from an empty app to a green Connect step, and back after reopening', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(String(f.payload))));

  await page.goto(harness.url);
  await expectViewing(page, 'Workspace');
  await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');
  await expect(page.getByTestId('rehearsal-banner')).toHaveCount(0);
  // Untouched, the rehearsal folder is the app's default workspace folder.
  await expect(
    page.getByTestId('rehearsal-start').getByRole('textbox', { name: 'Rehearsal folder', exact: true }),
  ).toHaveValue(harness.services.defaultFolder());

  const folder = await test.step('start a rehearsal', async () => {
    const chosen = await startRehearsal(page, run, 'UI rehearsal');
    await expect(page.getByTestId('rehearsal-progress')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start a rehearsal' })).toBeDisabled();
    await shot(page, 'rehearsal-starting');
    return chosen;
  });

  await test.step('the Connect step is filled in, tested and green', async () => {
    await expectLandedOnConnect(page);
    await expectGreen(page);
    const banner = page.getByTestId('rehearsal-banner');
    await expect(banner).toContainText('REHEARSAL');
    await expect(banner.getByTestId('rehearsal-state')).toContainText(
      'Sandboxes running (200 users, 5 orgs)',
    );
    await expect(page.getByTestId('topbar-rehearsal')).toHaveText('REHEARSAL');
    await expect(page.getByTestId('topbar-workspace')).toContainText('UI rehearsal');

    const running = sandboxes(harness);
    await expect(page.getByTestId('sandbox-auth0-url')).toHaveText(running.auth0.baseUrl);
    await expect(page.getByTestId('sandbox-workos-url')).toHaveText(running.workos.baseUrl);
    await expect(page.getByTestId('auth0-status')).toContainText(running.auth0.domain);
    await expect(page.getByTestId('auth0-status')).toContainText(`${running.auth0.baseUrl} (local override)`);
    await expect(page.getByTestId('workos-status')).toContainText(
      `${running.workos.baseUrl} (local override)`,
    );

    // The support files exist where the panel says, inside the chosen folder.
    const files = page.getByTestId('support-files');
    const pgp = running.files?.passwordsPgp;
    expect(pgp && existsSync(pgp)).toBeTruthy();
    expect(pgp?.startsWith(folder)).toBe(true);
    await expect(files.locator('[data-file="passwordsPgp"] dd')).toHaveText(pgp as string);
    await expect(files).toContainText('PGP private key');

    // The sandbox secrets stay in main and the keychain.
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    for (const secret of [running.auth0.clientSecret, running.workos.apiKey]) {
      expect(html).not.toContain(secret);
      expect(received.join('\n')).not.toContain(secret);
    }
    await shot(page, 'rehearsal-connect');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'rehearsal-connect-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('the label stays on every step', async () => {
    await stepButton(page, 'workspace').click();
    await expectViewing(page, 'Workspace');
    await expect(page.getByTestId('rehearsal-banner')).toBeVisible();
    await expect(page.getByTestId('workspace-summary')).toContainText('rehearsal (local sandboxes)');
    await shot(page, 'rehearsal-workspace');
  });

  await test.step('closing the workspace stops its sandboxes', async () => {
    await page.getByRole('button', { name: 'Close workspace' }).click();
    await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');
    await expect(page.getByTestId('rehearsal-banner')).toHaveCount(0);
    expect(harness.services.rehearsal.running()).toBeNull();
  });

  await test.step('reopened from the recent list, the sandboxes restart on request', async () => {
    const item = page.getByTestId('recent-item').filter({ hasText: 'UI rehearsal' });
    await item.getByRole('button', { name: 'Open UI rehearsal' }).click();
    await expect(page.getByTestId('topbar-rehearsal')).toBeVisible();
    const banner = page.getByTestId('rehearsal-banner');
    await expect(banner.getByTestId('rehearsal-state')).toHaveText('Sandboxes not running');
    await stepButton(page, 'connect').click();
    await expectViewing(page, 'Connect');
    // No test runs against stopped sandboxes; the card says why.
    await expect(page.getByTestId('test-state')).toHaveText(
      'The rehearsal sandboxes are not running: restart them first.',
    );
    await expect(page.getByRole('button', { name: 'Test connections' })).toBeDisabled();
    await shot(page, 'rehearsal-reopened');

    await banner.getByRole('button', { name: 'Restart the sandboxes' }).click();
    await expect(banner.getByTestId('rehearsal-state')).toContainText('Sandboxes running', {
      timeout: START_TIMEOUT,
    });
    await expectGreen(page);
    // Same tenant (same seed), new ports: the stored settings follow them.
    const running = sandboxes(harness);
    await expect(page.getByTestId('sandbox-auth0-url')).toHaveText(running.auth0.baseUrl);
    await expect(page.getByTestId('auth0-status')).toContainText(`${running.auth0.baseUrl} (local override)`);
    await shot(page, 'rehearsal-restarted');

    // And an explicit test again, from the button.
    await page.getByRole('button', { name: 'Test connections' }).click();
    await expectGreen(page);
    await expect(page.getByRole('status')).toHaveText('Connection test: Auth0 OK, WorkOS OK.');
  });

  await test.step('the stop button stops the sandboxes', async () => {
    await page.getByTestId('rehearsal-banner').getByRole('button', { name: 'Stop the sandboxes' }).click();
    await expect(page.getByTestId('rehearsal-state')).toHaveText('Sandboxes not running');
    await expect(page.getByRole('status')).toHaveText('The rehearsal sandboxes are stopped.');
    expect(harness.services.rehearsal.running()).toBeNull();
  });
});

test('Connect step against the sandboxes: wrong secret, refused base URL, missing scopes, production key', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  await page.goto(harness.url);
  await startRehearsal(page, run, 'Failures');
  await expectLandedOnConnect(page);
  await expectGreen(page);

  await test.step('a wrong Auth0 secret fails the test with credentials_invalid', async () => {
    const card = page.getByTestId('auth0-card');
    await card
      .getByRole('textbox', { name: 'Client secret', exact: true })
      .fill(`wrong-${randomBytes(16).toString('hex')}`);
    await card.getByRole('button', { name: 'Save Auth0 connection' }).click();
    // Saving both sides tests them again on its own.
    const auth0 = page.getByTestId('test-auth0');
    await expect(auth0).toHaveAttribute('data-ok', 'false');
    await expect(auth0).toContainText('Auth0: failed');
    await expect(auth0.locator('.side-error')).toHaveAttribute('data-error-code', 'credentials_invalid');
    await expect(page.getByTestId('test-workos')).toHaveAttribute('data-ok', 'true');
    await expect(stepButton(page, 'connect')).not.toHaveAttribute('data-state', 'done');
    await shot(page, 'rehearsal-wrong-secret');
  });

  await test.step('a base URL that is not this machine is refused', async () => {
    const card = page.getByTestId('workos-card');
    // Open already: a stored override is never hidden.
    await expect(card.getByRole('textbox', { name: 'WorkOS base URL', exact: true })).toBeVisible();
    await card.getByRole('textbox', { name: 'WorkOS base URL', exact: true }).fill('https://api.example.com');
    await card.getByRole('button', { name: 'Save WorkOS connection' }).click();
    const error = card.getByRole('alert');
    await expect(error).toHaveAttribute('data-error-code', 'not_loopback');
    await expect(error).toContainText('accepted only for this machine');
    // The stored override is unchanged.
    await expect(page.getByTestId('workos-status')).toContainText(
      `${sandboxes(harness).workos.baseUrl} (local override)`,
    );
    await shot(page, 'rehearsal-refused-base-url');
  });

  await test.step('an application without some scopes: each missing one named with its use', async () => {
    // A second Auth0 sandbox whose only client lacks one required and one optional scope.
    const limited = AUTH0_SANDBOX_SCOPES.filter((s) => s !== 'read:roles' && s !== 'read:actions');
    const client = {
      clientId: `limited${randomBytes(6).toString('hex')}`,
      clientSecret: randomBytes(24).toString('base64url'),
      scopes: [...limited],
    };
    const sandbox = await startAuth0Sandbox({
      tenant: generateTenant({ users: 20, orgs: 2, seed: 'ui-scopes' }),
      clients: [client],
    });
    try {
      const card = page.getByTestId('auth0-card');
      await card.getByRole('textbox', { name: 'Auth0 domain', exact: true }).fill(sandbox.domain);
      await card.getByRole('textbox', { name: 'Client ID', exact: true }).fill(client.clientId);
      await card.getByRole('textbox', { name: 'Client secret', exact: true }).fill(client.clientSecret);
      await card.getByRole('textbox', { name: 'Auth0 base URL', exact: true }).fill(sandbox.baseUrl);
      await card.getByRole('button', { name: 'Save Auth0 connection' }).click();

      const auth0 = page.getByTestId('test-auth0');
      await expect(auth0).toHaveAttribute('data-ok', 'false');
      await expect(auth0).toContainText(`${limited.length} scopes granted`);
      const required = page.getByTestId('missing-scopes');
      await expect(required.locator('li')).toHaveCount(1);
      await expect(required.locator('[data-scope="read:roles"]')).toContainText(
        'needed for listing role definitions',
      );
      const optional = page.getByTestId('missing-optional-scopes');
      await expect(optional.locator('[data-scope="read:actions"]')).toContainText('optional');
      await expect(optional.locator('[data-scope="read:actions"]')).toContainText('Actions');
      await expect(stepButton(page, 'connect')).not.toHaveAttribute('data-state', 'done');
      await shot(page, 'rehearsal-missing-scope');
    } finally {
      await sandbox.close();
    }
  });

  await test.step('a live WorkOS key is flagged as production', async () => {
    // A WorkOS sandbox that answers to a key shaped like a production one.
    const apiKey = `sk_live_${randomBytes(16).toString('hex')}`;
    const sandbox = await startWorkosSandbox({ apiKey });
    try {
      const card = page.getByTestId('workos-card');
      await card.getByRole('textbox', { name: 'Environment label', exact: true }).fill('live-sandbox');
      await card.getByRole('textbox', { name: 'API key', exact: true }).fill(apiKey);
      await card.getByRole('textbox', { name: 'WorkOS base URL', exact: true }).fill(sandbox.baseUrl);
      await card.getByRole('button', { name: 'Save WorkOS connection' }).click();
      const workos = page.getByTestId('test-workos');
      await expect(workos).toHaveAttribute('data-ok', 'true');
      await expect(page.getByTestId('workos-environment')).toHaveText('production');
      await expect(workos.getByTestId('production-key')).toContainText('Production key');
      // The limited Auth0 sandbox is gone: an unreachable host, said as such.
      const auth0 = page.getByTestId('test-auth0');
      await expect(auth0.locator('.side-error')).toHaveAttribute('data-error-code', 'network');
      await expect(auth0).toContainText('unreachable');
      await expect(page.locator('html')).not.toContainText(apiKey);
      await shot(page, 'rehearsal-production-key');
    } finally {
      await sandbox.close();
    }
  });
});
