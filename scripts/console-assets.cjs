// The operator console's SPA (console/main.tsx), built by esbuild into hashed files and handed to
// the console function's bundle as the virtual module `console-assets` (its types:
// lib/console/console-assets.d.ts). One build definition for both places that bundle the console
// function: esbuild.config.cjs's plugin (serverless package, serverless-offline, the bench) and
// vitest.config.ts's (the in-process tests). Only the console function imports the module, so
// no other bundle carries a byte of the SPA.
//
// `sandbox`: the local-only pages (Phones, New inquiry, demo providers) are compiled in only for
// serverless-offline; elsewhere `SANDBOX` is false and esbuild drops them as dead code.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = 'console/main.tsx';
const MODULE = 'console-assets';

const CONTENT_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The shell: no inline script or style (the CSP allows neither), the hashed files by name. */
function indexHtml(js, css) {
  return [
    '<!doctype html>',
    '<html lang="en" data-theme="light">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="generator" content="lead-unlock-console">',
    '<title>Lead Unlock console</title>',
    '<link rel="icon" href="data:,">',
    ...css.map((name) => `<link rel="stylesheet" href="/admin/assets/${name}">`),
    ...js.map((name) => `<script type="module" src="/admin/assets/${name}"></script>`),
    '</head>',
    '<body><div id="app"></div></body>',
    '</html>',
  ].join('\n');
}

/** `{ assets: { name: { contentType, body } }, indexHtml, inputs }` for `{ sandbox }`. */
async function buildConsoleAssets({ sandbox }) {
  const { build } = require('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { SANDBOX: sandbox ? 'true' : 'false', 'process.env.NODE_ENV': '"production"' },
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    outdir: path.join(ROOT, '.esbuild', 'console'),
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets = {};
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    const contentType = CONTENT_TYPES[path.extname(name)];
    if (!contentType) throw new Error(`console build: no content type for ${name}`);
    assets[name] = { contentType, body: file.text };
  }
  const names = Object.keys(assets).sort();
  const html = indexHtml(
    names.filter((n) => n.endsWith('.js')),
    names.filter((n) => n.endsWith('.css')),
  );
  const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(ROOT, f));
  return { assets, indexHtml: html, inputs };
}

/** The virtual module's source. */
async function consoleAssetsModule(opts) {
  const built = await buildConsoleAssets(opts);
  return {
    contents:
      `export const assets = ${JSON.stringify(built.assets)};\n` +
      `export const indexHtml = ${JSON.stringify(built.indexHtml)};\n`,
    inputs: built.inputs.filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`)),
  };
}

/** The esbuild plugin resolving `console-assets` (for esbuild.config.cjs). */
function consoleAssetsPlugin({ sandbox }) {
  return {
    name: 'console-assets',
    setup(build) {
      build.onResolve({ filter: /^console-assets$/ }, () => ({ path: MODULE, namespace: MODULE }));
      build.onLoad({ filter: /.*/, namespace: MODULE }, async () => {
        const { contents, inputs } = await consoleAssetsModule({ sandbox });
        return { contents, loader: 'js', resolveDir: ROOT, watchFiles: inputs };
      });
    },
  };
}

module.exports = { buildConsoleAssets, consoleAssetsModule, consoleAssetsPlugin, MODULE };
