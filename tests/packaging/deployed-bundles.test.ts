/**
 * The bundles `serverless package` builds carry one database driver (package.json "imports"
 * conditions, esbuild.config.cjs). tests/packaging/deploy-bundle.test.ts checks what they carry; here
 * the providers function's bundle, unpacked from its zip, runs in a process of its own against
 * the test Postgres: it creates a provider and lists it, through the TCP driver alone and
 * through the Neon driver alone (over the local wsproxy, with the global WebSocket the
 * nodejs22.x bundle relies on instead of `ws`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleContents } from '../../scripts/bundle-contents';
import { packagedFunction } from '../../scripts/package-service';
import { useTestDatabase } from '../support/database';
import { useTestCatalogue } from '../support/catalogue';
import { v2Event } from '../../emulators/events';
import { startNeonWsProxy, type NeonWsProxy } from '../../emulators/neon-ws-proxy';
import { packaged, type Variant } from '../support/packaged';
import { runBundle } from '../support/run-bundle';

const db = useTestDatabase();
useTestCatalogue(db);
const ADMIN_KEY = 'deployed-bundle-admin-key';
let proxy: NeonWsProxy;

beforeAll(async () => {
  proxy = await startNeonWsProxy();
});
afterAll(async () => {
  await proxy?.close();
});

/** The providers function as packaged in `variant`, and whether its bundle carries `pkg`. */
async function packagedProviders(variant: Variant) {
  const pkg = await packaged(variant);
  const fn = packagedFunction(pkg, 'providers');
  const { packages } = await bundleContents(pkg, fn);
  return { file: fn.file, carries: (name: string) => name in packages };
}

/** Runs two requests through the bundle in a fresh node: create a provider, then list them. */
async function run(bundle: string, phone: string, env: Record<string, string>) {
  const auth = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
  const create = v2Event({
    method: 'POST',
    path: '/providers',
    headers: auth,
    body: JSON.stringify({ name: 'Bundle Plumbing', phone, categories: ['plumbing'], zipCodes: ['78701'] }),
  });
  const list = v2Event({ path: '/providers', headers: auth });
  // A deployed stage builds no SMS (the new provider's opt-in confirmation) without its brand.
  const sender = { SMS_BRAND_NAME: 'Bundle Pros', SUPPORT_CONTACT: 'help@bundle.example' };
  const { answers } = await runBundle(bundle, [create, list], {
    ADMIN_API_KEY: ADMIN_KEY,
    ...sender,
    ...env,
  });
  return { created: answers[0]!, listed: answers[1]! };
}

describe('one-driver bundles, as deployed', () => {
  // The first test file to ask builds the packages (tests/support/packaged.ts).
  beforeAll(() => Promise.all([packaged('lambda'), packaged('lambda-pg')]), 180_000);

  it('the TCP driver alone serves the providers function', async () => {
    const bundle = await packagedProviders('lambda-pg');
    expect(bundle.carries('pg')).toBe(true);
    expect(bundle.carries('@neondatabase/serverless')).toBe(false);
    const phone = '+15125550142';
    const { created, listed } = await run(bundle.file, phone, { DATABASE_URL: db.url });
    expect(created.statusCode, created.body).toBe(201);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).toContain(phone);
    expect(await db.query('select 1 from providers where phone = $1', [phone])).toHaveLength(1);
  });

  it('the Neon driver alone serves it through the wsproxy, without ws', async () => {
    const bundle = await packagedProviders('lambda');
    expect(bundle.carries('@neondatabase/serverless')).toBe(true);
    expect(bundle.carries('pg')).toBe(false);
    expect(bundle.carries('ws')).toBe(false);
    const phone = '+15125550143';
    const { created, listed } = await run(bundle.file, phone, {
      DATABASE_URL: db.url,
      DATABASE_DRIVER: 'neon',
      NEON_WS_PROXY: proxy.wsProxy,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(listed.body).toContain(phone);
    expect(await db.query('select 1 from providers where phone = $1', [phone])).toHaveLength(1);
  });

  it('a bundle without the driver its URL needs answers 503 saying so', async () => {
    const bundle = await packagedProviders('lambda');
    const { created } = await run(bundle.file, '+15125550144', { DATABASE_URL: db.url });
    expect(created.statusCode).toBe(503);
    expect(created.body).toContain('carries only the neon database driver');
  });
});
