// A burst's backlog over serverless-offline (lib/messaging/dispatcher-kick.ts): a new lead whose
// teaser is left queued behind the send rate starts the dispatcher through serverless-offline's own
// Lambda Invoke endpoint, and the backlog goes out at once, not at the next scheduled run (which
// serverless-offline fires at each minute's start).
import { describe, expect, it } from 'vitest';
import { phoneNumber } from '../support/app';
import { useTestDatabase } from '../support/database';
import { useTestCatalogue } from '../support/catalogue';
import { lead } from '../../emulators/lead-body';
import { showServerOnFailure, useOfflineApi } from '../support/offline';

const ADMIN = { authorization: 'Bearer local-admin-key', 'content-type': 'application/json' };
const LEAD_KEY = { 'x-api-key': 'local-lead-key', 'content-type': 'application/json' };
const RATE = 5;
const BACKLOG = 15;

const db = useTestDatabase();
useTestCatalogue(db);
const stack = useOfflineApi(db, {
  env: { SMS_RATE_PER_SECOND: String(RATE), LOG_LEVEL: 'info' },
  textmagic: { ratePerSecond: RATE },
});

const post = async (route: string, headers: Record<string, string>, body: unknown) => {
  const res = await fetch(`${stack.offline.url}${route}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
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
    showServerOnFailure(stack.offline);
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
    await db.query(
      `insert into sms_messages (kind, recipients, body, lead_id)
       select 'teaser', array[$1], 'queued ' || i, $2::uuid from generate_series(1, ${BACKLOG}) i`,
      [provider.json.phone, first.json.id],
    );
    stack.textmagic.reset();
    const postedAt = Date.now();
    const next = await post('/leads', LEAD_KEY, lead({ category: 'plumbing', zipCode: zip }));
    expect(next.status).toBe(201);
    const nextMinute = Math.ceil((postedAt + 1) / 60_000) * 60_000;

    // Every teaser sent, the new lead's last, within seconds: 16 at 5 a second, none refused.
    const deadline = Date.now() + 15_000;
    while (stack.textmagic.sent.length < BACKLOG + 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stack.textmagic.sent).toHaveLength(BACKLOG + 1);
    expect(stack.textmagic.sent.at(-1)!.text).toContain(`YES ${next.json.code}`);
    expect(stack.textmagic.rateLimited).toBe(0);
    // Before serverless-offline's next scheduled run: a run the request started.
    expect(stack.textmagic.sent.at(-1)!.receivedAt.getTime()).toBeLessThan(nextMinute);
    expect(stack.offline.output()).toContain('dispatcher started for the queued SMS');
    // The run says what it sent once it ends (after a burst it waits 10 s for more).
    await expect
      .poll(() => stack.offline.output(), { timeout: 30_000, interval: 500 })
      .toMatch(/"message":"dispatcher run \(kicked\)".*"done":([1-9]\d*)/);
  }, 90_000);
});
