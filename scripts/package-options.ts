/**
 * The esbuild options serverless-esbuild hands to esbuild, from esbuild.config.cjs: for the
 * bench, which builds the bundles `serverless package` builds, and for the tests that check
 * and run them.
 */
import { createRequire } from 'node:module';
import type { BuildOptions } from 'esbuild';

const require = createRequire(import.meta.url);
const configure = require('../esbuild.config.cjs') as (sls: unknown) => Record<string, unknown>;

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

/**
 * What esbuild gets under `serverless <command>` for a service on `runtime` whose deploying
 * environment is `environment`; the plugin's `exclude` becomes esbuild's `external`, and its
 * `outputFileExtension` the bundles' extension.
 */
export function packageBuildOptions(opts: {
  command?: string;
  runtime: string;
  environment?: Record<string, string>;
}): { options: BuildOptions; extension: string } {
  const custom = configure({
    processedInput: { commands: [opts.command ?? 'package'] },
    service: { provider: { runtime: opts.runtime, environment: opts.environment ?? {} } },
  });
  const options = Object.fromEntries(
    Object.entries(custom).filter(([k]) => !PLUGIN_OPTIONS.has(k)),
  ) as BuildOptions;
  const exclude = (custom.exclude as string[] | undefined) ?? ['aws-sdk'];
  options.external = [...((custom.external as string[] | undefined) ?? []), ...exclude];
  return { options, extension: (custom.outputFileExtension as string | undefined) ?? '.js' };
}
