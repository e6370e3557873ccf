import { defineConfig } from '@playwright/test';

// UI tests drive the built renderer (npm run build) through test/harness in Debian's Chromium; Electron tests
// drive the real app and skip themselves, with the reason, where no Electron binary is installed.
export default defineConfig({
  outputDir: 'test-results',
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
    : 'list',
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  projects: [
    {
      name: 'ui',
      testDir: 'test/e2e/ui',
      use: {
        browserName: 'chromium',
        headless: true,
        colorScheme: 'light',
        viewport: { width: 1200, height: 860 },
        trace: 'retain-on-failure',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
    {
      name: 'electron',
      testDir: 'test/e2e/electron',
    },
  ],
});
