import { defineConfig } from 'vitest/config';

// One local validator for the whole suite (global-setup.js); files run one after another so
// their transactions do not race for the same demo wallets.
export default defineConfig({
  test: {
    globalSetup: './global-setup.js',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
