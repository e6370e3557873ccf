import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { Harness } from '../../harness/server';
import { expect, expectViewing, shot, stepButton, test } from './fixtures';

// The last two steps through the UI in rehearsal mode, after a migration run as in migration.spec.ts: the SSO hand-off
// lists the tenant's enterprise connections, an Admin Portal link is generated through the sandbox after a
// confirmation and shown once, connections without an organization are marked handled; the report shows the
// workspace's numbers and is saved through the save dialog, which completes the wizard.

test.setTimeout(300_000);

const USERS = 120;
const ORGS = 6;
const SLOW = { timeout: 120_000 };
const ENTERPRISE = [
  'samlp',
  'oidc',
  'waad',
  'adfs',
  'okta',
  'google-apps',
  'pingfederate',
  'ad',
  'office365',
  'ip',
];

async function waitForStepDone(page: Page, step: string) {
  await expect(stepButton(page, step)).toHaveAttribute('data-state', 'done', SLOW);
}

function db(harness: Harness) {
  return harness.services.requireWorkspace().db;
}

test('SSO hand-off and migration report after a rehearsal migration', async ({ page, run }) => {
  const harness = await run.start();
  await page.goto(harness.url);
  const panel = page.locator('main.panel');

  await test.step('rehearsal, export, merge, sign-off, plan, import, verify', async () => {
    const form = page.getByTestId('rehearsal-start');
    await form.getByRole('textbox', { name: 'Rehearsal name', exact: true }).fill('SSO rehearsal');
    await form.getByRole('textbox', { name: 'Users', exact: true }).fill(String(USERS));
    await form.getByRole('textbox', { name: 'Organizations', exact: true }).fill(String(ORGS));
    await form.getByRole('textbox', { name: 'Seed (optional)', exact: true }).fill('ui-sso');
    await form
      .getByRole('textbox', { name: 'Rehearsal folder', exact: true })
      .fill(run.folder('local', 'rehearsals'));
    await form.getByRole('button', { name: 'Start a rehearsal' }).click();
    await expect(page.getByTestId('test-auth0')).toHaveAttribute('data-ok', 'true', SLOW);

    await stepButton(page, 'export').click();
    await page.getByRole('button', { name: 'Start export' }).click();
    await waitForStepDone(page, 'export');

    const files = harness.services.rehearsal.running()!.files!;
    await stepButton(page, 'passwords').click();
    await page.getByRole('textbox', { name: 'File', exact: true }).fill(files.passwordsPgp!);
    await page.getByRole('textbox', { name: 'File', exact: true }).blur();
    await expect(page.getByTestId('file-format')).toBeVisible();
    await page.getByRole('textbox', { name: 'Private key file', exact: true }).fill(files.privateKey!);
    await page
      .getByLabel('Passphrase', { exact: true })
      .fill(readFileSync(files.passphraseFile!, 'utf8').trim());
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await waitForStepDone(page, 'passwords');

    await stepButton(page, 'review').click();
    await page.getByLabel('Reviewer name').fill('Riley Reviewer');
    await page.getByRole('button', { name: 'Sign off' }).click();
    await waitForStepDone(page, 'review');

    await stepButton(page, 'plan').click();
    await panel.getByRole('button', { name: 'Create plan' }).click();
    await expect(page.getByTestId('plan-summary')).toHaveAttribute('data-state', 'ready', SLOW);
    const environment = (await harness.services.credentials.status(harness.services.requireWorkspace()))
      .workos!.environment;
    await panel.getByRole('button', { name: 'Go to Import' }).click();
    await panel.getByRole('button', { name: `Import into ${environment}…` }).click();
    const dialog = page.getByRole('dialog', { name: `Import into ${environment}?` });
    await dialog.getByRole('button', { name: `Import into ${environment}` }).click();
    await expect(page.getByTestId('import-done')).toBeVisible(SLOW);
    await panel.getByRole('button', { name: 'Go to Verify' }).click();
    await panel.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect(page.getByTestId('verify-result')).toHaveAttribute('data-ok', 'true', SLOW);
    await waitForStepDone(page, 'verify');
  });

  await test.step('SSO: every enterprise connection, a confirmed portal link, marks for the rest', async () => {
    await stepButton(page, 'sso').click();
    await expectViewing(page, 'SSO');
    const enterprise = (
      db(harness)
        .prepare(
          `SELECT name FROM auth0_connections WHERE strategy IN (${ENTERPRISE.map(() => '?').join(', ')}) ORDER BY name`,
        )
        .pluck()
        .all(...ENTERPRISE) as string[]
    ).sort();
    expect(enterprise.length).toBeGreaterThan(0);
    const cards = page.getByTestId('sso-connection');
    await expect(cards).toHaveCount(enterprise.length);
    expect(
      (await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-connection')))).sort(),
    ).toEqual(enterprise);
    await expect(page.getByTestId('sso-social')).toContainText('Google');

    // Every organization with an enterprise connection gets its link, each after a confirmation.
    const baseUrl = harness.services.rehearsal.running()!.workos.baseUrl;
    let generated = 0;
    for (;;) {
      const button = panel
        .locator('[data-testid="sso-connection"]')
        .getByRole('button', { name: 'Generate link…' });
      if ((await button.count()) === 0) break;
      await button.first().click();
      const confirm = page.getByTestId('portal-confirm');
      await expect(confirm).toContainText('never stored');
      await confirm.getByRole('button', { name: 'Generate link' }).click();
      await expect(confirm).toBeHidden();
      generated++;
      await expect(page.getByTestId('portal-link')).toHaveCount(generated);
    }
    expect(generated).toBeGreaterThan(0);
    const link = await page.getByTestId('portal-link').first().inputValue();
    expect(link.startsWith(`${baseUrl}/portal/launch?secret=`)).toBe(true);
    expect((await fetch(link)).status).toBe(200);
    // Never stored: not in the workspace file.
    const token = new URL(link).searchParams.get('secret')!;
    const file = harness.services.requireWorkspace().file;
    for (const f of [file, `${file}-wal`])
      if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(token))).toBe(false);

    for (;;) {
      const open = page.locator('[data-testid="sso-connection"][data-handed-off="false"]');
      if ((await open.count()) === 0) break;
      const name = await open.first().getAttribute('data-connection');
      const card = page.locator(`[data-testid="sso-connection"][data-connection="${name}"]`);
      await card.getByPlaceholder('How it was handled (optional)').fill('Not used by any organization');
      await card.getByRole('button', { name: 'Mark handled' }).click();
      await expect(card).toHaveAttribute('data-handed-off', 'true');
    }
    await expect(page.getByTestId('sso-summary')).toHaveAttribute('data-done', 'true');
    await expect(page.getByTestId('sso-progress')).toContainText(
      `${enterprise.length} of ${enterprise.length}`,
    );
    await waitForStepDone(page, 'sso');
    await shot(page, 'sso');

    // Shown once: after leaving the step the link is gone from the page.
    await stepButton(page, 'verify').click();
    await stepButton(page, 'sso').click();
    await expect(page.getByTestId('sso-summary')).toBeVisible();
    await expect(page.getByTestId('portal-link')).toHaveCount(0);
  });

  await test.step('Report: the workspace numbers, saved through the save dialog', async () => {
    await stepButton(page, 'report').click();
    await expectViewing(page, 'Report');
    const users = db(harness).prepare('SELECT count(*) FROM auth0_users').pluck().get() as number;
    await expect(page.locator('[data-testid="report-exported"] tr[data-key="users"] td')).toHaveText(
      users.toLocaleString('en-US'),
    );
    await expect(page.getByTestId('report-verification')).toContainText('Passed');
    await expect(page.getByTestId('report-audit-chain')).toContainText('verified');
    const head = harness.services.requireWorkspace().audit.head();
    await expect(page.getByTestId('report-audit-head')).toHaveText(head);
    const text = await page.getByTestId('report').innerText();
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);

    // A cancelled dialog saves nothing.
    harness.dialogs.saveFile = null;
    await panel.getByRole('button', { name: 'Save as Markdown…' }).click();
    await expect(panel.getByText('Not saved: the save dialog was cancelled.')).toBeVisible();

    const out = join(run.folder('local', 'reports'), 'report.md');
    harness.dialogs.saveFile = out;
    await panel.getByRole('button', { name: 'Save as Markdown…' }).click();
    await expect(page.getByTestId('report-saved')).toContainText(out);
    await waitForStepDone(page, 'report');
    const md = readFileSync(out, 'utf8');
    expect(md).toContain(`head hash \`${head}\``);
    expect(md).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
    await shot(page, 'report');
  });
});
