// Preloaded (`node --require`) into the tests' `serverless offline` children (tests/support/
// offline.ts, scripts/local-stack.ts `isolated`) when OFFLINE_SHARED_BUILD names a folder
// (tests/support/setup-env.ts: in the run's package folder). serverless-esbuild builds the 23
// bundles for each server it starts, 15 to 25 s of both CPUs here (and its esbuild service then
// holds 2 GB for the rebuilds nothing asks for), and the suite starts about 15 servers. Here the first server of a run builds them as usual (the plugin, esbuild.config.cjs)
// and keeps a copy; the servers after it copy those files into their own build folder instead.
// Same sources, same options, same env (the copy is kept per BUNDLE_TARGET and
// BUNDLED_DB_DRIVER, all esbuild.config.cjs reads for a serverless-offline build): the same bytes.
// Everything after the build (serverless-offline, its handlers, their workers) runs unchanged.
//
// serverless-esbuild binds `bundle` from its ./bundle module when the plugin is constructed
// (dist/index.js: `this.bundle = bundle_1.bundle.bind(this)`), so that export is what is wrapped.
const { cpSync, existsSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const path = require('node:path');

const root = process.env.OFFLINE_SHARED_BUILD;
if (root) {
  const kept = path.join(
    root,
    `${process.env.BUNDLE_TARGET || 'lambda'}-${process.env.BUNDLED_DB_DRIVER || 'default'}`,
  );
  const pluginDir = path.dirname(require.resolve('serverless-esbuild', { paths: [process.cwd()] }));
  const bundleModule = require(path.join(pluginDir, 'bundle.js'));
  const build = bundleModule.bundle;
  bundleModule.bundle = async function bundle() {
    if (existsSync(kept)) {
      this.prepare();
      cpSync(kept, this.buildDirPath, { recursive: true });
      this.log.verbose(`Bundles copied from ${kept}`);
      return;
    }
    await build.call(this);
    // The first build to finish is kept (a rename is atomic: no server copies half a folder).
    mkdirSync(root, { recursive: true });
    const staging = `${kept}.${process.pid}`;
    cpSync(this.buildDirPath, staging, { recursive: true });
    try {
      renameSync(staging, kept);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  };
}
