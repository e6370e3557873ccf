import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { Harness } from '../../harness/server';
import { expect, expectViewing, shot, stepButton, test } from './fixtures';

// The whole migration through the UI in rehearsal mode: export, merge the PGP password file, sign off the review,
// plan, import (after a confirmation that names the environment), verify green with every known password signing
// in, then roll back after a confirmation with the counts, and find WorkOS as empty as before the import.

test.setTimeout(300_000);

const USERS = 150;
const ORGS = 4;
const SLOW = { timeout: 120_000 };

function sandboxes(harness: Harness) {
  const running = harness.services.rehearsal.running();
  if (!running?.files) throw new Error('The rehearsal sandboxes are not running.');
  return running;
}

/** Users and organizations in the WorkOS sandbox, read straight from its API (not through the app). */
async function workosContents(harness: Harness): Promise<{ users: number; organizations: number }> {
  const { baseUrl, apiKey } = sandboxes(harness).workos;
  const list = async (path: string) => {
    const res = await fetch(`${baseUrl}${path}?limit=100`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: unknown[] }).data.length;
  };
  return { users: await list('/user_management/users'), organizations: await list('/organizations') };
}

async function waitForStepDone(page: Page, step: string) {
  await expect(stepButton(page, step)).toHaveAttribute('data-state', 'done', SLOW);
}

