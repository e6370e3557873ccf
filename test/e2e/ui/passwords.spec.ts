import { existsSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { Harness } from '../../harness/server';
import { expect, expectViewing, shot, stepButton, test } from './fixtures';

// The Passwords step in rehearsal mode: start the sandboxes, run the real export, then merge Auth0 support's
// PGP-encrypted hash file with the generated key and passphrase, read the result and the lists, merge the MFA
// secrets, and finally merge the decrypted copy and remove it securely. No hash or passphrase may reach the page.

test.setTimeout(300_000);

function files(harness: Harness) {
  const running = harness.services.rehearsal.running();
  if (!running?.files) throw new Error('The rehearsal sandboxes are not running.');
  return running.files;
}

async function fillMerge(page: Page, file: string, key?: { file: string; passphrase: string }) {
  await page.getByRole('textbox', { name: 'File', exact: true }).fill(file);
  await page.getByRole('textbox', { name: 'File', exact: true }).blur();
  await expect(page.getByTestId('file-format')).toBeVisible();
  if (key) {
    await page.getByRole('textbox', { name: 'Private key file', exact: true }).fill(key.file);
    await page.getByLabel('Passphrase', { exact: true }).fill(key.passphrase);
  }
  await page.getByRole('button', { name: 'Merge', exact: true }).click();
}

test('Passwords step: merge the PGP hash file and the MFA secrets in rehearsal mode', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(String(f.payload))));
  await page.goto(harness.url);

  await test.step('rehearsal and export', async () => {
    const form = page.getByTestId('rehearsal-start');
    await form.getByRole('textbox', { name: 'Rehearsal name', exact: true }).fill('Passwords rehearsal');
    await form.getByRole('textbox', { name: 'Users', exact: true }).fill('300');
    await form.getByRole('textbox', { name: 'Organizations', exact: true }).fill('5');
    await form.getByRole('textbox', { name: 'Seed (optional)', exact: true }).fill('ui-passwords');
    await form
      .getByRole('textbox', { name: 'Rehearsal folder', exact: true })
      .fill(run.folder('local', 'rehearsals'));
    await form.getByRole('button', { name: 'Start a rehearsal' }).click();
    await expect(page.getByTestId('test-auth0')).toHaveAttribute('data-ok', 'true', { timeout: 120_000 });
    await stepButton(page, 'export').click();
    await expectViewing(page, 'Export');
    await page.getByRole('button', { name: 'Start export' }).click();
    await expect(stepButton(page, 'export')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  });

  const f = files(harness);
  const passphrase = readFileSync(f.passphraseFile, 'utf8').trim();
  const hashes = readFileSync(f.passwordsPlain, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { passwordHash: string }).passwordHash);

  await test.step('the step explains how to get the file and the key', async () => {
    await stepButton(page, 'passwords').click();
    await expectViewing(page, 'Passwords');
    await page.getByText('How to create the RSA-4096 key pair').click();
    await expect(page.locator('.passwords-code')).toContainText('gpg --full-generate-key');
    await shot(page, 'passwords-empty');
  });

  await test.step('a wrong passphrase is refused with a clear message', async () => {
    await fillMerge(page, f.passwordsPgp, { file: f.privateKey, passphrase: 'not the passphrase' });
    await expect(page.getByTestId('merge-state')).toContainText('failed', { timeout: 60_000 });
    await expect(page.getByRole('alert').filter({ hasText: 'passphrase does not unlock' })).toBeVisible();
    await shot(page, 'passwords-wrong-passphrase');
  });

  await test.step('the PGP file merges: counts per outcome and per algorithm', async () => {
    await fillMerge(page, f.passwordsPgp, { file: f.privateKey, passphrase });
    await expect(page.getByTestId('merge-state')).toContainText('completed', { timeout: 120_000 });
    await expect(page.getByLabel('Passphrase', { exact: true })).toHaveValue('');
    const outcomes = page.getByTestId('merge-outcomes');
    await expect(outcomes).toContainText('Matched');
    await expect(page.getByTestId('merge-algorithms')).toContainText('bcrypt');
    await expect(stepButton(page, 'passwords')).toHaveAttribute('data-state', 'done');
    await shot(page, 'passwords-result');
  });

  await test.step('lists are paged and searchable', async () => {
    await page.getByRole('combobox', { name: 'List' }).selectOption('blocked');
    const table = page.getByRole('table', { name: 'Blocked users' });
    await expect(table).toBeVisible();
    const firstUser = (await table.locator('tbody tr td.mono').first().textContent())!.trim();
    await page.getByRole('searchbox', { name: 'Search' }).fill(firstUser);
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.getByRole('combobox', { name: 'List' }).selectOption('unmatched');
    await shot(page, 'passwords-lists');
  });

  await test.step('MFA secrets', async () => {
    await page.getByRole('button', { name: 'MFA secrets' }).click();
    await fillMerge(page, f.mfaSecretsPgp, { file: f.privateKey, passphrase });
    await expect(page.getByTestId('merge-state')).toContainText('completed', { timeout: 120_000 });
    await expect(page.getByTestId('merge-outcomes')).toContainText('Users to re-enrol');
    await page.getByRole('combobox', { name: 'List' }).selectOption('reenrol');
    await expect(page.getByRole('table', { name: 'Users to re-enrol' })).toBeVisible();
    await shot(page, 'passwords-mfa');
  });

  await test.step('a decrypted copy merges too and can be removed securely', async () => {
    await page.getByRole('button', { name: 'Password hashes' }).click();
    await fillMerge(page, f.passwordsPlain);
    await expect(page.getByTestId('merge-state')).toContainText('completed', { timeout: 120_000 });
    await page.getByRole('button', { name: 'Overwrite and delete the decrypted file' }).click();
    await expect(page.getByText(/Removed \(\d+ bytes overwritten\)/)).toBeVisible();
    await expect(page.getByText(/copy-on-write/).first()).toBeVisible();
    expect(existsSync(f.passwordsPlain)).toBe(false);
    await shot(page, 'passwords-removed');
  });

  await test.step('no hash and no passphrase ever reached the page', async () => {
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    const frames = received.join('\n');
    for (const h of hashes.slice(0, 200)) {
      expect(html).not.toContain(h);
      expect(frames).not.toContain(h);
    }
    expect(frames).not.toContain(passphrase);
    expect(html).not.toContain(passphrase);
  });
});
