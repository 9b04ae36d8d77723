// Our single-page apps, each built by esbuild into hashed files and handed to the one function
// that serves it as a virtual module: the operator console (console/main.tsx → `console-assets`,
// lib/console/console-assets.d.ts) and the provider portal (portal/main.tsx → `portal-assets`,
// lib/portal/portal-assets.d.ts). One build definition for both places that bundle a function:
// esbuild.config.cjs's plugins (serverless package, serverless-offline, the bench) and
// vitest.config.ts's (the in-process tests). Only the function that serves an app imports its
// module, so no other bundle carries a byte of it.
//
// `sandbox`: the console's local-only pages (Phones, New inquiry, demo providers) are compiled in
// only for serverless-offline; elsewhere `SANDBOX` is false and esbuild drops them as dead code.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** Each app: its entry, its virtual module, where its files are served, its shell's title and marker. */
const SPAS = {
  console: {
    entry: 'console/main.tsx',
    module: 'console-assets',
    base: '/admin/assets/',
    title: 'Lead Unlock console',
    generator: 'lead-unlock-console',
  },
  portal: {
    entry: 'portal/main.tsx',
    module: 'portal-assets',
    base: '/portal/assets/',
    title: 'Your leads',
    generator: 'lead-unlock-portal',
  },
};

const CONTENT_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The shell: no inline script or style (the CSP allows neither), the hashed files by name. */
function indexHtml(spa, js, css) {
  return [
    '<!doctype html>',
    '<html lang="en" data-theme="light">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<meta name="generator" content="${spa.generator}">`,
    `<title>${spa.title}</title>`,
    '<link rel="icon" href="data:,">',
    ...css.map((name) => `<link rel="stylesheet" href="${spa.base}${name}">`),
    ...js.map((name) => `<script type="module" src="${spa.base}${name}"></script>`),
    '</head>',
    '<body><div id="app"></div></body>',
    '</html>',
  ].join('\n');
}

/** `{ assets: { name: { contentType, body } }, indexHtml, inputs }` of app `name` for `{ sandbox }`. */
async function buildSpaAssets(name, { sandbox }) {
  const spa = SPAS[name];
  const { build } = require('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [spa.entry],
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
    outdir: path.join(ROOT, '.esbuild', name),
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets = {};
  for (const file of result.outputFiles) {
    const base = path.basename(file.path);
    const contentType = CONTENT_TYPES[path.extname(base)];
    if (!contentType) throw new Error(`${name} build: no content type for ${base}`);
    assets[base] = { contentType, body: file.text };
  }
  const names = Object.keys(assets).sort();
  const html = indexHtml(
    spa,
    names.filter((n) => n.endsWith('.js')),
    names.filter((n) => n.endsWith('.css')),
  );
  const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(ROOT, f));
  return { assets, indexHtml: html, inputs };
}

/** The app whose virtual module is `id`, if any. */
const spaOfModule = (id) => Object.keys(SPAS).find((name) => SPAS[name].module === id);

/** The source of virtual module `id` (`console-assets`, `portal-assets`). */
async function spaAssetsModule(id, opts) {
  const built = await buildSpaAssets(spaOfModule(id), opts);
  return {
    contents:
      `export const assets = ${JSON.stringify(built.assets)};\n` +
      `export const indexHtml = ${JSON.stringify(built.indexHtml)};\n`,
    inputs: built.inputs.filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`)),
  };
}

const MODULES = Object.values(SPAS).map((spa) => spa.module);
const MODULE_FILTER = new RegExp(`^(${MODULES.join('|')})$`);

/** The esbuild plugin resolving every app's module (for esbuild.config.cjs). */
function spaAssetsPlugin({ sandbox }) {
  return {
    name: 'spa-assets',
    setup(build) {
      build.onResolve({ filter: MODULE_FILTER }, (args) => ({ path: args.path, namespace: 'spa-assets' }));
      build.onLoad({ filter: /.*/, namespace: 'spa-assets' }, async (args) => {
        const { contents, inputs } = await spaAssetsModule(args.path, { sandbox });
        return { contents, loader: 'js', resolveDir: ROOT, watchFiles: inputs };
      });
    },
  };
}

module.exports = { buildSpaAssets, spaAssetsModule, spaAssetsPlugin, MODULES, SPAS };
