// Build options for serverless-esbuild (serverless.yml `custom.esbuild.config`), which calls the
// exported function with the Serverless instance; `esbuildOptions` is the part of them that
// goes to esbuild unchanged, for builds that must match a packaged bundle (scripts/
// bundle-contents.ts checks that they do) or measure a variant of one (`npm run bench`). A file rather than
// YAML because what a bundle carries depends on where it runs:
//
// - `lambda` (the default: `serverless package` / `deploy`): one database driver, chosen at
//   package time from DATABASE_DRIVER or the deploying shell's DATABASE_URL (package.json "imports"
//   conditions; the URL is only looked at, never written: the functions read it from SSM), no
//   `ws` on nodejs22.x, which has a global WebSocket, and no source maps.
// - `offline` (BUNDLE_TARGET=offline, which `npm start` and the end-to-end tests set): under
//   serverless-offline on the developer's Node, both drivers, since the URL may point anywhere,
//   and `ws`, since Node 20 has no global WebSocket without a flag.
//
// An explicit variable because the config function learns nothing documented about the command
// it runs under (serverless-esbuild passes only the Serverless instance, and serverless-offline
// sets IS_OFFLINE for the handlers, at run time, not for the build). Lambda is the default so
// that a deploy never ships the larger bundles by omission; a plain `serverless offline` without
// the variable still works on a local Postgres (its URL picks the TCP driver).
const isNeonHost = require('./lib/db/neon-host.cjs');
const { spaAssetsPlugin } = require('./scripts/spa-assets.cjs');

/** `lambda` or `offline`; anything else is a typo that would otherwise ship the wrong bundles. */
function bundleTarget(env) {
  const target = env.BUNDLE_TARGET || 'lambda';
  if (target !== 'lambda' && target !== 'offline') {
    throw new Error(`BUNDLE_TARGET must be lambda or offline, not ${JSON.stringify(target)}`);
  }
  return target;
}

/**
 * `neon`, `pg`, or `all` (both drivers, picked by URL at run time). DATABASE_DRIVER is the
 * functions' own setting (in the template); DATABASE_URL is a secret the functions read from SSM,
 * so only the deploying shell's copy, if any, is looked at.
 */
function bundledDriver(env, target, environment) {
  const forced = env.BUNDLED_DB_DRIVER;
  if (forced === 'neon' || forced === 'pg' || forced === 'all') return forced;
  if (target === 'offline') return 'all';
  if (environment.DATABASE_DRIVER === 'neon' || environment.DATABASE_DRIVER === 'pg') {
    return environment.DATABASE_DRIVER;
  }
  // Unknown at package time (the functions read it from SSM): Neon is the deploy target.
  if (!env.DATABASE_URL) return 'neon';
  return isNeonHost(env.DATABASE_URL) ? 'neon' : 'pg';
}

/**
 * `node:http` taken with `require` rather than ESM `import`. On Node 22 an ESM import of a
 * builtin reads every one of its exports to build the namespace, and `http.WebSocket`'s getter
 * loads undici, with http2, zlib, worker_threads and perf_hooks: about 30 ms of each cold start
 * of a function that carries the Stripe SDK (`import * as http from 'http'`), and of the first
 * TextMagic send. `require` reads no getter. (Node 20 has no such getter: the same either way.)
 */
const REQUIRE_HTTP = {
  name: 'require-node-http',
  setup(build) {
    // The shim's own require is left to esbuild: an external builtin, called through require.
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.namespace === 'require-node' ? undefined : { path: 'http', namespace: 'require-node' },
    );
    build.onLoad({ filter: /.*/, namespace: 'require-node' }, () => ({
      contents: "module.exports = require('node:http');",
      loader: 'js',
    }));
  },
};

/**
 * The options esbuild itself gets, for bundles that run on `runtime` (`nodejs22.x`, …), with
 * `environment` the service's provider environment at package time and `env` the environment
 * of the build (BUNDLE_TARGET, BUNDLED_DB_DRIVER).
 */
function esbuildOptions({ runtime, environment = {}, env = process.env }) {
  const target = bundleTarget(env);
  const driver = bundledDriver(env, target, environment);
  const major = Number(/^nodejs(\d+)/.exec(String(runtime ?? ''))?.[1] ?? 0);
  const define = {};
  if (target === 'lambda' && major >= 22) define['process.env.BUNDLED_GLOBAL_WEBSOCKET'] = '"true"';
  // package.json "imports" maps #db-pool and #db-query-builder to one driver's modules under
  // the condition `db-neon` or `db-pg`, to both drivers' otherwise. Static imports: a bundle
  // evaluates its driver at the top, not through esbuild's lazy wrapper for dynamic imports,
  // which V8 parses twice. (`module` is esbuild's default condition, kept.)
  const conditions = driver === 'all' ? {} : { conditions: [`db-${driver}`, 'module'] };
  return {
    ...conditions,
    bundle: true,
    minify: true,
    // No source maps in a deployed zip: Node reads one only with --enable-source-maps, which the
    // functions run without (it costs every cold start: docs/performance.md), so a map was more
    // than half of each zip and never read. A minified trace names the function and its offset;
    // `npm run bench`'s and the tests' bundles are these same ones. Built for serverless-offline,
    // where a developer may turn the flag on, the maps stay (without the sources themselves).
    sourcemap: target === 'offline',
    sourcesContent: false,
    target: 'node20',
    platform: 'node',
    format: 'esm',
    define,
    // The console's and the portal's SPAs, each for the one bundle that imports it (scripts/
    // spa-assets.cjs); the console's sandbox pages only in the offline build.
    plugins: [REQUIRE_HTTP, spaAssetsPlugin({ sandbox: target === 'offline' })],
    // CommonJS dependencies (pg, ws) call require(); an ESM bundle has to provide it.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  };
}

// pg only loads pg-native when asked to; it is not installed and must not be bundled.
// (serverless-esbuild hands `exclude` to esbuild as `external`.)
const EXCLUDE = ['pg-native'];

module.exports = (serverless) => ({
  ...esbuildOptions({
    runtime: serverless.service.provider.runtime,
    environment: serverless.service.provider.environment,
  }),
  // serverless-esbuild's own options from here on.
  outputFileExtension: '.mjs',
  exclude: EXCLUDE,
  packager: 'npm',
  // Build output folder, and the files whose change rebuilds under `serverless offline`:
  // only the sources. The plugin's default (./**/*.(js|ts)) walks the whole repository,
  // .local/ included, where Postgres data changes all the time: serverless offline then
  // spins a CPU, grows by gigabytes and takes minutes to stop.
  // The tests give each serverless run its own folder under .esbuild/ (so parallel runs do
  // not overwrite each other's bundles); the end-to-end ones watch nothing (so edits made
  // while they run do not reload the handlers mid-test).
  outputWorkFolder: process.env.ESBUILD_WORK_FOLDER || '.esbuild',
  watch: {
    pattern: process.env.ESBUILD_WATCH_PATTERN || '{functions,lib,console}/**/*.{ts,tsx,css}',
    ignore: ['.local', '.esbuild', '.serverless', 'node_modules'],
  },
});
module.exports.esbuildOptions = esbuildOptions;
module.exports.exclude = EXCLUDE;
