/**
 * The deployment's one SMS send rate (SMS_RATE_PER_SECOND, issue 26), against the TextMagic
 * stand-in enforcing the same rate (429 with Retry-After above it): senders in different
 * processes share it, a client's details go before pay links and pay links before teasers, a
 * request's own SMS does not jump the queue, and a 429 pauses every sender for its Retry-After.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { getDb } from '../../lib/db/client';
import { deadlineIn } from '../../lib/deadline';
import { queueSms, sendNow, type NewSms } from '../../lib/messaging/outbox';
import { useApp } from '../support/app';
import { outboxOfItsOwn } from '../support/outbox';
import { runInChild } from '../support/child-handler';
import { api, lead } from '../support/flow';

const RATE = 10;
const app = useApp({ env: { SMS_RATE_PER_SECOND: String(RATE) } });

let zipSeq = 0;
const uniqueZip = () => String(61000 + ++zipSeq);
let phoneSeq = 0;
const phone = () => `+1512555${String(++phoneSeq).padStart(4, '0')}`;

/** Queues `n` SMS due now; their bodies are `label 0`, `label 1`, … */
async function queue(n: number, label: string, kind: NewSms['kind'] = 'help', extra: Partial<NewSms> = {}) {
  return queueSms(
    await getDb(),
    Array.from({ length: n }, (_, i) => ({ kind, recipients: [phone()], body: `${label} ${i}`, ...extra })),
  );
}

/**
 * An open lead teased to a provider of its own (TextMagic's record cleared after): what more
 * teasers of it are queued with, and its zip, for another lead there.
 */
async function openLead() {
  const zip = uniqueZip();
  const provider = await api.addProvider({ zipCodes: [zip] });
  const created = await api.postLead(lead({ zipCode: zip }));
  expect(created.status).toBe(201);
  app.textmagic.reset();
  return { zip, teasers: { leadId: created.json.id as string, recipients: [provider.phone] } };
}

/** The texts TextMagic accepted, in the order it took them. */
const received = () => app.textmagic.sent.map((m) => m.text);

beforeEach(async () => {
  await outboxOfItsOwn(app);
  app.textmagic.limitRate(RATE);
});

afterAll(() => app.textmagic.limitRate(undefined));

describe('one rate for every container', () => {
  it('two dispatchers in processes of their own share it: TextMagic refuses none, each SMS goes once', async () => {
    await queue(40, 'shared');
    const runs = await Promise.all([
      runInChild('sms-dispatcher', {}, false),
      runInChild('sms-dispatcher', {}, false),
    ]);
    const done = runs.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { sms: { done: number } }).sms.done;
    });
    // Both sent: the rate was shared while both were sending.
    expect(done.every((d) => d > 0)).toBe(true);
    expect(done[0]! + done[1]!).toBe(40);
    expect(app.textmagic.rateLimited).toBe(0);
    expect(new Set(received()).size).toBe(40);
    expect(received()).toHaveLength(40);
    // Each run stays 10 s after its burst, for more.
  }, 60_000);

  it('the stand-in refuses a sender that ignores the rate', async () => {
    // The control for the test above: at twice the rate, TextMagic answers 429.
    const answers = await Promise.all(
      Array.from({ length: 2 * RATE }, () =>
        fetch(`${app.textmagic.url}/messages`, {
          method: 'POST',
          headers: {
            'X-TM-Username': app.textmagic.username,
            'X-TM-Key': app.textmagic.apiKey,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ text: 'too fast', phones: '15125550000' }),
        }),
      ),
    );
    const refused = answers.filter((a) => a.status === 429);
    // The bucket refills while they arrive: about half of them.
    expect(refused.length).toBeGreaterThanOrEqual(RATE / 2);
    expect(refused[0]!.headers.get('retry-after')).toBe('1');
    expect(await refused[0]!.json()).toEqual({ code: 429, message: 'Too Many Requests' });
  });
});

describe('priorities', () => {
  it("a client's details go first, then pay links, then teasers, whatever their age", async () => {
    const { teasers } = await openLead();
    // Teasers of an open lead, queued first, then a pay link, then a client's details.
    await queue(6, 'teaser', 'teaser', teasers);
    await queue(2, 'pay link', 'pay_link');
    await queue(2, 'details', 'details');
    const run = await dispatcher();
    expect(run.sms).toEqual({ done: 10, retry: 0, failed: 0 });
    expect(received()).toEqual([
      'details 0',
      'details 1',
      'pay link 0',
      'pay link 1',
      ...Array.from({ length: 6 }, (_, i) => `teaser ${i}`),
    ]);
    expect(app.textmagic.rateLimited).toBe(0);
  });

  it("a request's details go out at once while the dispatcher works through a queue of teasers", async () => {
    const { teasers } = await openLead();
    await queue(30, 'teaser', 'teaser', teasers);
    const draining = dispatcher();
    // Once the dispatcher has started on the teasers, a paid webhook's details arrive.
    while (app.textmagic.sent.length < 3) await new Promise((r) => setTimeout(r, 20));
    const [details] = await queue(1, 'details', 'details');
    await sendNow(await getDb(), [details!], deadlineIn(1500));
    const [row] = await app.db.query<{ status: string }>(`select status from sms_messages where id = $1`, [
      details,
    ]);
    // Sent within the request's budget, ahead of the teasers still queued.
    expect(row!.status).toBe('sent');
    const position = received().indexOf('details 0');
    expect(position).toBeGreaterThan(0);
    expect(position).toBeLessThan(15);
    await draining;
    expect(received()).toHaveLength(31);
    expect(app.textmagic.rateLimited).toBe(0);
  });

  it("a request's own teaser waits behind older ones", async () => {
    const { teasers } = await openLead();
    const older = await queue(4, 'older', 'teaser', teasers);
    const [own] = await queue(1, 'own', 'teaser', teasers);
    await sendNow(await getDb(), [own!], deadlineIn(1500));
    // Nothing jumped the queue: the request left its SMS queued behind the older ones.
    expect(received()).toEqual([]);
    const rows = await app.db.query<{ status: string }>(
      `select status from sms_messages where id = any($1::bigint[]) order by id`,
      [[...older, own]],
    );
    expect(rows.map((r) => r.status)).toEqual(Array(5).fill('queued'));
  });

  it('a new lead behind a queue of teasers sends the oldest with its budget, its own after them', async () => {
    const { zip, teasers } = await openLead();
    await queue(4, 'older', 'teaser', teasers);
    const created = await api.postLead(lead({ zipCode: zip }));
    expect(created.status).toBe(201);
    // Its budget (1.5 s at 10 a second) sent the queue in its order: the older first.
    const sent = received();
    expect(sent.slice(0, 4)).toEqual(['older 0', 'older 1', 'older 2', 'older 3']);
    expect(sent.findIndex((t) => t.includes(`YES ${created.json.code}`))).toBe(4);
  });
});

describe('a 429 pauses every sender', () => {
  it('the SMS it refused goes once its Retry-After has passed, in the same dispatcher run', async () => {
    await queue(3, 'paused');
    app.textmagic.fail(1, 429);
    const run = await dispatcher();
    expect(run.sms).toEqual({ done: 3, retry: 1, failed: 0 });
    expect([...received()].sort()).toEqual(['paused 0', 'paused 1', 'paused 2']);
    // One refusal, then each SMS once: the senders waited out the pause it set for all of them.
    expect(app.textmagic.requests).toBe(4);
    const [rate] = await app.db.query<{ paused: boolean }>(
      `select paused_until > now() - interval '10 seconds' as paused from sms_rate`,
    );
    expect(rate!.paused).toBe(true);
  });
});
