// A burst's backlog over serverless-offline (lib/messaging/dispatcher-kick.ts): a new lead whose
// teaser is left queued behind the send rate starts the dispatcher through serverless-offline's own
// Lambda Invoke endpoint, and the backlog goes out at once, not at the next scheduled run (which
// serverless-offline fires at each minute's start).
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import pg from 'pg';
import { phoneNumber } from '../support/app';
import { useTestDatabase } from '../support/database';
import { useTestCatalogue } from '../support/catalogue';
import { lead } from '../../emulators/lead-body';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { startOffline, type Offline } from '../support/offline';
import { fakeServicesEnv } from '../../emulators/fake-env';

const ADMIN = { authorization: 'Bearer local-admin-key', 'content-type': 'application/json' };
const LEAD_KEY = { 'x-api-key': 'local-lead-key', 'content-type': 'application/json' };
const RATE = 5;
const BACKLOG = 15;

const db = useTestDatabase();
useTestCatalogue(db);
let stripe: FakeStripe;
let textmagic: FakeTextMagic;
let offline: Offline;

beforeAll(async () => {
  stripe = await startFakeStripe();
  textmagic = await startFakeTextMagic({ ratePerSecond: RATE });
  offline = await startOffline({
    env: {
      DATABASE_URL: db.url,
      ...fakeServicesEnv(stripe, textmagic),
      SMS_RATE_PER_SECOND: String(RATE),
      LOG_LEVEL: 'info',
    },
  });
}, 120_000);

afterAll(async () => {
  await offline?.stop();
  await Promise.all([stripe?.close(), textmagic?.close()]);
}, 30_000);

const post = async (route: string, headers: Record<string, string>, body: unknown) => {
  const res = await fetch(`${offline.url}${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
};

/** Resolves within a minute, at a time with at least 25 s left before serverless-offline's next scheduled run. */
async function clearOfTheSchedule(): Promise<void> {
  for (;;) {
    const second = new Date().getSeconds();
    if (second >= 3 && second <= 35) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('serverless offline: a burst leaves a backlog', () => {
  it('the request that finds it starts the dispatcher, which sends it before the next scheduled run', async () => {
    onTestFailed(() => {
      console.error(`--- serverless offline output (last 8 KB) ---\n${offline.output().slice(-8_000)}`);
    });
    const zip = '78750';
    const provider = await post('/providers', ADMIN, {
      name: 'Pat Plumber',
      phone: phoneNumber(),
      categories: ['plumbing'],
      zipCodes: [zip],
    });
    expect(provider.status).toBe(201);
    const first = await post('/leads', LEAD_KEY, lead({ category: 'plumbing', zipCode: zip }));
    expect(first.status).toBe(201);

    await clearOfTheSchedule();
    // What a burst leaves: teasers of the open lead, due, more than one request's budget sends.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `insert into sms_messages (kind, recipients, body, lead_id)
         select 'teaser', array[$1], 'queued ' || i, $2::uuid from generate_series(1, ${BACKLOG}) i`,
        [provider.json.phone, first.json.id],
      );
    } finally {
      await client.end();
    }
    textmagic.reset();
    const postedAt = Date.now();
    const next = await post('/leads', LEAD_KEY, lead({ category: 'plumbing', zipCode: zip }));
    expect(next.status).toBe(201);
    const nextMinute = Math.ceil((postedAt + 1) / 60_000) * 60_000;

    // Every teaser sent, the new lead's last, within seconds: 16 at 5 a second, none refused.
    const deadline = Date.now() + 15_000;
    while (textmagic.sent.length < BACKLOG + 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(textmagic.sent).toHaveLength(BACKLOG + 1);
    expect(textmagic.sent.at(-1)!.text).toContain(`YES ${next.json.code}`);
    expect(textmagic.rateLimited).toBe(0);
    // Before serverless-offline's next scheduled run: a run the request started.
    expect(textmagic.sent.at(-1)!.receivedAt.getTime()).toBeLessThan(nextMinute);
    expect(offline.output()).toContain('dispatcher started for the queued SMS');
    // The run says what it sent once it ends (after a burst it waits 10 s for more).
    await expect
      .poll(() => offline.output(), { timeout: 30_000, interval: 500 })
      .toMatch(/"message":"dispatcher run \(kicked\)".*"done":([1-9]\d*)/);
  }, 90_000);
});
