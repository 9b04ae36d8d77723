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
 *
 * vitest runs a project's files on availableParallelism() - 1 processes: one on a 2-CPU machine.
 * `parallel` projects run two files at once: theirs mostly wait (on `serverless package`,
 * serverless-offline, Chromium, the scheduled dispatcher), and each has its own database, ports,
 * build folder and browser. Their steps then take longer on a busy machine: a test gets 45 s.
 */
function project(
  name: string,
  groupOrder: number,
  include: string[],
  opts: { parallel?: boolean } = {},
): TestProjectInlineConfiguration {
  return {
    plugins: [spaAssets],
    test: {
      name,
      include,
      globalSetup: ['tests/support/global-setup.ts'],
      setupFiles: ['tests/support/setup-env.ts'],
      testTimeout: opts.parallel ? 45_000 : 20_000,
      hookTimeout: 60_000,
      pool: 'forks',
      ...(opts.parallel ? { maxWorkers: 2 } : {}),
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
      project('packaging', 1, ['tests/packaging/**/*.test.ts'], { parallel: true }),
      // The console and the sandbox's pages in Chromium.
      project('browser', 2, ['tests/browser/**/*.test.ts'], { parallel: true }),
      // The API over `serverless offline`.
      project('e2e', 3, ['tests/e2e/**/*.test.ts'], { parallel: true }),
    ],
  },
});
