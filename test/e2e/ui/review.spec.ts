import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callOperation, createDispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { savePackage } from '../../../src/main/pkg/package';
import { osKeychain } from '../../../src/main/secrets/keychain';
import { createAppServices } from '../../../src/main/services';
import { clearKeychainService, testKeychainService } from '../../harness/keychain';
import { expect, expectViewing, shot, stepButton, test } from './fixtures';

// The Review step in rehearsal mode: start the sandboxes, run the real export, then walk the review: the summary
// with findings by severity and the migrate chart, the users table filtered by a finding, the detail panel with the
// Auth0 record next to the WorkOS record, a decision, the role mapping, a reviewer's signed decision file applied
// (made in a redacted package opened in another profile), and the sign-off that completes the step.

test.setTimeout(300_000);

test('Review step: findings, filters, detail panel, decisions and sign-off in rehearsal mode', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  await page.goto(harness.url);

  await test.step('rehearsal and export', async () => {
    const form = page.getByTestId('rehearsal-start');
    await form.getByRole('textbox', { name: 'Rehearsal name', exact: true }).fill('Review rehearsal');
    await form.getByRole('textbox', { name: 'Users', exact: true }).fill('400');
    await form.getByRole('textbox', { name: 'Organizations', exact: true }).fill('6');
    await form.getByRole('textbox', { name: 'Seed (optional)', exact: true }).fill('ui-review');
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

  const ws = () => harness.services.requireWorkspace();
  const count = (sql: string) => ws().db.prepare(sql).pluck().get() as number;

  await test.step('summary: totals, findings by severity, what will migrate', async () => {
    await stepButton(page, 'review').click();
    await expectViewing(page, 'Review');
    await expect(page.getByTestId('review-totals')).toContainText(
      String(count('SELECT count(*) FROM auth0_users')),
    );
    const blocked = count('SELECT count(*) FROM auth0_users WHERE blocked = 1');
    await expect(page.getByTestId('finding-blocked_users')).toContainText(String(blocked));
    await expect(page.getByTestId('finding-custom_logic')).toContainText('6');
    await expect(page.getByTestId('review-chart')).toContainText('users will be created in WorkOS');
    await shot(page, 'review-summary');
  });

  await test.step('users filtered by a finding; the detail panel shows Auth0 next to WorkOS', async () => {
    await page.getByTestId('finding-unverified_emails').getByRole('button').click();
    const unverified = count(
      'SELECT count(*) FROM auth0_users WHERE email IS NOT NULL AND email_verified IS NOT 1',
    );
    await expect(page.getByTestId('users-total')).toHaveText(`${unverified} users`);
    const first = page.getByTestId('users-table').getByRole('row').nth(1);
    await expect(first).toContainText('unverified emails');
    await first.click();
    const detail = page.getByTestId('user-detail');
    await expect(detail).toBeVisible();
    await expect(page.getByTestId('detail-auth0')).toContainText('"email_verified": false');
    await expect(page.getByTestId('detail-workos')).toContainText('"emailVerified": false');
    await shot(page, 'review-detail-panel');
    await detail.getByRole('button', { name: 'Exclude' }).click();
    await expect(detail).toContainText('excluded by decision');
    await expect(page.getByTestId('review-chart')).toContainText('excluded by decision');
    expect(count('SELECT count(*) FROM review_user_decisions WHERE include = 0')).toBe(1);
  });

  await test.step('search, the roles mapping and the connections', async () => {
    await page.getByRole('searchbox').fill('github|');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Filter').selectOption('');
    await expect(page.getByTestId('users-table').getByRole('row').nth(1)).toContainText('github|');
    await page.getByRole('tab', { name: 'Roles' }).click();
    await expect(page.getByTestId('roles-table')).toContainText('role merged into built in');
    await shot(page, 'review-roles');
    await page.getByRole('tab', { name: 'Connections' }).click();
    await expect(page.getByTestId('connections-table')).toContainText('saml');
    await page.getByRole('tab', { name: 'Organizations' }).click();
    await page.getByTestId('organizations-table').getByRole('row').nth(1).click();
    await expect(page.getByTestId('org-detail')).toContainText('WorkOS organization');
    await shot(page, 'review-organization-detail');
  });

  await test.step("a reviewer's signed decision file: preview, fingerprint, apply", async () => {
    // The reviewer's side runs in another profile with its own keychain, as on another machine.
    const pkg = join(run.folder('local', 'packages'), 'for-review.a2wpkg');
    await savePackage(ws(), pkg, { mode: 'redacted' });
    const service = testKeychainService('ui-reviewer');
    const reviewer = createAppServices({
      userDataDir: run.folder('reviewer-profile'),
      keychain: osKeychain(service),
      host: 'cli',
    });
    let text: string;
    let fingerprint: string;
    try {
      const api = createDispatcher(createHandlers(reviewer));
      await callOperation(api, 'package.open', { file: pkg, folder: run.folder('local', 'reviewer-ws') });
      await callOperation(api, 'review.decide', {
        reviewer: 'Rita Reviewer',
        decision: { kind: 'policy', code: 'users_without_organization', value: 'exclude' },
      });
      ({ text, fingerprint } = await callOperation(api, 'review.exportDecisions', {
        signer: 'Rita Reviewer',
      }));
    } finally {
      await reviewer.close();
      await clearKeychainService(service);
    }
    const file = join(run.folder('local', 'inbox'), 'rita.a2w-decisions.json');
    writeFileSync(file, text);

    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByLabel('Decision file').setInputFiles(file);
    const preview = page.getByTestId('decision-preview');
    await expect(preview).toContainText(`with key ${fingerprint}`);
    await expect(preview).toContainText('users_without_organization');
    await shot(page, 'review-decision-file-preview');
    await page.getByLabel('Fingerprint the reviewer gave you').fill(fingerprint);
    await page.getByRole('button', { name: 'Apply decisions' }).click();
    await expect(preview).toBeHidden();
    await expect
      .poll(() =>
        ws()
          .db.prepare("SELECT decided_by FROM review_policies WHERE code = 'users_without_organization'")
          .pluck()
          .get(),
      )
      .toBe(`Rita Reviewer [key ${fingerprint}]`);
    // The policy concerns every user: the outcome pass runs as the refresh job, then the chart shows it.
    await expect(page.getByTestId('review-chart')).toContainText('no organization policy', {
      timeout: 60_000,
    });
  });

  await test.step('sign-off locks the decisions and completes the step', async () => {
    await page.getByLabel('Reviewer name').fill('Riley Reviewer');
    await page.getByRole('button', { name: 'Sign off' }).click();
    await expect(page.getByTestId('signoff-state')).toContainText('Signed off by Riley Reviewer');
    await expect(stepButton(page, 'review')).toHaveAttribute('data-state', 'done');
    await shot(page, 'review-signed-off');
  });
});
