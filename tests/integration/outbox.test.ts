/**
 * The SMS outbox and the scheduled dispatcher: what TextMagic receives, and the outbox rows,
 * when TextMagic fails in the ways it does.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { resetConfig } from '../../lib/config';
import { getDb } from '../../lib/db/client';
import { deadlineIn } from '../../lib/deadline';
import { queueSms, sendNow } from '../../lib/messaging/outbox';
import { retryDelayMs } from '../../lib/queue/backoff';
import { tmDigits, useApp } from '../support/app';
import { outboxOfItsOwn } from '../support/outbox';
import { api, lead, linkToken } from '../support/flow';
import type { FaultMode } from '../../emulators/textmagic/faults';

const app = useApp();

let zipSeq = 0;
const uniqueZip = () => String(50000 + ++zipSeq);

type Row = {
  id: number;
  kind: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  transport: string | null;
  provider_message_id: string | null;
  body: string;
  recipients: string[];
  /** Seconds from now to next_attempt_at. */
  due_in_s: number;
  sent_at: Date | null;
};

const row = async (id: number): Promise<Row> =>
  (
    await app.db.query<Row>(
      `select id::int, kind, status, attempts, last_error, transport, provider_message_id, body, recipients, sent_at,
            extract(epoch from next_attempt_at - now())::float as due_in_s
       from sms_messages where id = $1`,
      [id],
    )
  )[0]!;

const makeDue = (ids: number[]) =>
  app.db.query(
    `update sms_messages set next_attempt_at = now() - interval '1 second' where id = any($1::bigint[])`,
    [ids],
  );

/**
 * A lead teased to one provider of its own; returns the teaser's outbox row id. The provider's
 * opt-in confirmation goes out when they are added, before any teaser: TextMagic's counts are reset
 * after it, and `fault` is injected then, so both count and hit the teaser's send alone.
 */
async function teaser(fault?: FaultMode): Promise<{ smsId: number; phone: string; code: string }> {
  const zip = uniqueZip();
  const provider = await api.addProvider({ zipCodes: [zip] });
  app.textmagic.reset();
  if (fault) app.textmagic.fail(1, fault);
  const created = await api.postLead(lead({ zipCode: zip }));
  expect(created.status).toBe(201);
  const [r] = await app.db.query<{ id: number }>(
    `select id::int from sms_messages where lead_id = $1 and kind = 'teaser'`,
    [created.json.id],
  );
  return { smsId: r!.id, phone: provider.phone, code: created.json.code };
}

/** How many times TextMagic accepted this exact text. */
const timesSent = (text: string) => app.textmagic.sent.filter((m) => m.text === text).length;

beforeEach(() => outboxOfItsOwn(app));

