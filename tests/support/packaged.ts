/**
 * The service as `serverless package` builds it, once per test run and variant whichever test
 * files ask (they run in separate processes: the first to ask builds, under a lock directory,
 * the others wait for its result), into the run's folder that global-setup.ts names and removes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { packageService, type ServicePackage } from '../../scripts/package-service';

/** How the deploying environment differs from an empty one, per variant. */
const VARIANTS = {
  /** The deploy default: DATABASE_URL unknown at package time (from SSM). */
  lambda: {},
  /** A deployer whose DATABASE_URL names a Postgres other than Neon. */
  'lambda-pg': { DATABASE_URL: 'postgres://u:p@db.example.com/leads' },
  /** What serverless-offline runs under `npm start`. */
  offline: { BUNDLE_TARGET: 'offline' },
} satisfies Record<string, Record<string, string>>;

export type Variant = keyof typeof VARIANTS;

/** Longer than a package takes on 2 busy CPUs; a builder that died leaves no result behind. */
const WAIT_MS = 180_000;

const inProcess = new Map<Variant, Promise<ServicePackage>>();

export function packaged(variant: Variant): Promise<ServicePackage> {
  let p = inProcess.get(variant);
  if (!p) inProcess.set(variant, (p = packageOnce(variant)));
  return p;
}

async function packageOnce(variant: Variant): Promise<ServicePackage> {
  const root = inject('packageRoot');
  mkdirSync(root, { recursive: true });
  const result = path.join(root, `${variant}.json`);
  const failed = path.join(root, `${variant}.failed`);
  try {
    mkdirSync(path.join(root, `${variant}.lock`));
  } catch {
    const deadline = Date.now() + WAIT_MS;
    while (!existsSync(result)) {
      if (existsSync(failed)) throw new Error(readFileSync(failed, 'utf8'));
      if (Date.now() > deadline) throw new Error(`no ${variant} package in ${root} after ${WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return JSON.parse(readFileSync(result, 'utf8')) as ServicePackage;
  }
  try {
    const pkg = await packageService({ dir: path.join(root, variant), env: VARIANTS[variant] });
    writeFileSync(`${result}.tmp`, JSON.stringify(pkg));
    renameSync(`${result}.tmp`, result);
    return pkg;
  } catch (e) {
    writeFileSync(failed, (e as Error).message);
    throw e;
  }
}
