import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import type { WizardStatus } from '../../../src/shared/contract';
import { stepIds, stepTitles } from '../../../src/shared/steps';
import { expect, expectViewing, shot, stepButton, test } from './fixtures';

// The UI flow against the real Electron app: create a workspace, store credentials, quit, start the app again
// and land where the workspace left off; a screenshot of every step on the way.
test('create a workspace, store credentials, quit, reopen and land where it left off', async ({ run }) => {
  const folder = run.folder('local', 'migrations');
  const auth0 = {
    domain: 'acme-test.eu.auth0.com',
    clientId: 'Zt4cLientID_01',
    secret: `canary-auth0-${randomBytes(12).toString('hex')}`,
  };
  const workos = { environment: 'staging', apiKey: `sk_test_canary${randomBytes(12).toString('hex')}` };

  let { app, page } = await run.launch();
  await expectViewing(page, 'Workspace');
  await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');
  await expect(page.locator('nav[aria-label="Migration steps"] button')).toHaveCount(stepIds.length);
  await expect(stepButton(page, 'connect')).toHaveAttribute('data-state', 'locked');
  const info = await invoke(page, 'app.info');
  expect(info.host).toBe('electron');
  // The isolated profile from A2W_USER_DATA_DIR, not the admin's real one (compared by name: macOS's /var is a link).
  expect(info.userDataDir).toContain(basename(run.root));
  await shot(page, 'workspace-empty');

  await test.step('create a workspace by typing its folder', async () => {
    await page.getByRole('textbox', { name: 'Workspace name', exact: true }).fill('Acme staging');
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    const summary = page.getByTestId('workspace-summary');
    await expect(summary).toContainText('Open workspace: Acme staging');
    await expect(summary).toContainText(folder);
    await expect(page.getByTestId('audit-status')).toContainText('chain verified');
    await expect(stepButton(page, 'workspace')).toHaveAttribute('data-state', 'done');
    await shot(page, 'workspace');
  });

  await test.step('store Auth0 and WorkOS credentials', async () => {
    await page.getByRole('button', { name: 'Continue to Connect' }).click();
    await expectViewing(page, 'Connect');
    await page.getByRole('textbox', { name: 'Auth0 domain', exact: true }).fill(auth0.domain);
    await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(auth0.clientId);
    await page.getByRole('textbox', { name: 'Client secret', exact: true }).fill(auth0.secret);
    await page.getByRole('button', { name: 'Save Auth0 connection' }).click();
    await expect(page.getByTestId('auth0-status')).toContainText('secret stored in the OS keychain');
    await expect(page.getByRole('textbox', { name: 'Client secret', exact: true })).toHaveValue('');

    await page.getByRole('textbox', { name: 'Environment label', exact: true }).fill(workos.environment);
    await page.getByRole('textbox', { name: 'API key', exact: true }).fill(workos.apiKey);
    await page.getByRole('button', { name: 'Save WorkOS connection' }).click();
    await expect(page.getByTestId('workos-status')).toContainText('API key stored in the OS keychain');
    await expect(page.getByRole('textbox', { name: 'API key', exact: true })).toHaveValue('');
    await expect(stepButton(page, 'connect')).toHaveAttribute('data-state', 'done');
    await shot(page, 'connect');
  });

  await test.step('the secrets are in the OS keychain, not in the page', async () => {
    const keychain = osKeychain(run.keychainService);
    expect(await keychain.get(accounts.auth0(auth0.domain, auth0.clientId))).toBe(auth0.secret);
    expect(await keychain.get(accounts.workos(workos.environment))).toBe(workos.apiKey);
    const seen = await page.evaluate(() =>
      [
        document.documentElement.outerHTML,
        ...[...document.querySelectorAll('input')].map((i) => i.value),
        JSON.stringify({ ...sessionStorage, ...localStorage }),
      ].join('\n'),
    );
    for (const secret of [auth0.secret, workos.apiKey]) expect(seen).not.toContain(secret);
  });

  await test.step('every later step says why it is not available yet', async () => {
    const status = await invoke(page, 'wizard.status');
    for (const step of status.steps.filter((s) => s.state === 'unavailable')) {
      await stepButton(page, step.id).click();
      await expectViewing(page, stepTitles[step.id]);
      await expect(page.getByTestId('step-unavailable')).toContainText('Not yet available');
      await shot(page, step.id);
    }
  });

  await test.step('quit: nothing on disk holds a secret', async () => {
    await run.quit(app);
    const files = [
      ...readdirSync(folder).map((f) => join(folder, f)),
      ...readdirSync(run.userDataDir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name)),
    ];
    expect(files.some((f) => f.endsWith('.sqlite'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of [auth0.secret, workos.apiKey]) {
        expect(bytes.includes(Buffer.from(secret)), `${file} contains a secret`).toBe(false);
      }
    }
  });

  await test.step('start again: the workspace reopens from the recent list where it left off', async () => {
    ({ app, page } = await run.launch());
    await expectViewing(page, 'Workspace');
    const item = page.getByTestId('recent-item').filter({ hasText: 'Acme staging' });
    await expect(item).toContainText(folder);
    await shot(page, 'workspace-recent');
    await item.getByRole('button', { name: 'Open Acme staging' }).click();
    await expect(page.getByTestId('topbar-workspace')).toContainText('Acme staging');

    const current = (await invoke(page, 'wizard.status')).current;
    expect(current).not.toBe('workspace');
    await expectViewing(page, stepTitles[current]);
    await expect(stepButton(page, 'connect')).toHaveAttribute('data-state', 'done');
    await shot(page, 'reopened');
    if (current !== 'connect') await stepButton(page, 'connect').click();
    await expect(page.getByTestId('auth0-status')).toContainText('secret stored in the OS keychain');
    await expect(page.getByTestId('workos-status')).toContainText('API key stored in the OS keychain');
  });
});

async function invoke(page: Page, name: 'wizard.status'): Promise<WizardStatus>;
async function invoke(page: Page, name: 'app.info'): Promise<{ host: string; userDataDir: string }>;
async function invoke(page: Page, name: 'wizard.status' | 'app.info'): Promise<unknown> {
  const result = await page.evaluate((op) => window.api!.invoke(op, {}), name);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value;
}