describe('a send that fails is kept and retried', () => {
  it('TextMagic 503: queued, the first retry about a minute ahead', async () => {
    const { smsId, phone } = await teaser(503);
    expect(app.textmagic.requests).toBe(1);
    expect(app.textmagic.sent).toHaveLength(0);
    const r = await row(smsId);
    expect(r).toMatchObject({
      status: 'queued',
      attempts: 1,
      transport: null,
      provider_message_id: null,
      sent_at: null,
    });
    expect(r.recipients).toEqual([phone]);
    expect(r.last_error).toContain('503');
    expect(r.due_in_s).toBeGreaterThan(50);
    expect(r.due_in_s).toBeLessThanOrEqual(60);
  });

  it('the dispatcher sends nothing before it is due, then sends it exactly once', async () => {
    const { smsId, phone, code } = await teaser(503);
    app.textmagic.reset();

    const early = await dispatcher();
    expect(early.sms).toEqual({ done: 0, retry: 0, failed: 0 });
    expect(app.textmagic.requests).toBe(0);
    expect(await row(smsId)).toMatchObject({ status: 'queued', attempts: 1 });

    await makeDue([smsId]);
    const [first, second] = [await dispatcher(), await dispatcher()];
    expect(first.sms).toEqual({ done: 1, retry: 0, failed: 0 });
    expect(second.sms).toEqual({ done: 0, retry: 0, failed: 0 });
    expect(app.textmagic.sent).toHaveLength(1);
    expect(app.textmagic.sent[0]!.phones).toEqual([tmDigits(phone)]);
    expect(app.textmagic.sent[0]!.text).toContain(`YES ${code}`);

    const r = await row(smsId);
    expect(r).toMatchObject({
      status: 'sent',
      attempts: 2,
      last_error: null,
      transport: 'textmagic',
      provider_message_id: String(app.textmagic.sent[0]!.id),
    });
    expect(r.sent_at).not.toBeNull();
  });

  it.each([
    [429, /429/],
    ['timeout', /did not answer within 1000 ms/],
    ['reset', /unreachable/i],
    [503, /503/],
  ] as const)('%s is retried', async (mode, error) => {
    const { smsId } = await teaser(mode);
    const r = await row(smsId);
    // A 429 is TextMagic's rate, not a try of this SMS: uncounted, due again after its
    // Retry-After (1 s). Every other fault counts and backs off a minute.
    const counted = mode === 429 ? 0 : 1;
    expect(r).toMatchObject({ status: 'queued', attempts: counted });
    expect(r.last_error).toMatch(error);
    if (mode === 429) expect(r.due_in_s).toBeLessThanOrEqual(1);
    else expect(r.due_in_s).toBeGreaterThan(50);
    expect(app.textmagic.sent).toHaveLength(0);

    await makeDue([smsId]);
    expect((await dispatcher()).sms.done).toBe(1);
    expect(timesSent(r.body)).toBe(1);
    expect(await row(smsId)).toMatchObject({ status: 'sent', attempts: counted + 1, last_error: null });
  });

  it('a 201 whose body never finishes counts as sent: TextMagic took it, so it is not sent twice', async () => {
    const { smsId } = await teaser('hang');
    const r = await row(smsId);
    expect(r.status).toBe('sent');
    await makeDue([smsId]);
    expect((await dispatcher()).sms.done).toBe(0);
  });

  it.each([400, 401] as const)('a %s from TextMagic marks it failed at once', async (mode) => {
    const { smsId } = await teaser(mode);
    const r = await row(smsId);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.last_error).toContain(String(mode));

    await makeDue([smsId]);
    const run = await dispatcher();
    expect(run.sms).toEqual({ done: 0, retry: 0, failed: 0 });
    expect(app.textmagic.requests).toBe(1);
    expect(await row(smsId)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('after 10 failed tries it is failed with last_error set; the delays back off 1, 2, 4… 30 minutes', async () => {
    const { smsId } = await teaser(503);
    for (let attempts = 1; attempts <= 9; attempts++) {
      const r = await row(smsId);
      expect(r).toMatchObject({ status: 'queued', attempts });
      // next_attempt_at was set to now + the backoff for this many tries (a few seconds' slack).
      const expected = retryDelayMs(attempts) / 1000;
      expect(r.due_in_s).toBeGreaterThan(expected - 10);
      expect(r.due_in_s).toBeLessThanOrEqual(expected);

      app.textmagic.fail(1, attempts % 2 ? 503 : 'reset');
      await makeDue([smsId]);
      const run = await dispatcher();
      expect(run.sms).toEqual(
        attempts < 9 ? { done: 0, retry: 1, failed: 0 } : { done: 0, retry: 0, failed: 1 },
      );
    }
    const r = await row(smsId);
    expect(r).toMatchObject({ status: 'failed', attempts: 10 });
    expect(r.last_error).toMatch(/TextMagic (answered 503|unreachable)/);
    expect(app.textmagic.requests).toBe(10);
    expect(app.textmagic.sent).toHaveLength(0);

    // Failed for good: the dispatcher leaves it alone.
    await makeDue([smsId]);
    expect((await dispatcher()).sms).toEqual({ done: 0, retry: 0, failed: 0 });
    expect(app.textmagic.requests).toBe(10);
  });
});

describe('without TextMagic credentials', () => {
  const saved: Record<string, string | undefined> = {};
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
    vi.restoreAllMocks();
  });

  it('SMS are stored as sent with transport "log", and the log masks phone numbers and e-mails', async () => {
    saved.TEXTMAGIC_USERNAME = process.env.TEXTMAGIC_USERNAME;
    saved.LOG_LEVEL = process.env.LOG_LEVEL;
    delete process.env.TEXTMAGIC_USERNAME;
    process.env.LOG_LEVEL = 'info';
    resetConfig();
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)));

    // The whole flow: teaser, pay link, details (which carry the client's phone and e-mail).
    const { smsId, phone, code } = await teaser();
    const before = await row(smsId);
    expect(before).toMatchObject({
      status: 'sent',
      transport: 'log',
      attempts: 1,
      provider_message_id: null,
    });
    const link = await api.reply(phone, `YES ${code}`);
    expect(link.status).toBe(200);
    const [payLink] = await app.db.query<{ body: string }>(
      `select body from sms_messages where kind = 'pay_link' and $1 = any(recipients)`,
      [phone],
    );
    const pay = await api.openPayLink(linkToken(payLink!.body));
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
    expect((await api.webhook(payload, header)).status).toBe(200);

    expect(app.textmagic.requests).toBe(0);
    const rows = await app.db.query<{ kind: string; status: string; transport: string; body: string }>(
      `select kind, status, transport, body from sms_messages where $1 = any(recipients) order by id`,
      [phone],
    );
    expect(rows.map((r) => [r.kind, r.status, r.transport])).toEqual([
      ['opted_in', 'sent', 'log'],
      ['teaser', 'sent', 'log'],
      ['pay_link', 'sent', 'log'],
      ['details', 'sent', 'log'],
    ]);
    expect(rows[3]!.body).toContain('+15125550142');

    const smsLines = logged.filter((l) => l.includes('SMS not sent'));
    expect(smsLines).toHaveLength(4);
    const all = logged.join('\n');
    const digits = tmDigits(phone);
    expect(all).not.toContain(digits);
    expect(all).not.toContain(digits.slice(1)); // nor without the country code
    expect(all).not.toContain('5125550142');
    expect(all).not.toContain('555-0142');
    expect(all).not.toContain('jane.client@example.com');
    for (const line of smsLines) {
      const entry = JSON.parse(line) as { level: string; to: string[]; kind: string; body: string };
      expect(entry.level).toBe('info');
      expect(entry.to).toEqual([expect.stringMatching(/^\+1\*+\d\d$/)]);
      expect(entry.to[0]!.slice(-2)).toBe(digits.slice(-2));
    }
    // The details hold the client's name and description: logged by their ids, never their text.
    const details = JSON.parse(smsLines[3]!) as { body?: string; kind: string; leadId: string };
    expect(details).toMatchObject({ kind: 'details', leadId: expect.any(String) });
    expect(details.body).toBeUndefined();
    expect(all).not.toContain('Jane Client');

    // Nothing queued for the dispatcher.
    expect((await dispatcher()).sms.done).toBe(0);
  });
});

