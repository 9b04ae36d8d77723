/**
 * Secrets out of the deployed template (issue 20 §4). A stage is packaged with every secret set
 * as the README tells an operator to (SSM Parameter Store, here the stand-in), and, the way an
 * operator's shell often has them too, in the deploying environment: the template, the state
 * file and every zip carry none of them, only the parameter names. Then packaged functions run
 * as Lambda starts them (a process of their own, the template's environment, the credentials of
 * their role, whose policy the stand-in applies): they read their secrets from SSM at init and
 * serve real requests with them; a missing or unreadable parameter makes only what needs it
 * answer 503, health says which, and no value reaches the logs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import Stripe from 'stripe';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { v2Event } from '../../emulators/events';
import { startFakeSsm, type FakeSsm } from '../../emulators/fake-ssm';
import { startNeonWsProxy, type NeonWsProxy } from '../../emulators/neon-ws-proxy';
import { SECRET_NAMES } from '../../lib/secrets';
import { packagedFunction, packageService, type ServicePackage } from '../../scripts/package-service';
import { useTestDatabase } from '../support/database';
import { runBundle } from '../support/run-bundle';

const db = useTestDatabase();
const STAGE = 'prod';
const PATH = `/lead-unlock/${STAGE}/`;
const marker = (name: string) => `MARKER-${name}-7f3c9a`;
/** A Neon URL, so that the bundles are built as for a Neon deploy (the shell's URL picks the driver). */
const MARKED_DATABASE_URL = `postgres://lead:${marker('DATABASE_URL')}@ep-marker-pooler.us-east-2.aws.neon.tech/leads`;
const markedValue = (name: string) => (name === 'DATABASE_URL' ? MARKED_DATABASE_URL : marker(name));

type Statement = {
  Effect: string;
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, Record<string, unknown>>;
};
type Resource = {
  Type: string;
  Properties: {
    Role?: { 'Fn::GetAtt': [string, string] };
    Environment?: { Variables: Record<string, string> };
    Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }>;
  };
};
type Template = { Resources: Record<string, Resource> };

/** What serverless.yml declares each function reads. */
const declared = (): Record<string, string[]> => {
  const yml = parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'error' }) as {
    functions: Record<string, { secrets: string[] }>;
  };
  return Object.fromEntries(Object.entries(yml.functions).map(([fn, f]) => [fn, f.secrets]));
};

let ssm: FakeSsm;
let proxy: NeonWsProxy;
let pkg: ServicePackage;
let template: Template;
/** SSM calls made while packaging. */
let callsWhilePackaging = 0;

