/**
 * Never twice, even when TextMagic does not answer: a send whose answer was lost (TextMagic took
 * the message, our request never heard) is looked up at TextMagic before the retry and recorded
 * as sent, not sent again; one that truly did not reach TextMagic is sent on the retry; a lookup
 * that fails sends nothing and leaves the SMS queued. Counts are taken at the fake: what the
 * phones got.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { getDb } from '../../lib/db/client';
import { queueSms, sendNow } from '../../lib/messaging/outbox';
import { tmDigits, useApp } from '../support/app';
import { outboxOfItsOwn } from '../support/outbox';
import { api, lead } from '../support/flow';
import type { FaultMode } from '../../emulators/fake-textmagic';

const app = useApp();

let zipSeq = 0;
const uniqueZip = () => String(61000 + ++zipSeq);

type Row = {
  status: string;
  attempts: number;
  last_error: string | null;
  provider_message_id: string | null;
  provider_session_id: string | null;
  unheard_since: Date | null;
};
const row = async (id: number): Promise<Row> =>
  (
    await app.db.query<Row>(
      `select status, attempts, last_error, provider_message_id, provider_session_id, unheard_since
       from sms_messages where id = $1`,
      [id],
    )
  )[0]!;

/** Time passes past the backoff: the row is due for the dispatcher. */
const makeDue = (id: number) =>
  app.db.query(`update sms_messages set next_attempt_at = now() - interval '1 second' where id = $1`, [id]);

/** What each phone got of this text: how many times. */
const copies = (text: string, phones: string[]) =>
  phones.map(
    (p) => app.textmagic.sent.filter((m) => m.text === text && m.phones.includes(tmDigits(p))).length,
  );

/** One SMS to one provider, sent after commit with `fault` armed for its first request. */
async function oneSms(fault: FaultMode, body?: string) {
  const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
  const db = await getDb();
  const text = body ?? `Your code is ${Math.random().toString().slice(2, 8)}`;
  const [id] = await db.transaction((tx) =>
    queueSms(tx, [{ kind: 'help', recipients: [provider.phone], body: text }]),
  );
  app.textmagic.reset(); // the provider's opt-in confirmation went out when they were added
  app.textmagic.fail(1, fault);
  await sendNow(db, [id!]);
  return { id: id!, phone: provider.phone, text };
}

beforeEach(() => outboxOfItsOwn(app));

describe('a send whose answer was lost', () => {
  it('is found at TextMagic on the retry and recorded with its id, not sent again', async () => {
    const { id, phone, text } = await oneSms('lost-reply');
    const before = await row(id);
    expect(before).toMatchObject({ status: 'queued', attempts: 1 });
    expect(before.last_error).toMatch(/did not answer within 1000 ms/);
    expect(before.unheard_since).not.toBeNull();
    expect(copies(text, [phone])).toEqual([1]);

    await makeDue(id);
    expect((await dispatcher()).sms).toEqual({ done: 1, retry: 0, failed: 0 });
    expect(copies(text, [phone])).toEqual([1]);
    const taken = app.textmagic.sent.find((m) => m.text === text)!;
    expect(await row(id)).toMatchObject({
      status: 'sent',
      attempts: 2,
      last_error: null,
      provider_message_id: String(taken.messageIds[0]),
      provider_session_id: String(taken.sessionId),
      unheard_since: null,
    });
    // The lookup was one request; the send was tagged with the SMS's id.
    expect(app.textmagic.requests).toBe(2);
    expect(taken.referenceId).toBe(String(id));
  });

  it('a teaser to several phones (one request, one session) is found whole: no phone gets it twice', async () => {
    const zip = uniqueZip();
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await api.addProvider({ zipCodes: [zip] }));
    app.textmagic.reset();
    app.textmagic.fail(1, 'lost-reply');
    const created = await api.postLead(lead({ zipCode: zip }));
    expect(created.status).toBe(201);
    const [t] = await app.db.query<{ id: number; body: string }>(
      `select id::int, body from sms_messages where lead_id = $1 and kind = 'teaser'`,
      [created.json.id],
    );
    const phones = people.map((p) => p.phone);
    expect(copies(t!.body, phones)).toEqual([1, 1, 1]);
    expect(app.textmagic.sent[0]!.reply).toBe('never');

    await makeDue(t!.id);
    expect((await dispatcher()).sms.done).toBe(1);
    expect(copies(t!.body, phones)).toEqual([1, 1, 1]);
    expect(await row(t!.id)).toMatchObject({
      status: 'sent',
      provider_message_id: null,
      provider_session_id: String(app.textmagic.sent[0]!.sessionId),
    });
  });

  it('a lookup that fails sends nothing: the SMS stays queued and is found on the next try', async () => {
    const { id, phone, text } = await oneSms('lost-reply');
    const first = await row(id);

    for (const fault of [503, 'timeout', 'lost-reply'] as const) {
      app.textmagic.fail(1, fault);
      await makeDue(id);
      expect((await dispatcher()).sms).toEqual({ done: 0, retry: 1, failed: 0 });
      const r = await row(id);
      expect(r.status).toBe('queued');
      expect(r.unheard_since).toEqual(first.unheard_since);
      expect(copies(text, [phone])).toEqual([1]);
    }
    expect((await row(id)).last_error).toMatch(/did not answer/);

    await makeDue(id);
    expect((await dispatcher()).sms.done).toBe(1);
    expect(copies(text, [phone])).toEqual([1]);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 5, unheard_since: null });
  });
});

describe('a send that did not reach TextMagic', () => {
  it.each(['timeout', 'reset'] as const)(
    '%s: nothing found at TextMagic, so the retry sends it, once',
    async (fault) => {
      const { id, phone, text } = await oneSms(fault);
      expect(copies(text, [phone])).toEqual([0]);
      expect((await row(id)).unheard_since).not.toBeNull();

      await makeDue(id);
      expect((await dispatcher()).sms.done).toBe(1);
      expect(copies(text, [phone])).toEqual([1]);
      expect(app.textmagic.requests).toBe(3); // the failed send, the lookup, the send
      expect(await row(id)).toMatchObject({ status: 'sent', unheard_since: null });
    },
  );

  it('503: TextMagic answered, so the retry sends without asking', async () => {
    const { id, phone, text } = await oneSms(503);
    expect((await row(id)).unheard_since).toBeNull();
    await makeDue(id);
    expect((await dispatcher()).sms.done).toBe(1);
    expect(copies(text, [phone])).toEqual([1]);
    expect(app.textmagic.requests).toBe(2);
  });

  it('the same text sent to the same phone by another SMS is not taken for it', async () => {
    const text = `Same words ${Math.random().toString().slice(2, 8)}`;
    const earlier = await oneSms(503, text);
    await makeDue(earlier.id);
    await dispatcher();
    expect((await row(earlier.id)).status).toBe('sent');

    const db = await getDb();
    const [id] = await db.transaction((tx) =>
      queueSms(tx, [{ kind: 'help', recipients: [earlier.phone], body: text }]),
    );
    app.textmagic.fail(1, 'timeout');
    await sendNow(db, [id!]);
    await makeDue(id!);
    expect((await dispatcher()).sms.done).toBe(1);
    expect(copies(text, [earlier.phone])).toEqual([2]);
  });
});
