/**
 * Cold start: builds every function's production bundle with the esbuild options of
 * `custom.esbuild` in serverless.yml (as serverless-esbuild passes them to esbuild), then times
 * fresh `node` processes importing it against fresh `node` processes importing an empty module,
 * alternately, and reports the median ratio.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

/** Options serverless-esbuild consumes itself and does not hand to esbuild. */
const PLUGIN_OPTIONS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
]);

export const BUDGETS: Record<string, number> = {
  health: 1.5,
  createLead: 1.7,
  inboundSms: 1.7,
  stripeWebhook: 1.9,
  payLink: 1.9,
};

type Service = {
  functions: Record<string, { handler: string }>;
  custom: { esbuild: Record<string, unknown> };
  provider: { environment?: Record<string, string> };
};

export type Bundle = {
  fn: string;
  entry: string;
  file: string;
  bytes: number;
  /** Top-level packages in the bundle, with their bytes in the output. */
  packages: Record<string, number>;
};

export type ColdStart = Bundle & {
  pairs: number;
  bundleMs: number;
  emptyMs: number;
  ratio: number;
  budget?: number;
  pass?: boolean;
};

function packagesOf(meta: Metafile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = m ? m[1]! : input.split('/')[0]!;
      out[name] = (out[name] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([, a], [, b]) => b - a));
}

/** Builds the bundles into `outDir`, one per function, exactly as `serverless package` would. */
export async function buildBundles(outDir: string): Promise<Bundle[]> {
  const service = yaml.load(readFileSync('serverless.yml', 'utf8')) as Service;
  const custom = service.custom.esbuild;
  const options: BuildOptions = Object.fromEntries(
    Object.entries(custom).filter(([k]) => !PLUGIN_OPTIONS.has(k)),
  ) as BuildOptions;
  const exclude = (custom.exclude as string[] | undefined) ?? ['aws-sdk'];
  options.external = [...((custom.external as string[] | undefined) ?? []), ...exclude];
  const ext = (custom.outputFileExtension as string | undefined) ?? '.js';
  if (ext !== '.js') options.outExtension = { '.js': ext };
  rmSync(outDir, { recursive: true, force: true });
  const bundles: Bundle[] = [];
  for (const [fn, { handler }] of Object.entries(service.functions)) {
    const base = handler.slice(0, handler.lastIndexOf('.'));
    const entry = `${base}.ts`;
    const result = await build({
      ...options,
      entryPoints: [entry],
      outdir: path.join(outDir, path.dirname(entry)),
      metafile: true,
      logLevel: 'silent',
    });
    const file = path.join(outDir, `${base}${ext}`);
    bundles.push({ fn, entry, file, bytes: statSync(file).size, packages: packagesOf(result.metafile!) });
  }
  return bundles;
}

function timeNode(script: string, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr.toString()}`);
  return ms;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Per bundle: `pairs` alternating runs of (node importing the bundle and touching its handler)
 * and (node importing an empty module), with the production NODE_OPTIONS; the ratio is the
 * median of the per-pair ratios.
 */
export async function measureColdStarts(outDir: string, pairs = 15): Promise<ColdStart[]> {
  const bundles = await buildBundles(outDir);
  const probes = path.join(outDir, 'probes');
  mkdirSync(probes, { recursive: true });
  const empty = path.join(probes, 'empty.mjs');
  writeFileSync(path.join(probes, 'nothing.mjs'), 'export {};\n');
  writeFileSync(empty, "await import('./nothing.mjs');\n");
  const service = yaml.load(readFileSync('serverless.yml', 'utf8')) as Service;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_OPTIONS: service.provider.environment?.NODE_OPTIONS ?? '',
    LOG_LEVEL: 'silent',
  };
  const results: ColdStart[] = [];
  for (const b of bundles) {
    const probe = path.join(probes, `${b.fn}.mjs`);
    writeFileSync(
      probe,
      `const m = await import(${JSON.stringify(path.resolve(b.file))});\n` +
        `if (typeof m.handler !== 'function') throw new Error('no handler');\n`,
    );
    timeNode(probe, env); // warm the file cache
    timeNode(empty, env);
    const ratios: number[] = [];
    const bundleMs: number[] = [];
    const emptyMs: number[] = [];
    for (let i = 0; i < pairs; i++) {
      // Alternate which goes first so drift in machine load falls on both sides.
      const [a, e] =
        i % 2
          ? [timeNode(probe, env), timeNode(empty, env)]
          : (() => {
              const e0 = timeNode(empty, env);
              return [timeNode(probe, env), e0];
            })();
      bundleMs.push(a);
      emptyMs.push(e);
      ratios.push(a / e);
    }
    const budget = BUDGETS[b.fn];
    const ratio = median(ratios);
    results.push({
      ...b,
      pairs,
      bundleMs: median(bundleMs),
      emptyMs: median(emptyMs),
      ratio,
      budget,
      pass: budget === undefined ? undefined : ratio <= budget,
    });
  }
  return results;
}
