import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { expect, expectViewing, shot, stepButton, test } from './fixtures';

const textbox = (page: import('@playwright/test').Page, name: string) =>
  page.getByRole('textbox', { name, exact: true });

test('a workspace in a cloud-sync folder is refused with the reason and what to do', async ({
  page,
  run,
}) => {
  // The run's fake home has a Dropbox folder; the location guard judges sync roots against that home.
  const dropbox = run.folder('home', 'Dropbox', 'migrations');
  const harness = await run.start();
  await page.goto(harness.url);

  await textbox(page, 'Workspace name').fill('In Dropbox');
  await textbox(page, 'Folder').fill(dropbox);
  await page.getByRole('button', { name: 'Create workspace' }).click();

  const alert = page.getByRole('alert');
  await expect(alert).toHaveAttribute('data-error-code', 'location_refused');
  await expect(alert).toContainText('inside a Dropbox folder');
  await expect(alert).toContainText("Choose a folder on this computer's own disk that no sync app watches");
  await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');
  expect(readdirSync(dropbox)).toEqual([]);
  await shot(page, 'workspace-refused');

  // Dismissing the banner clears it; a local folder then works.
  await alert.getByRole('button', { name: 'Dismiss error' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await textbox(page, 'Folder').fill(run.folder('local'));
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('workspace-summary')).toContainText('In Dropbox');
});

test('opening a file that is not there says so, and Browse fills the fields from the dialogs', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  await page.goto(harness.url);

  await textbox(page, 'Workspace file').fill(join(run.root, 'nowhere.a2w.sqlite'));
  await page.getByRole('button', { name: 'Open workspace' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible();
  await expect(alert).toHaveAttribute('data-error-code', 'not_found');
  await expect(alert).toContainText('nowhere.a2w.sqlite');
  await shot(page, 'workspace-open-error');

  // A cancelled folder dialog changes nothing; a chosen folder fills the field.
  const before = await textbox(page, 'Folder').inputValue();
  harness.dialogs.folder = null;
  await page.getByRole('button', { name: 'Browse for a folder' }).click();
  await expect(textbox(page, 'Folder')).toHaveValue(before);
  const picked = run.folder('picked');
  harness.dialogs.folder = picked;
  await page.getByRole('button', { name: 'Browse for a folder' }).click();
  await expect(textbox(page, 'Folder')).toHaveValue(picked);

  await textbox(page, 'Workspace name').fill('Picked');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('workspace-summary')).toContainText(picked);
  const file = join(picked, readdirSync(picked).find((f) => f.endsWith('.sqlite')) ?? 'missing');
  expect(existsSync(file)).toBe(true);

  harness.dialogs.file = file;
  await page.getByRole('button', { name: 'Browse for a workspace file' }).click();
  await expect(textbox(page, 'Workspace file')).toHaveValue(file);
});

test('the recent list shows a missing workspace file and forgets it on request', async ({ page, run }) => {
  const harness = await run.start();
  await page.goto(harness.url);
  const folder = run.folder('local');
  await textbox(page, 'Workspace name').fill('Short lived');
  await textbox(page, 'Folder').fill(folder);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('workspace-summary')).toBeVisible();
  await page.getByRole('button', { name: 'Close workspace' }).click();
  await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');

  for (const f of readdirSync(folder)) rmSync(join(folder, f));
  await page.reload();
  await expectViewing(page, 'Workspace');
  const item = page.getByTestId('recent-item').filter({ hasText: 'Short lived' });
  await expect(item).toContainText('file missing');
  await expect(item.getByRole('button', { name: 'Open Short lived' })).toBeDisabled();
  await shot(page, 'workspace-recent-missing');
  await item.getByRole('button', { name: 'Forget Short lived' }).click();
  await expect(page.getByTestId('recent-item')).toHaveCount(0);
  await expect(page.getByText('No workspace opened on this machine yet.')).toBeVisible();
});

test('a workspace whose data key is missing from the keychain opens read-only and says so', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  await page.goto(harness.url);
  await textbox(page, 'Workspace name').fill('Keyless');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('workspace-summary')).toBeVisible();
  const current = await page.evaluate(() => window.api!.invoke('workspace.current', {}));
  if (!current.ok || !current.value) throw new Error('no current workspace');
  await page.getByRole('button', { name: 'Close workspace' }).click();
  await expect(page.getByTestId('topbar-workspace')).toHaveText('No workspace open');

  // As on another machine: the file is here, its data key is not.
  expect(await osKeychain(run.keychainService).delete(accounts.workspaceKey(current.value.id))).toBe(true);
  await page.getByRole('button', { name: 'Open Keyless' }).click();
  await expect(page.getByTestId('topbar-workspace')).toContainText('(read-only)');
  await stepButton(page, 'workspace').click();
  const summary = page.getByTestId('workspace-summary');
  await expect(summary).toContainText('Read-only');
  await expect(summary).toContainText('Secrets unavailable');
  await expect(summary).toContainText('data key missing on this machine');
  await shot(page, 'workspace-read-only');

  // Saving credentials into a read-only workspace is refused with main's reason.
  await stepButton(page, 'connect').click();
  await textbox(page, 'Environment label').fill('staging');
  await textbox(page, 'API key').fill('sk_test_unused');
  await page.getByRole('button', { name: 'Save WorkOS connection' }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-error-code', 'workspace_read_only');
  expect(await osKeychain(run.keychainService).get(accounts.workos('staging'))).toBeNull();
});