beforeAll(async () => {
  ssm = await startFakeSsm();
  proxy = await startNeonWsProxy();
  // README "Deploying": aws ssm put-parameter --type SecureString --name /lead-unlock/<stage>/<NAME>
  for (const name of SECRET_NAMES) ssm.put(`${PATH}${name}`, markedValue(name));
  pkg = await packageService({
    dir: path.join(inject('packageRoot'), 'prod-secrets'),
    stage: STAGE,
    env: { ...Object.fromEntries(SECRET_NAMES.map((n) => [n, markedValue(n)])), ...ssm.env() },
  });
  callsWhilePackaging = ssm.calls.length;
  template = JSON.parse(
    readFileSync(path.join(pkg.dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
}, 240_000);
afterAll(async () => {
  await ssm?.close();
  await proxy?.close();
});

/** `Fn::Sub` of the pseudo parameters as CloudFormation resolves them in the stand-in's account. */
const resolve = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (value as { 'Fn::Sub': string })['Fn::Sub'];
  return text
    .replaceAll('${AWS::Partition}', 'aws')
    .replaceAll('${AWS::Region}', ssm.region)
    .replaceAll('${AWS::AccountId}', ssm.accountId)
    .replaceAll('${AWS::URLSuffix}', 'amazonaws.com');
};

const lambdaOf = (fn: string) => {
  const id = Object.keys(template.Resources).find(
    (k) =>
      template.Resources[k]!.Type === 'AWS::Lambda::Function' &&
      k.toLowerCase() === `${fn}LambdaFunction`.toLowerCase(),
  );
  if (!id) throw new Error(`no Lambda function ${fn} in the template`);
  return template.Resources[id]!;
};

/** The statements of `fn`'s own role. */
const statementsOf = (fn: string): Statement[] => {
  const roleId = lambdaOf(fn).Properties.Role!['Fn::GetAtt'][0];
  const role = template.Resources[roleId]!;
  expect(role.Type).toBe('AWS::IAM::Role');
  return role.Properties.Policies!.flatMap((p) => p.PolicyDocument.Statement);
};

/** The parameter ARNs `fn`'s role may read with ssm:GetParameters. */
const readableBy = (fn: string) =>
  statementsOf(fn)
    .filter((s) => s.Effect === 'Allow' && s.Action.some((a) => a.startsWith('ssm:')))
    .flatMap((s) => {
      expect(s.Action).toEqual(['ssm:GetParameters']);
      return s.Resource.map(resolve);
    });

/**
 * Runs packaged function `fn` as Lambda would: the template's environment, SSM at the stand-in,
 * signed with the credentials of its role (the stand-in applies its policy), and the database
 * reached over the Neon driver the bundle carries (through the local wsproxy).
 */
async function runDeployed(fn: string, events: unknown[], extra: Record<string, string> = {}) {
  ssm.allow(`${fn}-role`, readableBy(fn));
  const variables = lambdaOf(fn).Properties.Environment!.Variables;
  return runBundle(packagedFunction(pkg, fn).file, events, {
    ...variables,
    ...ssm.env(`${fn}-role`),
    DATABASE_DRIVER: 'neon',
    NEON_WS_PROXY: proxy.wsProxy,
    LOG_LEVEL: 'info',
    ...extra,
  });
}

describe('a packaged stage', () => {
  it('carries no secret: not in the template, the state, nor any zip; SSM was not read to package it', () => {
    expect(callsWhilePackaging).toBe(0);
    const files = readdirSync(pkg.dir);
    const json = files.filter((f) => f.endsWith('.json'));
    expect(json).toContain('cloudformation-template-update-stack.json');
    for (const file of json) {
      const text = readFileSync(path.join(pkg.dir, file), 'utf8');
      expect(text.match(/MARKER-[A-Z_]+-7f3c9a/g), file).toBeNull();
    }
    const zips = files.filter((f) => f.endsWith('.zip'));
    expect(zips).toHaveLength(pkg.functions.length);
    for (const zip of zips) {
      for (const [entry, bytes] of Object.entries(unzipSync(readFileSync(path.join(pkg.dir, zip))))) {
        expect(
          Buffer.from(bytes)
            .toString('latin1')
            .match(/MARKER-[A-Z_]+-7f3c9a/g),
          `${zip}: ${entry}`,
        ).toBeNull();
      }
    }
  });

  it('gives each function the names of its own secrets, and a role that reads exactly those', () => {
    const table = declared();
    expect(Object.keys(table).sort()).toEqual(pkg.functions.map((f) => f.name).sort());
    for (const [fn, names] of Object.entries(table)) {
      const variables = lambdaOf(fn).Properties.Environment!.Variables;
      expect(variables.SECRETS_SSM_PATH, fn).toBe(PATH);
      expect(variables.SECRETS!.split(',').sort(), fn).toEqual([...names].sort());
      for (const name of SECRET_NAMES) expect(variables, `${fn}'s environment`).not.toHaveProperty(name);
      const arns = names.map((n) => ssm.arn(`${PATH}${n}`)).sort();
      expect(readableBy(fn).sort(), fn).toEqual(arns);
      // Decrypting: through SSM only, and only these parameters (their encryption context).
      const kms = statementsOf(fn).filter((s) => s.Action.some((a) => a.startsWith('kms:')));
      expect(kms, fn).toHaveLength(1);
      expect(kms[0]!.Action).toEqual(['kms:Decrypt']);
      const condition = kms[0]!.Condition!.StringEquals!;
      expect(resolve(condition['kms:ViaService'])).toBe(`ssm.${ssm.region}.amazonaws.com`);
      expect((condition['kms:EncryptionContext:PARAMETER_ARN'] as unknown[]).map(resolve).sort()).toEqual(
        arns,
      );
    }
    // Least privilege, as the code uses them: health reads the database alone.
    expect(table.health).toEqual(['DATABASE_URL']);
    // No role of the framework's own shared by all functions.
    expect(Object.keys(template.Resources)).not.toContain('IamRoleLambdaExecution');
  });

  it('lets the functions that take new leads start the dispatcher, it alone, and no other function any', () => {
    const dispatcherId = Object.keys(template.Resources).find((k) =>
      /^smsdispatcherlambdafunction$/i.test(k),
    )!;
    const dispatcher = template.Resources[dispatcherId]! as Resource & {
      Properties: { FunctionName?: string };
    };
    for (const fn of Object.keys(declared())) {
      const invokes = statementsOf(fn).filter((s) => s.Action.some((a) => a.startsWith('lambda:')));
      if (fn === 'createLead' || fn === 'intake') {
        expect(invokes, fn).toEqual([
          {
            Effect: 'Allow',
            Action: ['lambda:InvokeFunction'],
            Resource: [{ 'Fn::GetAtt': [dispatcherId, 'Arn'] }],
          },
        ]);
      } else {
        expect(invokes, fn).toEqual([]);
      }
      // The name it invokes is the dispatcher's, as deployed (lib/messaging/dispatcher-kick.ts).
      expect(lambdaOf(fn).Properties.Environment!.Variables.SMS_DISPATCHER_FUNCTION, fn).toBe(
        dispatcher.Properties.FunctionName,
      );
    }
    expect(dispatcher.Properties.FunctionName).toBe(`lead-unlock-${STAGE}-smsDispatcher`);
  });
});

/** `POST /stripe/webhook` with an event signed by `secret`. */
const webhook = (secret: string, id: string) => {
  const payload = JSON.stringify({
    id,
    object: 'event',
    type: 'customer.created',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'cus_from_ssm', object: 'customer' } },
  });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  return v2Event({
    method: 'POST',
    path: '/stripe/webhook',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    body: payload,
  });
};

