// Preloaded (`node --require`) into the tests' `serverless offline` children (tests/support/
// offline.ts, scripts/local-stack.ts `isolated`) when OFFLINE_SHARED_BUILD names a folder
// (tests/support/setup-env.ts: in the run's package folder). serverless-esbuild builds the 23
// bundles for each server it starts, 15 to 25 s of both CPUs here (and its esbuild service then
// holds 2 GB for rebuilds nothing asks for), and the suite starts about 15 servers. Here the first
// server of a run builds them as usual (the plugin, esbuild.config.cjs) and keeps a copy; a server
// started meanwhile waits for it; the servers after it copy those files into their own build
// folder. Same sources, same options, same env (a copy per BUNDLE_TARGET and BUNDLED_DB_DRIVER,
// all esbuild.config.cjs reads for a serverless-offline build): the same bytes. Everything after
// the build (serverless-offline, its handlers, their workers) runs unchanged.
//
// serverless-esbuild binds `bundle` from its ./bundle module when the plugin is constructed
// (dist/index.js: `this.bundle = bundle_1.bundle.bind(this)`), so that export is what is wrapped.
const { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const root = process.env.OFFLINE_SHARED_BUILD;
if (root) {
  const kept = path.join(
    root,
    `${process.env.BUNDLE_TARGET || 'lambda'}-${process.env.BUNDLED_DB_DRIVER || 'default'}`,
  );
  const lock = `${kept}.lock`;
  const pluginDir = path.dirname(require.resolve('serverless-esbuild', { paths: [process.cwd()] }));
  const bundleModule = require(path.join(pluginDir, 'bundle.js'));
  const build = bundleModule.bundle;

  /** Whether a server is building: the lock is there and its process runs (a stopped one leaves it). */
  const building = () => {
    if (!existsSync(lock)) return false;
    let pid;
    try {
      pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
    } catch {
      return true; // just taken, its pid not written yet
    }
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return e.code === 'EPERM';
    }
  };

  bundleModule.bundle = async function bundle() {
    mkdirSync(root, { recursive: true });
    let builder = false;
    if (!existsSync(kept)) {
      try {
        mkdirSync(lock);
        writeFileSync(path.join(lock, 'pid'), String(process.pid));
        builder = true;
      } catch {
        // Another server builds: its copy, once kept, is this one's too.
        const deadline = Date.now() + 180_000;
        while (!existsSync(kept) && building() && Date.now() < deadline) await sleep(200);
      }
    }
    if (!builder && existsSync(kept)) {
      this.prepare();
      cpSync(kept, this.buildDirPath, { recursive: true });
      this.log.verbose(`Bundles copied from ${kept}`);
      return;
    }
    // The first server of the run, or one whose builder stopped without a copy: a build of its own.
    try {
      await build.call(this);
      const staging = `${kept}.${process.pid}`;
      cpSync(this.buildDirPath, staging, { recursive: true });
      // A rename is atomic: no server copies half a folder. The first copy kept stays.
      try {
        renameSync(staging, kept);
      } catch {
        rmSync(staging, { recursive: true, force: true });
      }
    } finally {
      if (builder) rmSync(lock, { recursive: true, force: true });
    }
  };
}