describe('the dispatcher claims rows with FOR UPDATE SKIP LOCKED', () => {
  it('a row locked by another transaction is skipped without waiting, and sent once it is free', async () => {
    const a = await teaser(503);
    const b = await teaser(503);
    const c = await teaser(503);
    app.textmagic.reset();
    await makeDue([a.smsId, b.smsId, c.smsId]);

    const other = new pg.Client({ connectionString: app.db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select id from sms_messages where id = $1 for update', [b.smsId]);
      const run = await Promise.race([
        dispatcher(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the dispatcher waited for a locked row')), 5000),
        ),
      ]);
      expect(run.sms.done).toBe(2);
      expect(await row(b.smsId)).toMatchObject({ status: 'queued', attempts: 1 });
      await other.query('rollback');
    } finally {
      await other.end();
    }
    expect((await dispatcher()).sms.done).toBe(1);
    for (const t of [a, b, c]) {
      expect(await row(t.smsId)).toMatchObject({ status: 'sent', attempts: 2 });
      expect(timesSent((await row(t.smsId)).body)).toBe(1);
    }
  });

  it('dispatcher runs at the same time send each due SMS exactly once', async () => {
    const n = 12;
    const queued = [];
    for (let i = 0; i < n; i++) queued.push(await teaser(503));
    app.textmagic.reset();
    const ids = queued.map((t) => t.smsId);
    await makeDue(ids);

    const runs = await Promise.all(Array.from({ length: 4 }, () => dispatcher()));
    expect(runs.reduce((sum, r) => sum + r.sms.done, 0)).toBe(n);
    expect(runs.every((r) => r.sms.retry === 0 && r.sms.failed === 0)).toBe(true);
    expect(app.textmagic.requests).toBe(n);
    for (const t of queued) {
      const r = await row(t.smsId);
      expect(r).toMatchObject({ status: 'sent', attempts: 2 });
      expect(timesSent(r.body)).toBe(1);
    }
    expect((await Promise.all([dispatcher(), dispatcher()])).map((r) => r.sms.done)).toEqual([0, 0]);
  });

  it('a request sending its SMS and dispatchers running at the same time send it once', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    // Make earlier failures due so the dispatchers have work of their own meanwhile.
    const others = [await teaser(503), await teaser(503), await teaser(503)];
    app.textmagic.reset();
    await makeDue(others.map((t) => t.smsId));

    const [created] = await Promise.all([api.postLead(lead({ zipCode: zip })), dispatcher(), dispatcher()]);
    expect(created.status).toBe(201);
    await dispatcher();
    expect(app.textmagic.sent.filter((m) => m.text.includes(`YES ${created.json.code}`))).toHaveLength(1);
    for (const t of others) expect(timesSent((await row(t.smsId)).body)).toBe(1);
  });
});

