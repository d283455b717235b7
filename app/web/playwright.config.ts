import { defineConfig } from '@playwright/test';

// Browser tests of the page against a real local exchange (started by e2e/global-setup.ts),
// in Debian's Chromium (CHROMIUM overrides the path). Screenshots go to test-results/.
export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 1,
  outputDir: 'test-results',
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: 'http://127.0.0.1:18080',
    screenshot: 'on',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
