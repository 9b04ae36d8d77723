import { createRequire } from 'node:module';
import { defineConfig, type Plugin, type TestProjectInlineConfiguration } from 'vitest/config';

const require = createRequire(import.meta.url);
const { spaAssetsModule, MODULES } = require('./scripts/spa-assets.cjs') as {
  spaAssetsModule: (id: string, opts: { sandbox: boolean }) => Promise<{ contents: string }>;
  MODULES: string[];
};

/** `console-assets` and `portal-assets` for the in-process tests, from the bundles' build definition. */
const spaAssets: Plugin = {
  name: 'spa-assets',
  resolveId: (id) => (MODULES.includes(id) ? `\0${id}` : undefined),
  load: async (id) =>
    id.startsWith('\0') && MODULES.includes(id.slice(1))
      ? (await spaAssetsModule(id.slice(1), { sandbox: process.env.BUNDLE_TARGET === 'offline' })).contents
      : undefined,
};

/**
 * One project per kind of test, run one after another (`sequence.groupOrder`), the fast one
 * first: a broken rule fails in minutes, before the projects that build the service. They share
 * the run's Postgres and PgBouncer (tests/support/global-setup.ts). `npm test` runs them all;
 * `npm run test:fast` only the first; `--project <name>` any one.
 */
function project(name: string, groupOrder: number, include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [spaAssets],
    test: {
      name,
      include,
      globalSetup: ['tests/support/global-setup.ts'],
      setupFiles: ['tests/support/setup-env.ts'],
      testTimeout: 20_000,
      hookTimeout: 60_000,
      pool: 'forks',
      sequence: { groupOrder },
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      // Unit tests of the pure parts, and the handlers against a real Postgres and the stand-ins.
      project('fast', 0, ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts']),
      // What `serverless package` builds: the template, the zips, the functions run from them.
      project('packaging', 1, ['tests/packaging/**/*.test.ts']),
      // The console and the sandbox's pages in Chromium.
      project('browser', 2, ['tests/browser/**/*.test.ts']),
      // The API over `serverless offline`.
      project('e2e', 3, ['tests/e2e/**/*.test.ts']),
    ],
  },
});
