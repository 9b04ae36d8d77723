/**
 * What a deployed function carries (cold start, Issue 4): the bundles `serverless package`
 * builds from esbuild.config.cjs hold one database driver, no `ws` on nodejs22.x, no full zod,
 * and no Stripe where Stripe is not called. Under serverless-offline both drivers stay.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { packageBuildOptions } from '../../scripts/package-options';

const options = (command: string, environment: Record<string, string> = {}) =>
  packageBuildOptions({ command, runtime: 'nodejs22.x', environment }).options;

/** The packages an entry's bundle holds, built as serverless-esbuild would, without writing it. */
async function packagesIn(entry: string, esbuildOptions: BuildOptions): Promise<Set<string>> {
  const result = await build({
    ...esbuildOptions,
    entryPoints: [entry],
    write: false,
    outdir: 'out',
    metafile: true,
    logLevel: 'silent',
  });
  const names = new Set<string>();
  // Inputs of the output that left bytes in it (a tree-shaken import leaves none).
  const inputs = Object.values((result.metafile as Metafile).outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([input]) => input),
  );
  for (const input of inputs) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(input);
    if (m) names.add(m[1] === 'zod' && m[2]!.startsWith('v4/classic') ? 'zod (classic)' : m[1]!);
  }
  return names;
}

describe('deployed bundles', () => {
  it('carry the Neon driver only, without ws, full zod, drizzle (health) or Stripe', async () => {
    const health = await packagesIn('functions/health.ts', options('package'));
    expect(health).toContain('@neondatabase/serverless');
    for (const name of ['pg', 'ws', 'drizzle-orm', 'zod (classic)', 'stripe', 'libphonenumber-js']) {
      expect(health).not.toContain(name);
    }
    const createLead = await packagesIn('functions/create-lead.ts', options('package'));
    expect(createLead).toContain('drizzle-orm');
    for (const name of ['pg', 'ws', 'zod (classic)', 'stripe']) expect(createLead).not.toContain(name);
  });

  it('carry the TCP driver only when DATABASE_URL at package time is another Postgres', async () => {
    const lead = await packagesIn(
      'functions/lead.ts',
      options('package', { DATABASE_URL: 'postgres://u:p@db.example.com/leads' }),
    );
    expect(lead).toContain('pg');
    expect(lead).not.toContain('@neondatabase/serverless');
  });

  it('keep both drivers, and ws, under serverless-offline', async () => {
    const health = await packagesIn('functions/health.ts', options('offline'));
    for (const name of ['pg', 'ws', '@neondatabase/serverless']) expect(health).toContain(name);
  });
});