describe('a packaged function at cold start', () => {
  const WEBHOOK_SECRET = 'whsec_read_from_ssm_at_init';
  beforeAll(() => {
    ssm.put(`${PATH}DATABASE_URL`, db.url);
    ssm.put(`${PATH}STRIPE_WEBHOOK_SECRET`, WEBHOOK_SECRET);
  });

  it('reads its secrets from SSM, its own only, and serves with them: the webhook verified, the database reached', async () => {
    const before = ssm.calls.length;
    const { answers, output } = await runDeployed('stripeWebhook', [
      webhook(WEBHOOK_SECRET, 'evt_ssm_1'),
      webhook(marker('STRIPE_WEBHOOK_SECRET'), 'evt_ssm_2'),
    ]);
    expect(answers[0]!.statusCode, answers[0]!.body).toBe(200);
    expect(answers[1]!.statusCode).toBe(400);
    expect(JSON.parse(answers[1]!.body).error.code).toBe('invalid_signature');
    // The event was recorded in the database named by the SSM parameter.
    expect(await db.query('select 1 from stripe_events where id = $1', ['evt_ssm_1'])).toHaveLength(1);
    // One call at init, decrypting exactly the function's declared parameters.
    const calls = ssm.calls.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.withDecryption).toBe(true);
    expect(calls[0]!.names.sort()).toEqual(
      declared()
        .stripeWebhook!.map((n) => `${PATH}${n}`)
        .sort(),
    );
    expect(output).not.toContain(WEBHOOK_SECRET);
    expect(output).not.toContain(db.url);
  });

  it('health: the database from SSM answers 200', async () => {
    const { answers } = await runDeployed('health', [v2Event({ path: '/health' })]);
    const body = JSON.parse(answers[0]!.body);
    expect(answers[0]!.statusCode, answers[0]!.body).toBe(200);
    expect(body.checks.database.status).toBe('ok');
    // It holds no Stripe or TextMagic key, and says so rather than guess.
    expect(body.checks.stripe.status).toBe('not_checked');
    expect(body.checks.secrets).toBeUndefined();
  });
});

describe('a parameter missing or unreadable in a deployed stage', () => {
  beforeAll(() => {
    ssm.put(`${PATH}DATABASE_URL`, db.url);
  });

  it('the webhook without its secret answers 503 not_configured; init did not fail; the logs name it, never a value', async () => {
    ssm.delete(`${PATH}STRIPE_WEBHOOK_SECRET`);
    const { answers, output } = await runDeployed('stripeWebhook', [webhook('whsec_any', 'evt_ssm_3')]);
    expect(answers[0]!.statusCode).toBe(503);
    expect(JSON.parse(answers[0]!.body).error.code).toBe('not_configured');
    expect(output).toContain(`${PATH}STRIPE_WEBHOOK_SECRET`);
    for (const name of SECRET_NAMES) expect(output).not.toContain(marker(name));
    expect(output).not.toContain(db.url);
  });

  it('health without DATABASE_URL answers 503 and says the parameter is missing', async () => {
    ssm.delete(`${PATH}DATABASE_URL`);
    try {
      const { answers } = await runDeployed('health', [v2Event({ path: '/health' })]);
      expect(answers[0]!.statusCode).toBe(503);
      const body = JSON.parse(answers[0]!.body);
      expect(body.checks.database).toMatchObject({
        status: 'error',
        message: 'database not configured (DATABASE_URL)',
      });
      expect(body.checks.secrets).toEqual({ status: 'error', problems: { DATABASE_URL: 'missing' } });
    } finally {
      ssm.put(`${PATH}DATABASE_URL`, db.url);
    }
  });

  it('SSM throttled past the retry, or the role denied: unreadable, reported, and the container serves what it can', async () => {
    ssm.throttle(2);
    const throttled = await runDeployed('health', [v2Event({ path: '/health' })]);
    expect(throttled.answers[0]!.statusCode).toBe(503);
    expect(JSON.parse(throttled.answers[0]!.body).checks.secrets.problems).toEqual({
      DATABASE_URL: 'unreadable',
    });
    expect(throttled.output).toContain('ThrottlingException');

    // One throttled answer is retried: the read succeeds.
    ssm.throttle(1);
    const retried = await runDeployed('health', [v2Event({ path: '/health' })]);
    expect(retried.answers[0]!.statusCode).toBe(200);

    // A role that may not read its parameter (the function's names outside its policy).
    const denied = await runDeployed('health', [v2Event({ path: '/health' })], {
      SECRETS: 'DATABASE_URL,STRIPE_SECRET_KEY',
    });
    expect(denied.answers[0]!.statusCode).toBe(503);
    expect(JSON.parse(denied.answers[0]!.body).checks.secrets.problems).toEqual({
      DATABASE_URL: 'unreadable',
      STRIPE_SECRET_KEY: 'unreadable',
    });
    expect(denied.output).toContain('AccessDeniedException');
  });
});