test('Migration in rehearsal mode: plan, import, verify and roll back through the wizard', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  await page.goto(harness.url);
  const panel = page.locator('main.panel');

  await test.step('rehearsal, export, password merge and review sign-off', async () => {
    const form = page.getByTestId('rehearsal-start');
    await form.getByRole('textbox', { name: 'Rehearsal name', exact: true }).fill('Migration rehearsal');
    await form.getByRole('textbox', { name: 'Users', exact: true }).fill(String(USERS));
    await form.getByRole('textbox', { name: 'Organizations', exact: true }).fill(String(ORGS));
    await form.getByRole('textbox', { name: 'Seed (optional)', exact: true }).fill('ui-migration');
    await form
      .getByRole('textbox', { name: 'Rehearsal folder', exact: true })
      .fill(run.folder('local', 'rehearsals'));
    await form.getByRole('button', { name: 'Start a rehearsal' }).click();
    await expect(page.getByTestId('test-auth0')).toHaveAttribute('data-ok', 'true', SLOW);

    await stepButton(page, 'export').click();
    await expectViewing(page, 'Export');
    await page.getByRole('button', { name: 'Start export' }).click();
    await waitForStepDone(page, 'export');

    const files = sandboxes(harness).files!;
    await stepButton(page, 'passwords').click();
    await expectViewing(page, 'Passwords');
    await page.getByRole('textbox', { name: 'File', exact: true }).fill(files.passwordsPgp);
    await page.getByRole('textbox', { name: 'File', exact: true }).blur();
    await expect(page.getByTestId('file-format')).toBeVisible();
    await page.getByRole('textbox', { name: 'Private key file', exact: true }).fill(files.privateKey);
    await page
      .getByLabel('Passphrase', { exact: true })
      .fill(readFileSync(files.passphraseFile, 'utf8').trim());
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect(page.getByTestId('merge-state')).toContainText('completed', SLOW);
    await waitForStepDone(page, 'passwords');

    await stepButton(page, 'review').click();
    await expectViewing(page, 'Review');
    await page.getByLabel('Reviewer name').fill('Riley Reviewer');
    await page.getByRole('button', { name: 'Sign off' }).click();
    await waitForStepDone(page, 'review');
  });

  const before = await workosContents(harness);
  const environment = (await harness.services.credentials.status(harness.services.requireWorkspace())).workos!
    .environment;

  let created = 0;
  await test.step('plan: the diff with counts, a drill-down, and a ready state', async () => {
    await stepButton(page, 'plan').click();
    await expectViewing(page, 'Plan');
    await expect(panel.getByText('No plan yet')).toBeVisible();
    await panel.getByRole('button', { name: 'Create plan' }).click();
    const summary = page.getByTestId('plan-summary');
    await expect(summary).toHaveAttribute('data-state', 'ready', SLOW);
    await expect(page.getByTestId('plan-state')).toHaveText('Ready to import');
    await expect(page.getByTestId('plan-environment')).toHaveText(environment);
    await expect(summary.getByTestId('target-kind')).toHaveAttribute('data-kind', 'rehearsal');
    await expect(page.getByTestId('plan-live')).toContainText(
      `${before.users} users, ${before.organizations} organizations`,
    );
    await expect(page.getByTestId('plan-age')).toHaveText('just now');

    // Every included user and organization is created in an empty environment.
    const diff = page.getByTestId('plan-diff');
    const usersCreate = diff.locator('tr[data-kind="user"] td[data-action="create"]');
    created = Number(await usersCreate.getAttribute('data-count'));
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(USERS);
    await expect(diff.locator('tr[data-kind="organization"] td[data-action="create"]')).toHaveAttribute(
      'data-count',
      String(ORGS),
    );
    await usersCreate.getByRole('button').click();
    const items = page.getByTestId('plan-items');
    await expect(items.getByRole('heading')).toHaveText('Users: create');
    await expect(items.locator('tbody tr')).toHaveCount(Math.min(50, created));
    await expect(items).toContainText('Password hash imported');
    await shot(page, 'plan');
  });

  await test.step('import: the confirmation names the environment; progress; done', async () => {
    await panel.getByRole('button', { name: 'Go to Import' }).click();
    await expectViewing(page, 'Import');
    await expect(page.getByTestId('import-target')).toContainText(environment);
    const replanForWebhooks = panel.getByRole('button', { name: 'Plan again with webhooks paused' });
    await expect(replanForWebhooks).toBeVisible();
    await panel.getByRole('button', { name: `Import into ${environment}…` }).click();
    const dialog = page.getByRole('dialog', { name: `Import into ${environment}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('confirm-environment')).toHaveText(environment);
    await expect(dialog.getByTestId('target-kind')).toHaveText('REHEARSAL sandbox');
    await expect(dialog).toContainText('local rehearsal sandbox');
    // Nothing is written before the confirmation.
    expect(await workosContents(harness)).toEqual(before);
    await shot(page, 'import-confirm');
    await dialog.getByRole('button', { name: `Import into ${environment}` }).click();
    await expect(dialog).toBeHidden();

    // Pause as soon as it runs, resume, and it still ends exactly. (Waiting for the first settled operations before
    // pausing raced the end of the import on a fast machine: a few hundred operations fit in WorkOS's first
    // rate-limit window.)
    await panel.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Import paused' })).toBeVisible(SLOW);
    // Paused while it prepares (reading WorkOS, writing the journal) or once it sends: either way the step shows
    // where it stopped and offers Resume only, not a second way to start the same import.
    await expect(panel.getByRole('button', { name: 'Resume', exact: true })).toBeVisible();
    await expect(panel.getByRole('button', { name: `Import into ${environment}…` })).toHaveCount(0);
    const preparing = page.getByTestId('import-preparing');
    if (await preparing.isVisible()) {
      await expect(preparing).toContainText('Preparing the import (paused)');
      await expect(preparing).toContainText('Nothing has been sent to WorkOS yet.');
      await expect(page.getByTestId('import-progress')).toHaveCount(0);
      // Planning again now would leave this import's preparation behind.
      await expect(replanForWebhooks).toHaveCount(0);
    } else {
      await expect(replanForWebhooks).toHaveCount(0);
      await expect(page.getByTestId('import-progress')).toBeVisible();
      await expect(panel).toContainText(
        'Resume continues with the next operation; nothing is applied twice.',
      );
    }
    await shot(page, 'import-paused');

    // While it is paused the review is reopened and signed off again: the plan no longer describes the workspace,
    // so the import is not resumed, and the step points to the Plan step instead of offering Resume again.
    await stepButton(page, 'review').click();
    await expectViewing(page, 'Review');
    await page.getByLabel('Reviewer name').fill('Riley Reviewer');
    await panel.getByRole('button', { name: 'Reopen', exact: true }).click();
    await panel.getByRole('button', { name: 'Sign off' }).click();
    await waitForStepDone(page, 'review');
    await stepButton(page, 'import').click();
    await expectViewing(page, 'Import');
    const usersWhenPaused = (await workosContents(harness)).users;
    await panel.getByRole('button', { name: 'Resume', exact: true }).click();
    const stale = panel.locator('[data-error-code="plan_stale"]');
    // (Paused this early, the import may not have sent anything yet: either way nothing more is sent.)
    await expect(stale).toContainText('The workspace changed after this plan was made', SLOW);
    await expect(panel.getByRole('button', { name: 'Resume', exact: true })).toHaveCount(0);
    expect((await workosContents(harness)).users).toBe(usersWhenPaused);
    // The jobs bar offers the same way out rather than a Resume that would be refused again.
    const jobsBar = page.getByRole('region', { name: 'Background jobs' });
    await expect(jobsBar.getByRole('button', { name: /^Resume/ })).toHaveCount(0);
    await expect(jobsBar.getByRole('button', { name: 'Go to the Plan step' })).toBeVisible();
    await shot(page, 'import-stale');
    await stale.getByRole('button', { name: 'Go to the Plan step' }).click();
    await expectViewing(page, 'Plan');
    await panel.getByRole('button', { name: 'Plan again' }).click();
    await expect(page.getByTestId('plan-summary')).toHaveAttribute('data-state', 'ready', SLOW);
    await panel.getByRole('button', { name: 'Go to Import' }).click();
    await expectViewing(page, 'Import');
    await panel.getByRole('button', { name: `Import into ${environment}…` }).click();
    const again = page.getByRole('dialog', { name: `Import into ${environment}?` });
    await again.getByRole('button', { name: `Import into ${environment}` }).click();
    await expect(page.getByTestId('import-done')).toBeVisible(SLOW);
    await expect(page.getByTestId('import-rate')).toContainText('requests/s');
    await expect(page.getByTestId('import-429')).toHaveText(/^\d+$/);
    await waitForStepDone(page, 'import');
    for (const kind of ['role', 'organization', 'user', 'membership', 'totp'])
      await expect(page.locator(`[data-testid="import-entities"] tr[data-kind="${kind}"]`)).toHaveAttribute(
        'data-remaining',
        '0',
      );
    await expect(page.getByTestId('import-failures')).toHaveCount(0);
    // The stopped import is behind the new one: the jobs bar no longer asks for anything about it.
    await expect(jobsBar.getByRole('button', { name: 'Go to the Plan step' })).toHaveCount(0);
    await expect(jobsBar.locator('[data-job-state="failed"]')).toHaveCount(0);
    const after = await workosContents(harness);
    expect(after.organizations).toBe(before.organizations + ORGS);
    expect(after.users).toBeGreaterThan(before.users);
    await shot(page, 'import-done');
  });

  await test.step('verify: green, with the known passwords signing in', async () => {
    await panel.getByRole('button', { name: 'Go to Verify' }).click();
    await expectViewing(page, 'Verify');
    await panel.getByRole('button', { name: 'Verify', exact: true }).click();
    const result = page.getByTestId('verify-result');
    await expect(result).toHaveAttribute('data-ok', 'true', SLOW);
    await expect(page.getByTestId('verify-verdict')).toContainText('WorkOS matches the workspace');
    const pw = page.locator('[data-testid="verify-counts"] tr[data-entity="passwords"]');
    await expect(pw).toHaveAttribute('data-ok', 'true');
    await expect(pw.locator('td').first()).not.toHaveText('0 tried');
    await expect(page.getByTestId('verify-mismatches')).toHaveCount(0);
    await waitForStepDone(page, 'verify');
    await shot(page, 'verify');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'verify-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('rollback: confirmed with the counts, then WorkOS is as before the import', async () => {
    const preview = page.getByTestId('rollback-preview');
    const users = (await preview.locator('[data-count="users"]').textContent())!.replace(/\D/g, '');
    const orgs = (await preview.locator('[data-count="organizations"]').textContent())!.replace(/\D/g, '');
    expect(Number(orgs)).toBe(ORGS);
    await panel.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back the import in ${environment}?` });
    await expect(dialog).toContainText(`${users} users`);
    const confirm = dialog.getByRole('button', { name: 'Delete them' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel('Type the number of users to delete').fill(users);
    await dialog.getByLabel('Type the number of organizations to delete').fill(String(Number(orgs) + 1));
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel('Type the number of organizations to delete').fill(orgs);
    await expect(confirm).toBeEnabled();
    await shot(page, 'rollback-confirm');
    await confirm.click();

    const done = page.getByTestId('rollback-done');
    await expect(done).toBeVisible(SLOW);
    await expect(page.getByTestId('rollback-deleted')).toContainText(
      `Deleted ${users} users, ${orgs} organizations`,
    );
    await expect(done).toContainText(
      'None: the imports from this workspace repaired nothing that existed before them.',
    );
    expect(await workosContents(harness)).toEqual(before);
    // The earlier verification is marked as describing WorkOS before the rollback.
    await expect(panel.getByText('Rolled back since this verification')).toBeVisible();
    await shot(page, 'rollback-done');
    await stepButton(page, 'import').click();
    await expect(panel.getByText('This import was rolled back')).toBeVisible();
    await expect(page.getByTestId('import-done')).toHaveCount(0);

    // A fresh plan sees the same WorkOS as the first one did.
    await stepButton(page, 'plan').click();
    await expectViewing(page, 'Plan');
    await panel.getByRole('button', { name: 'Plan again' }).click();
    await expect(page.getByTestId('plan-summary')).toHaveAttribute('data-state', 'ready', SLOW);
    await expect(page.getByTestId('plan-live')).toContainText(
      `${before.users} users, ${before.organizations} organizations`,
    );
    await expect(
      page.getByTestId('plan-diff').locator('tr[data-kind="user"] td[data-action="create"]'),
    ).toHaveAttribute('data-count', String(created));
  });
});
