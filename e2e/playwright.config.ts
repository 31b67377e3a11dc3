import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  outputDir: '../.test-results/e2e-artifacts',
  fullyParallel: false,
  workers: 1,
  // A test that passes only on its second try is a failure to look at, not to hide.
  retries: 0,
  // Bounds on conditions a loaded machine may be slow to reach, never the expected time.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium, installed by `npm test`; Playwright's own browser
      // downloads are not available on these machines.
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
