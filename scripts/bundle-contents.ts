/**
 * What a packaged function's bundle carries, package by package and source by source. The zip
 * holds no build metadata, nor a source map (esbuild.config.cjs), and a map could not say it
 * anyway: esbuild follows the maps dependencies ship, and drizzle-orm's point outside its own
 * folder (`node_modules/src/…`). So the entry is built again
 * with esbuild, from esbuild.config.cjs's own options and the package's resolved provider
 * settings, with a metafile; the rebuilt code must equal the zip's byte for byte, or the
 * description would not be of what ships.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import type { PackagedFunction, ServicePackage } from './package-service';

const require = createRequire(import.meta.url);
const config = require('../esbuild.config.cjs') as {
  esbuildOptions(opts: {
    runtime: string;
    environment?: Record<string, string>;
    env?: Record<string, string | undefined>;
  }): BuildOptions;
  exclude: string[];
};

/** The esbuild options serverless-esbuild built `pkg`'s bundles with (external included). */
export function packageEsbuildOptions(pkg: ServicePackage): BuildOptions {
  const options = config.esbuildOptions({
    runtime: pkg.provider.runtime,
    environment: pkg.provider.environment,
    env: pkg.buildEnv,
  });
  return { ...options, external: config.exclude };
}

export type BundleContents = {
  /** Top-level packages (or `lib`, `functions`) with their bytes in the output, largest first. */
  packages: Record<string, number>;
  /** Every input file that left bytes in the output (`lib/config.ts`, `node_modules/…`). */
  inputs: string[];
  metafile: Metafile;
};

/** node_modules/<package>/… → the package (zod's classic API apart); else its first folder. */
export function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(input);
  if (!m) return input.split('/')[0]!;
  return m[1] === 'zod' && m[2]!.startsWith('v4/classic') ? 'zod (classic)' : m[1]!;
}

/**
 * Kept beside the package (`<dir>/<function>.contents.json`; packageService empties `dir` first):
 * the test files that ask for the same function, each in its own process, and CI's Node 22 run
 * over the same packages read it rather than build the entry again (a second or two of CPU each).
 */
export async function bundleContents(pkg: ServicePackage, fn: PackagedFunction): Promise<BundleContents> {
  const kept = path.join(pkg.dir, `${fn.name}.contents.json`);
  if (existsSync(kept)) return JSON.parse(readFileSync(kept, 'utf8')) as BundleContents;
  const contents = await buildContents(pkg, fn);
  // Written whole, then renamed: a reader never sees half of it.
  writeFileSync(`${kept}.${process.pid}`, JSON.stringify(contents));
  renameSync(`${kept}.${process.pid}`, kept);
  return contents;
}

async function buildContents(pkg: ServicePackage, fn: PackagedFunction): Promise<BundleContents> {
  const ext = path.extname(fn.file);
  const result = await build({
    ...packageEsbuildOptions(pkg),
    entryPoints: [fn.entry],
    outdir: 'out',
    outExtension: { '.js': ext },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(ext))?.text;
  if (code !== readFileSync(fn.file, 'utf8')) {
    throw new Error(`${fn.entry} built from esbuild.config.cjs differs from ${fn.zip}'s bundle`);
  }
  const packages: Record<string, number> = {};
  const inputs: string[] = [];
  // Inputs that left bytes in the output (a tree-shaken import leaves none).
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      inputs.push(input);
      const name = packageOf(input);
      packages[name] = (packages[name] ?? 0) + bytesInOutput;
    }
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort(([, a], [, b]) => b - a));
  return { packages: sorted, inputs, metafile: result.metafile };
}
