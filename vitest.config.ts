import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vitest/config';

const require = createRequire(import.meta.url);
const { consoleAssetsModule, MODULE } = require('./scripts/console-assets.cjs') as {
  consoleAssetsModule: (opts: { sandbox: boolean }) => Promise<{ contents: string }>;
  MODULE: string;
};

/** `console-assets` for the in-process tests, from the same build definition as the bundles. */
const consoleAssets: Plugin = {
  name: 'console-assets',
  resolveId: (id) => (id === MODULE ? `\0${MODULE}` : undefined),
  load: async (id) =>
    id === `\0${MODULE}`
      ? (await consoleAssetsModule({ sandbox: process.env.BUNDLE_TARGET === 'offline' })).contents
      : undefined,
};

export default defineConfig({
  plugins: [consoleAssets],
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/setup-env.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
