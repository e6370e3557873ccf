import { randomBytes } from 'node:crypto';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import type { WizardStatus } from '../../../src/shared/contract';
import { stepIds, stepTitles } from '../../../src/shared/steps';
import type { Page } from '@playwright/test';
import { expect, expectViewing, shot, stepButton, test } from './fixtures';

// The end-to-end path: create a workspace, store credentials, come back after a restart and land on
// the step the workspace left off at; on the way, a screenshot of every step.
test('create a workspace, store credentials, reopen it and land where it left off', async ({ page, run }) => {
  const harness = await run.start();
  const folder = run.folder('local', 'migrations');
  const auth0 = {
    domain: 'acme-test.eu.auth0.com',
    clientId: 'Zt4cLientID_01',
    secret: `canary-auth0-${randomBytes(12).toString('hex')}`,
  };
  const workos = { environment: 'staging', apiKey: `sk_test_canary${randomBytes(12).toString('hex')}` };
  const unreachable = 'http://127.0.0.1:9';

  // What main sends the page must never contain a secret (sent frames carry them once, by design).
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(String(f.payload))));

  await page.goto(harness.url);
  await expectViewing(page, 'Workspace');
  await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');
  await expect(page.locator('nav[aria-label="Migration steps"] button')).toHaveCount(stepIds.length);
  await expect(stepButton(page, 'connect')).toHaveAttribute('data-state', 'locked');
  await shot(page, 'workspace-empty');

  await test.step('create a workspace by typing its folder', async () => {
    await page.getByRole('textbox', { name: 'Workspace name', exact: true }).fill('Acme staging');
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    const summary = page.getByTestId('workspace-summary');
    await expect(summary).toContainText('Open workspace: Acme staging');
    await expect(summary).toContainText(folder);
    await expect(page.getByTestId('audit-status')).toContainText('chain verified');
    await expect(page.getByTestId('topbar-workspace')).toContainText('Acme staging');
    await expect(stepButton(page, 'workspace')).toHaveAttribute('data-state', 'done');
    await expect(page.getByRole('status')).toHaveText('Workspace Acme staging created.');
    await shot(page, 'workspace');
  });

  await test.step('themes follow the OS', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).not.toBe(light);
    await shot(page, 'workspace-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('store Auth0 and WorkOS credentials', async () => {
    await page.getByRole('button', { name: 'Continue to Connect' }).click();
    await expectViewing(page, 'Connect');
    await expect(page.getByTestId('auth0-status')).toHaveText('Not connected yet.');
    await expect(page.getByTestId('test-state')).toHaveText('Store both connections first.');

    await page.getByRole('textbox', { name: 'Auth0 domain', exact: true }).fill(auth0.domain);
    await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(auth0.clientId);
    await page.getByRole('textbox', { name: 'Client secret', exact: true }).fill(auth0.secret);
    // Saving both sides tests them: a closed loopback port keeps that test on this machine (unreachable host).
    await page.getByTestId('auth0-card').getByText('Advanced: local base URL').click();
    await page.getByRole('textbox', { name: 'Auth0 base URL', exact: true }).fill(unreachable);
    await expect(page.getByRole('textbox', { name: 'Client secret', exact: true })).toHaveAttribute(
      'type',
      'password',
    );
    await page.getByRole('button', { name: 'Save Auth0 connection' }).click();
    await expect(page.getByTestId('auth0-status')).toContainText('secret stored in the OS keychain');
    await expect(page.getByTestId('auth0-status')).toContainText(auth0.domain);
    await expect(page.getByRole('textbox', { name: 'Client secret', exact: true })).toHaveValue('');

    await page.getByRole('textbox', { name: 'Environment label', exact: true }).fill(workos.environment);
    await page.getByRole('textbox', { name: 'API key', exact: true }).fill(workos.apiKey);
    await page.getByTestId('workos-card').getByText('Advanced: local base URL').click();
    await page.getByRole('textbox', { name: 'WorkOS base URL', exact: true }).fill(unreachable);
    await page.getByRole('button', { name: 'Save WorkOS connection' }).click();
    await expect(page.getByTestId('workos-status')).toContainText('API key stored in the OS keychain');
    await expect(page.getByRole('textbox', { name: 'API key', exact: true })).toHaveValue('');
    for (const side of ['test-auth0', 'test-workos']) {
      await expect(page.getByTestId(side)).toHaveAttribute('data-ok', 'false');
      await expect(page.getByTestId(side).locator('.side-error')).toHaveAttribute(
        'data-error-code',
        'network',
      );
    }
    // Whether Connect counts as done is main's call (wizard.status); the stepper shows exactly that.
    await expectStepperMirrorsStatus(page);
    await shot(page, 'connect');
  });

  await test.step('the secrets are in the OS keychain and nowhere in the page', async () => {
    const keychain = osKeychain(run.keychainService);
    expect(await keychain.get(accounts.auth0(auth0.domain, auth0.clientId))).toBe(auth0.secret);
    expect(await keychain.get(accounts.workos(workos.environment))).toBe(workos.apiKey);
    const page_ = await page.evaluate(() => ({
      html: document.documentElement.outerHTML,
      values: [...document.querySelectorAll('input')].map((i) => i.value),
      storage: JSON.stringify({ ...sessionStorage, ...localStorage }),
    }));
    for (const secret of [auth0.secret, workos.apiKey]) {
      expect(page_.html).not.toContain(secret);
      expect(page_.values.join('\n')).not.toContain(secret);
      expect(page_.storage).not.toContain(secret);
      expect(received.join('\n')).not.toContain(secret);
    }
    expect(received.length).toBeGreaterThan(0);
  });

  await test.step('every later step says why it is not available yet', async () => {
    const status = await page.evaluate(() => window.api!.invoke('wizard.status', {}));
    if (!status.ok) throw new Error(status.error.message);
    for (const step of status.value.steps.filter((s) => s.state === 'unavailable')) {
      await stepButton(page, step.id).click();
      await expectViewing(page, stepTitles[step.id]);
      const notice = page.getByTestId('step-unavailable');
      await expect(notice).toContainText('Not yet available');
      await expect(notice).toContainText(step.reason ?? 'not available');
      await shot(page, step.id);
    }
  });

  await test.step('a reload lands on the step the open workspace is at', async () => {
    await page.reload();
    const current = await currentStep(page);
    expect(current).not.toBe('workspace');
    await expectViewing(page, stepTitles[current]);
  });

  await test.step('after a restart, the workspace reopens from the recent list where it left off', async () => {
    const restarted = await run.restart();
    await page.goto(restarted.url);
    await expectViewing(page, 'Workspace');
    await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');
    const item = page.getByTestId('recent-item').filter({ hasText: 'Acme staging' });
    await expect(item).toContainText(folder);
    await shot(page, 'workspace-recent');
    await item.getByRole('button', { name: 'Open Acme staging' }).click();
    // Opening is asynchronous: ask main where the workspace is only once the page shows it open.
    await expect(page.getByTestId('topbar-workspace')).toContainText('Acme staging');

    const current = await currentStep(page);
    expect(current).not.toBe('workspace');
    await expectViewing(page, stepTitles[current]);
    await expect(stepButton(page, 'workspace')).toHaveAttribute('data-state', 'done');
    await expectStepperMirrorsStatus(page);
    await shot(page, 'reopened');
    if (current !== 'connect') await stepButton(page, 'connect').click();
    await expect(page.getByTestId('auth0-status')).toContainText('secret stored in the OS keychain');
    await expect(page.getByTestId('workos-status')).toContainText('API key stored in the OS keychain');
    await expect(page.getByRole('textbox', { name: 'Auth0 domain', exact: true })).toHaveValue(auth0.domain);
  });
});

async function wizardStatus(page: Page): Promise<WizardStatus> {
  const status = await page.evaluate(() => window.api!.invoke('wizard.status', {}));
  if (!status.ok) throw new Error(status.error.message);
  return status.value;
}

async function currentStep(page: Page): Promise<WizardStatus['current']> {
  return (await wizardStatus(page)).current;
}

async function expectStepperMirrorsStatus(page: Page): Promise<void> {
  const status = await wizardStatus(page);
  for (const step of status.steps)
    await expect(stepButton(page, step.id)).toHaveAttribute('data-state', step.state);
}
