// esbuild options for serverless-esbuild (serverless.yml `custom.esbuild.config`), and for
// `npm run bench`, which builds exactly these bundles. A file rather than YAML because what a
// bundle carries depends on the command: a deployed bundle has one database driver, chosen from
// DATABASE_URL / DATABASE_DRIVER at package time (package.json "imports" conditions), and no
// `ws` on nodejs22.x (it has a global WebSocket); under serverless-offline both drivers stay,
// since the URL may point anywhere.

/** Same rule as `usesNeonDriver` in lib/db/pool-settings.ts (which cannot be required from here). */
function neonHost(url) {
  try {
    const host = new URL(url).hostname;
    return host.endsWith('.neon.tech') || host.endsWith('.neon.build');
  } catch {
    return false;
  }
}

/** `neon`, `pg`, or `all` (both drivers, picked by URL at run time). */
function bundledDriver(serverless) {
  const forced = process.env.BUNDLED_DB_DRIVER;
  if (forced === 'neon' || forced === 'pg' || forced === 'all') return forced;
  const command = serverless.processedInput?.commands?.[0];
  if (command !== 'package' && command !== 'deploy') return 'all';
  const env = serverless.service.provider.environment ?? {};
  if (env.DATABASE_DRIVER === 'neon' || env.DATABASE_DRIVER === 'pg') return env.DATABASE_DRIVER;
  // Unknown at package time (set later, or from SSM): Neon is the deploy target.
  if (!env.DATABASE_URL) return 'neon';
  return neonHost(env.DATABASE_URL) ? 'neon' : 'pg';
}

module.exports = (serverless) => {
  const driver = bundledDriver(serverless);
  const command = serverless.processedInput?.commands?.[0];
  const runtime = String(serverless.service.provider.runtime ?? '');
  const major = Number(/^nodejs(\d+)/.exec(runtime)?.[1] ?? 0);
  // Offline runs on the developer's Node (20 has no global WebSocket without a flag).
  const globalWebSocket = (command === 'package' || command === 'deploy') && major >= 22;
  const define = {};
  if (globalWebSocket) define['process.env.BUNDLED_GLOBAL_WEBSOCKET'] = '"true"';
  // package.json "imports" maps #db-pool and #db-query-builder to one driver's modules under
  // the condition `db-neon` or `db-pg`, to both drivers' otherwise. Static imports: a bundle
  // evaluates its driver at the top, not through esbuild's lazy wrapper for dynamic imports,
  // which V8 parses twice. (`module` is esbuild's default condition, kept.)
  const conditions = driver === 'all' ? {} : { conditions: [`db-${driver}`, 'module'] };
  return {
    ...conditions,
    bundle: true,
    minify: true,
    // Stack traces point at the TypeScript; the sources themselves stay out of the map (smaller
    // file to read when a trace is mapped).
    sourcemap: true,
    sourcesContent: false,
    target: 'node20',
    platform: 'node',
    format: 'esm',
    outputFileExtension: '.mjs',
    define,
    // CommonJS dependencies (pg, ws) call require(); an ESM bundle has to provide it.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    // pg only loads pg-native when asked to; it is not installed and must not be bundled.
    exclude: ['pg-native'],
    packager: 'npm',
    // Build output folder, and the files whose change rebuilds under `serverless offline`:
    // only the sources. The plugin's default (./**/*.(js|ts)) walks the whole repository,
    // .local/ included, where Postgres data changes all the time: serverless offline then
    // spins a CPU, grows by gigabytes and takes minutes to stop.
    // The end-to-end test gives each run its own folder under .esbuild/ (so parallel runs do
    // not overwrite each other's bundles) and watches nothing (so edits made while it runs do
    // not reload the handlers mid-test).
    outputWorkFolder: process.env.ESBUILD_WORK_FOLDER || '.esbuild',
    watch: {
      pattern: process.env.ESBUILD_WATCH_PATTERN || '{functions,lib}/**/*.ts',
      ignore: ['.local', '.esbuild', '.serverless', 'node_modules'],
    },
  };
};
