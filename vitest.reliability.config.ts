import { defineConfig } from 'vitest/config';

/** `npm run reliability`: the heavier fault and load scenarios, one table at the end. */
export default defineConfig({
  test: {
    include: ['reliability/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/setup-env.ts'],
    reporters: ['default', './reliability/reporter.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One scenario at a time: the figures are about our code, not about two scenarios fighting for 2 CPUs.
    fileParallelism: false,
  },
});
