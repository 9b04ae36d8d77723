/**
 * What a deployed function carries (cold start, Issue 4): the bundles `serverless package`
 * builds hold one database driver, no `ws` on nodejs22.x, no full zod, and no Stripe where
 * Stripe is not called. Built for serverless-offline, both drivers stay.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SECRET_NAMES } from '../../lib/secrets';
import { bundleContents } from '../../scripts/bundle-contents';
import { packagedFunction, type ServicePackage } from '../../scripts/package-service';
import { packaged, type Variant } from '../support/packaged';

const packages: Partial<Record<Variant, ServicePackage>> = {};
beforeAll(async () => {
  const variants = ['lambda', 'lambda-pg', 'offline'] as const;
  const built = await Promise.all(variants.map((v) => packaged(v)));
  for (const [i, v] of variants.entries()) packages[v] = built[i];
}, 180_000);

/** The packages function `fn`'s bundle holds in package `variant`. */
async function packagesIn(variant: Variant, fn: string): Promise<Set<string>> {
  const pkg = packages[variant]!;
  return new Set(Object.keys((await bundleContents(pkg, packagedFunction(pkg, fn))).packages));
}

describe('deployed bundles', () => {
  it('carry the Neon driver only, without ws, full zod, drizzle (health) or Stripe', async () => {
    const health = await packagesIn('lambda', 'health');
    expect(health).toContain('@neondatabase/serverless');
    for (const name of ['pg', 'ws', 'drizzle-orm', 'zod (classic)', 'stripe', 'libphonenumber-js']) {
      expect(health).not.toContain(name);
    }
    const createLead = await packagesIn('lambda', 'createLead');
    expect(createLead).toContain('drizzle-orm');
    for (const name of ['pg', 'ws', 'zod (classic)', 'stripe']) expect(createLead).not.toContain(name);
  });

  it('carry the TCP driver only when DATABASE_URL at package time is another Postgres', async () => {
    const lead = await packagesIn('lambda-pg', 'lead');
    expect(lead).toContain('pg');
    expect(lead).not.toContain('@neondatabase/serverless');
  });

  it('keep both drivers, and ws, when built for serverless-offline', async () => {
    const health = await packagesIn('offline', 'health');
    for (const name of ['pg', 'ws', '@neondatabase/serverless']) expect(health).toContain(name);
  });
});

/** Each app's marker (scripts/spa-assets.cjs's shell), the function that alone serves it, its UI sources and packages. */
const APPS = [
  {
    fn: 'console',
    marker: 'lead-unlock-console',
    sources: /node_modules\/(chart\.js|@kurkle)\/|^console\/|console-assets/,
    packages: ['chart.js'],
  },
  { fn: 'portalPages', marker: 'lead-unlock-portal', sources: /^portal\/|portal-assets/, packages: [] },
];
/** What both apps are built of: in no function's code (theirs hold them built, as strings). */
const SHARED_UI = /node_modules\/(preact|wouter-preact|@picocss)\/|^web\//;
const SHARED_PACKAGES = ['preact', 'wouter-preact', '@picocss/pico'];
/** Code only the console's sandbox pages have. */
const SANDBOX_CODE = ['/sandbox/phones', '/sandbox/inquiry', '/sandbox/seed', 'Add demo providers'];

describe('the console and portal bundles', () => {
  it('are each the only bundle with a byte of their app: no other function carries its marker or UI sources', async () => {
    for (const variant of ['lambda', 'offline'] as const) {
      const pkg = packages[variant]!;
      for (const app of APPS) expect(pkg.functions.map((f) => f.name)).toContain(app.fn);
      for (const fn of pkg.functions) {
        const code = readFileSync(fn.file, 'utf8');
        const contents = await bundleContents(pkg, fn);
        const carried = Object.keys(contents.packages);
        const serves = APPS.find((a) => a.fn === fn.name);
        for (const app of APPS) {
          const ui = contents.inputs.filter((s) => app.sources.test(s));
          const label = `${variant} ${fn.name}: ${app.fn}`;
          if (app === serves) {
            expect(code, label).toContain(app.marker);
            expect(ui.length, label).toBeGreaterThan(0);
          } else {
            expect(code, label).not.toContain(app.marker);
            expect(ui, label).toEqual([]);
            for (const name of app.packages) expect(carried, label).not.toContain(name);
          }
        }
        // The apps' own functions carry them built (a module of strings), the others nothing.
        if (!serves) {
          expect(
            contents.inputs.filter((s) => SHARED_UI.test(s)),
            `${variant} ${fn.name}`,
          ).toEqual([]);
          for (const name of SHARED_PACKAGES) expect(carried, `${variant} ${fn.name}`).not.toContain(name);
        }
      }
    }
  }, 60_000);

  it('carries the sandbox pages only when built for serverless-offline', () => {
    const code = (variant: Variant) =>
      readFileSync(packagedFunction(packages[variant]!, 'console').file, 'utf8');
    for (const s of SANDBOX_CODE) {
      expect(code('lambda'), s).not.toContain(s);
      expect(code('offline'), s).toContain(s);
    }
  });
});

describe("each function's secrets (serverless.yml `secrets:`, which its IAM role and SSM read follow)", () => {
  const declared = () =>
    (
      parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'error' }) as {
        functions: Record<string, { secrets: string[] }>;
      }
    ).functions;

  it('are exactly those its code reads: every read of a secret names it in its "not configured" message', () => {
    const table = declared();
    for (const fn of packages.lambda!.functions) {
      const code = readFileSync(fn.file, 'utf8');
      // `(STRIPE_SECRET_KEY)`, `(TEXTMAGIC_USERNAME, TEXTMAGIC_API_KEY)`: a message kept by the
      // bundler only with the code that reads the secret (lib/config.ts's table names each one
      // otherwise, as `NAME:` or `"NAME"`).
      const read = SECRET_NAMES.filter((name) => new RegExp(`[(,] ?${name}[,)]`).test(code));
      expect(read.sort(), fn.name).toEqual([...table[fn.name]!.secrets].sort());
    }
  });

  it('are read without the AWS SDK: aws4 signs the one call, no @aws-sdk or @smithy is bundled', async () => {
    for (const fn of packages.lambda!.functions) {
      const carried = [...(await packagesIn('lambda', fn.name))];
      expect(carried, fn.name).toContain('aws4');
      expect(
        carried.filter((p) => /^@(aws-sdk|smithy|aws-lambda-powertools|middy\/ssm)/.test(p)),
        fn.name,
      ).toEqual([]);
    }
  });
});
