/**
 * lib/secrets.ts against the SSM stand-in, in this process: when a function reads SSM (only
 * deployed: SECRETS_SSM_PATH set), how the values reach lib/config.ts, and how a parameter that
 * was missing at init is picked up a minute later without a new container. The packaged
 * functions doing this at their cold start: tests/packaging/deployed-secrets.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSsm, type FakeSsm } from '../../emulators/fake-ssm';
import { config, resetConfig } from '../../lib/config';
import { readSecrets, refreshSecrets, resetSecrets, secretProblems } from '../../lib/secrets';

let ssm: FakeSsm;
const saved = { ...process.env };

beforeAll(async () => {
  ssm = await startFakeSsm();
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  resetSecrets();
  resetConfig();
});
afterAll(() => ssm.close());

let stages = 0;
/** A deployed function reading `secrets` under a stage path of its own: returns the path. */
const deployed = (secrets: string) => {
  const path = `/lead-unlock/test${++stages}/`;
  Object.assign(process.env, ssm.env(), { SECRETS_SSM_PATH: path, SECRETS: secrets });
  return path;
};

describe('secrets from SSM', () => {
  it('locally (no SECRETS_SSM_PATH) SSM is never asked and the environment stands', async () => {
    Object.assign(process.env, ssm.env(), { LEAD_API_KEY: 'from-the-environment' });
    const before = ssm.calls.length;
    await readSecrets();
    expect(ssm.calls.length).toBe(before);
    expect(config().keys.leadApiKey).toBe('from-the-environment');
  });

  it('deployed: the parameters override the environment, through the one config parse', async () => {
    const PATH = deployed('LEAD_API_KEY,ADMIN_API_KEY');
    ssm.put(`${PATH}LEAD_API_KEY`, '  lead-key-from-ssm  ');
    ssm.put(`${PATH}ADMIN_API_KEY`, 'admin-key-from-ssm');
    process.env.LEAD_API_KEY = 'stale-environment-value';
    await readSecrets();
    // Trimmed as any configured key is (parseConfig's rules apply to SSM values too).
    expect(config().keys).toMatchObject({
      leadApiKey: 'lead-key-from-ssm',
      adminApiKey: 'admin-key-from-ssm',
    });
    expect(secretProblems()).toEqual({});
  });

  it('a parameter missing at init is read again at the first request a minute later, not before', async () => {
    const PATH = deployed('ADMIN_API_KEY');
    await readSecrets();
    expect(secretProblems()).toEqual({ ADMIN_API_KEY: 'missing' });
    expect(config().keys.adminApiKey).toBeUndefined();

    ssm.put(`${PATH}ADMIN_API_KEY`, 'put-after-the-deploy');
    const before = ssm.calls.length;
    await refreshSecrets(Date.now() + 30_000);
    expect(ssm.calls.length).toBe(before);
    expect(config().keys.adminApiKey).toBeUndefined();

    await refreshSecrets(Date.now() + 61_000);
    expect(ssm.calls.slice(before).map((c) => c.names)).toEqual([[`${PATH}ADMIN_API_KEY`]]);
    expect(config().keys.adminApiKey).toBe('put-after-the-deploy');
    expect(secretProblems()).toEqual({});
  });
});