describe('sending after commit keeps to the request’s budget', () => {
  it('a hung send uses the budget up: it counts its try, the SMS not reached are due at once, uncounted', async () => {
    const db = await getDb();
    const a = await api.addProvider({ zipCodes: [uniqueZip()] });
    const b = await api.addProvider({ zipCodes: [uniqueZip()] });
    const ids = await db.transaction((tx) =>
      queueSms(tx, [
        { kind: 'help', recipients: [a.phone], body: `budget test A ${a.phone}` },
        { kind: 'help', recipients: [b.phone], body: `budget test B ${b.phone}` },
      ]),
    );
    app.textmagic.reset(); // the providers' opt-in confirmations went out when they were added
    app.textmagic.fail(1, 'timeout');
    await sendNow(db, ids, deadlineIn(300));

    const [first, second] = [await row(ids[0]!), await row(ids[1]!)];
    expect(first).toMatchObject({ status: 'queued', attempts: 1 });
    expect(first.last_error).toMatch(/did not answer within \d+ ms/);
    expect(first.due_in_s).toBeGreaterThan(50); // a try that may have reached TextMagic: backoff
    expect(second).toMatchObject({ status: 'queued', attempts: 0, last_error: null });
    expect(second.due_in_s).toBeLessThanOrEqual(0); // never tried: the next dispatcher run takes it
    expect(app.textmagic.unanswered).toHaveLength(1);
    expect(app.textmagic.requests).toBe(1);

    await makeDue([ids[0]!]);
    expect((await dispatcher()).sms.done).toBe(2);
    expect(timesSent(first.body)).toBe(1);
    expect(timesSent(second.body)).toBe(1);
  });
});
