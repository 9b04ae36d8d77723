/**
 * A burst's backlog does not wait for the next scheduled run (lib/messaging/dispatcher-kick.ts):
 * a new lead whose teaser is left queued behind the send rate starts one dispatcher run at once,
 * through Lambda's asynchronous Invoke (the stand-in, emulators/fake-lambda.ts, runs the real
 * dispatcher handler in this process, as Lambda would run it), and no second one while a run
 * sends; Lambda refusing the invoke loses nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { awsRequest } from '../../lib/aws-request';
import { resetConfig } from '../../lib/config';
import { getDb } from '../../lib/db/client';
import { queueSms } from '../../lib/messaging/outbox';
import { startFakeLambda, type FakeLambda } from '../../emulators/fake-lambda';
import { useApp } from '../support/app';
import { outboxOfItsOwn } from '../support/outbox';
import { api, lead } from '../support/flow';

const RATE = 10;
const DISPATCHER = 'lead-unlock-test-smsDispatcher';
const app = useApp({ env: { SMS_RATE_PER_SECOND: String(RATE) } });
let lambda: FakeLambda;
const set: string[] = [];

beforeAll(async () => {
  lambda = await startFakeLambda();
  lambda.define(DISPATCHER, (event) => dispatcher(event));
  for (const [k, v] of Object.entries({ ...lambda.env(), SMS_DISPATCHER_FUNCTION: DISPATCHER })) {
    process.env[k] = v;
    set.push(k);
  }
  resetConfig();
});

afterAll(async () => {
  await Promise.allSettled(lambda.runs);
  for (const k of set) delete process.env[k];
  resetConfig();
  await lambda.close();
});

beforeEach(async () => {
  await Promise.allSettled(lambda.runs);
  lambda.invocations.length = 0;
  lambda.runs.length = 0;
  lambda.allow('AKIDFAKELAMBDA', [DISPATCHER]);
  await outboxOfItsOwn(app);
});

let zipSeq = 0;

/**
 * `n` teasers of an open lead of its own queued and due, as a burst leaves them (to the lead's
 * provider, who may get them: a teaser no one may get is cancelled, not sent); its zip.
 */
async function backlog(n: number) {
  const zip = String(62000 + ++zipSeq);
  const provider = await api.addProvider({ zipCodes: [zip] });
  const created = await api.postLead(lead({ zipCode: zip }));
  expect(created.status).toBe(201);
  await outboxOfItsOwn(app);
  await queueSms(
    await getDb(),
    Array.from({ length: n }, (_, i) => ({
      kind: 'teaser' as const,
      recipients: [provider.phone],
      body: `queued ${i}`,
      leadId: created.json.id as string,
    })),
  );
  return zip;
}

const queued = async () =>
  Number(
    (await app.db.query<{ n: string }>(`select count(*) as n from sms_messages where status = 'queued'`))[0]!
      .n,
  );

describe('a backlog starts the dispatcher', () => {
  it('leads behind a queue start one run, asynchronously and signed, which sends the whole queue', async () => {
    const zip = await backlog(25);
    // Three leads at once, each behind the queue (28 teasers at 10 a second: 2.8 s of sends).
    const posted = await Promise.all([1, 2, 3].map(() => api.postLead(lead({ zipCode: zip }))));
    expect(posted.map((p) => p.status)).toEqual([201, 201, 201]);
    // One run for the deployment, however many requests found a backlog.
    expect(lambda.invocations).toHaveLength(1);
    expect(lambda.invocations[0]).toMatchObject({
      functionName: DISPATCHER,
      invocationType: 'Event',
      payload: { kick: 'sms' },
    });
    // Its requests answered after their 1.5 s budgets with part of the queue still queued...
    expect(await queued()).toBeGreaterThan(0);
    // ...which the run sends, every SMS once, none refused by TextMagic's rate.
    await Promise.all(lambda.runs);
    expect(await queued()).toBe(0);
    expect(app.textmagic.sent).toHaveLength(28);
    expect(new Set(app.textmagic.sent.map((m) => m.text)).size).toBe(28);
    // Done, the run hands the lease back: the next backlog may start one at once.
    const [rate] = await app.db.query<{ free: boolean }>(
      `select dispatcher_until <= now() as free from sms_rate`,
    );
    expect(rate!.free).toBe(true);
  }, 30_000);

  it('no run is started while one is sending', async () => {
    const zip = await backlog(12);
    const sending = dispatcher();
    while (app.textmagic.sent.length < 2) await new Promise((r) => setTimeout(r, 20));
    const posted = await api.postLead(lead({ zipCode: zip }));
    expect(posted.status).toBe(201);
    expect(lambda.invocations).toEqual([]);
    await sending;
    expect(await queued()).toBe(0);
  }, 30_000);

  it('a lead with no queue ahead sends its teaser itself and starts nothing', async () => {
    const zip = String(62900 + ++zipSeq);
    await api.addProvider({ zipCodes: [zip] });
    await outboxOfItsOwn(app);
    expect((await api.postLead(lead({ zipCode: zip }))).status).toBe(201);
    expect(app.textmagic.sent).toHaveLength(1);
    expect(lambda.invocations).toEqual([]);
  });

  it('Lambda refusing the invoke (no permission) loses nothing: the lead is made, the queue waits for the schedule', async () => {
    const zip = await backlog(20);
    lambda.allow('AKIDFAKELAMBDA', []);
    const posted = await api.postLead(lead({ zipCode: zip }));
    expect(posted.status).toBe(201);
    expect(lambda.invocations).toEqual([]);
    const left = await queued();
    expect(left).toBeGreaterThan(0);
    // The scheduled run sends what is left, the new lead's teaser with it.
    const run = await dispatcher();
    expect(run.sms.done).toBe(left);
    expect(app.textmagic.sent.some((m) => m.text.includes(`YES ${posted.json.code}`))).toBe(true);
  }, 30_000);
});

describe('the Lambda Invoke stand-in refuses what Lambda refuses', () => {
  const invoke = (name: string, type = 'Event') =>
    awsRequest(
      {
        service: 'lambda',
        method: 'POST',
        path: `/2015-03-31/functions/${name}/invocations`,
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': type },
        body: '{}',
        timeoutMs: 2_000,
      },
      { ...lambda.env() },
    );

  it('an unsigned request, a function it does not have, and throttling, each with its error type', async () => {
    const unsigned = await fetch(`${lambda.url}/2015-03-31/functions/${DISPATCHER}/invocations`, {
      method: 'POST',
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    // Allowed by the policy (Lambda answers AccessDenied before it looks for the function).
    lambda.allow('AKIDFAKELAMBDA', [DISPATCHER, 'no-such-function']);
    const unknown = await invoke('no-such-function');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(unknown.body!)).toEqual({
      Message: `Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function`,
      Type: 'User',
    });
    lambda.throttle(1);
    expect((await invoke(DISPATCHER)).status).toBe(429);
    expect(lambda.invocations).toEqual([]);
  });

  it('an asynchronous invoke is answered 202 with no body, before the function runs', async () => {
    const accepted = await invoke(DISPATCHER);
    expect([accepted.status, accepted.body]).toEqual([202, '']);
    expect(lambda.invocations).toMatchObject([{ functionName: DISPATCHER, invocationType: 'Event' }]);
    await Promise.all(lambda.runs);
  });
});
