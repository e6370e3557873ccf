import { expect, expectViewing, shot, test } from './fixtures';

// The wizard can be used without a mouse: one Tab stop for the stepper, arrows/Home/End inside it, Enter to
// open a step, a visible focus ring, and forms that submit with Enter.
test('keyboard only: move through the stepper, open steps, create a workspace', async ({ page, run }) => {
  const harness = await run.start();
  await page.goto(harness.url);
  await expectViewing(page, 'Workspace');

  const focused = () =>
    page.evaluate(() => document.activeElement?.getAttribute('data-step') ?? document.activeElement?.tagName);
  await page.keyboard.press('Tab');
  expect(await focused()).toBe('workspace');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
  expect(outline).not.toBe('none');

  await page.keyboard.press('ArrowDown');
  expect(await focused()).toBe('connect');
  await page.keyboard.press('Enter');
  await expectViewing(page, 'Connect');
  await expect(page.getByTestId('step-unavailable')).toContainText('Create or open a workspace first.');

  await page.keyboard.press('End');
  expect(await focused()).toBe('report');
  await page.keyboard.press(' ');
  await expectViewing(page, 'Report');
  await page.keyboard.press('ArrowUp');
  expect(await focused()).toBe('sso');
  await page.keyboard.press('Home');
  expect(await focused()).toBe('workspace');
  await shot(page, 'keyboard-focus');
  await page.keyboard.press('Enter');
  await expectViewing(page, 'Workspace');

  // Only the open step is in the Tab order: the next Tab leaves the stepper for the panel's first field.
  await page.keyboard.press('Tab');
  expect(
    await page.evaluate(() => (document.activeElement as HTMLInputElement).labels?.[0]?.textContent),
  ).toBe('Workspace name');
  await page.keyboard.type('Keyboard made');
  await page.keyboard.press('Tab');
  expect(
    await page.evaluate(() => (document.activeElement as HTMLInputElement).labels?.[0]?.textContent),
  ).toBe('Folder');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('workspace-summary')).toContainText('Keyboard made');

  // Shift+Tab from the panel returns to the stepper's single stop.
  await page.getByRole('button', { name: 'Continue to Connect' }).focus();
  await page.keyboard.press('Enter');
  await expectViewing(page, 'Connect');
});
