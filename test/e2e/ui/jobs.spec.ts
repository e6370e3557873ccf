import { expect, shot, test } from './fixtures';

// Progress events travel main -> harness WebSocket -> page; the status bar's controls go back through the
// contract (jobs.pause / jobs.resume). The job is the runner's real selftest job in a worker thread.
test('a running job shows live progress and can be paused and resumed from the status bar', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  await page.goto(harness.url);
  await page.getByRole('textbox', { name: 'Workspace name', exact: true }).fill('Jobs');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('workspace-summary')).toBeVisible();
  await expect(page.getByText('No job is running.')).toBeVisible();

  // No contract operation starts a job yet (export and import will); start one on the app side directly.
  const started = await harness.services
    .jobs()
    .start('selftest.count', { to: 400, rowsPerStep: 4, delayMs: 40 });
  const job = page.getByTestId('job');
  await expect(job).toHaveAttribute('data-job-state', 'running');
  await expect(job.getByRole('progressbar', { name: 'selftest.count progress' })).toBeVisible();
  const doneSoFar = async () => Number(await job.getByRole('progressbar').getAttribute('value'));
  await expect.poll(doneSoFar).toBeGreaterThan(0);
  await shot(page, 'job-running');

  await job.getByRole('button', { name: 'Pause selftest.count' }).click();
  await expect(job).toHaveAttribute('data-job-state', 'paused');
  const pausedAt = await doneSoFar();
  expect(pausedAt).toBeLessThan(400);
  await page.waitForTimeout(300);
  expect(await doneSoFar()).toBe(pausedAt);
  await shot(page, 'job-paused');

  await job.getByRole('button', { name: 'Resume selftest.count' }).click();
  await expect(page.getByText('No job is running.')).toBeVisible({ timeout: 30_000 });
  const finished = await harness.services.jobs().wait(started.id);
  expect(finished).toMatchObject({ state: 'completed', done: 400 });
});

// A paused job is left in the bar for the admin to resume, until a newer job of its kind completes: then the paused
// one has nothing left to add (a review refresh paused before the one that finished).
test('a paused job leaves the status bar once a newer job of its kind has completed', async ({
  page,
  run,
}) => {
  const harness = await run.start();
  await page.goto(harness.url);
  await page.getByRole('textbox', { name: 'Workspace name', exact: true }).fill('Jobs superseded');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('workspace-summary')).toBeVisible();

  const jobs = harness.services.jobs();
  const older = await jobs.start('selftest.count', { to: 400, rowsPerStep: 4, delayMs: 40 });
  const job = page.getByTestId('job');
  await expect(job).toHaveAttribute('data-job-state', 'running');
  await jobs.pause(older.id);
  await expect(job).toHaveAttribute('data-job-state', 'paused');

  const newer = await jobs.start('selftest.count', { to: 20, rowsPerStep: 4, delayMs: 10 });
  expect(await jobs.wait(newer.id)).toMatchObject({ state: 'completed' });
  await expect(page.getByText('No job is running.')).toBeVisible();
  expect(jobs.get(older.id)).toMatchObject({ state: 'paused' });
});
