/**
 * Details of a lead with the longest description the API takes (2,000 characters): TextMagic
 * refuses a message of more than 6 parts, so they go as several messages, which the provider's
 * phone must all get, in order, with nothing lost.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { smsLength } from '../../lib/sms/segments';
import { tmDigits, useApp } from '../support/app';
import { smsParts, type SentSms } from '../../emulators/fake-textmagic';
import { api, lead, linkToken } from '../support/flow';

const app = useApp();

const NAME = 'Zoë Łukasiewicz'; // Ł is not GSM-7: the message holding the name is UCS-2
const SENTENCE =
  'The pipe under the kitchen sink has been dripping for days and the cabinet floor is soaked. ';
const DESCRIPTION = `It’s urgent, water everywhere.\n${SENTENCE.repeat(30)}`.slice(0, 1999) + '!';
// What the provider reads: the curly apostrophe sent as GSM-7's own.
const DESCRIPTION_SENT = DESCRIPTION.replace('’', "'");

let zipSeq = 0;
const uniqueZip = () => String(61000 + ++zipSeq);

const PREFIX = /^\((\d+)\/(\d+)\) /;

/** Checks that `sent` is one whole set of details messages, in order; returns their joined text. */
function wholeSet(sent: SentSms[]): string {
  expect(sent.length).toBeGreaterThan(1);
  sent.forEach((m, i) => {
    expect(PREFIX.exec(m.text)?.slice(1, 3)).toEqual([String(i + 1), String(sent.length)]);
    expect(smsParts(m.text)).toBeLessThanOrEqual(6);
    expect(smsLength(m.text).segments).toBeLessThanOrEqual(6);
  });
  return sent.map((m) => m.text.replace(PREFIX, '')).join('');
}

/** A provider buys a lead with the long description; returns what their phone got for it. */
async function buyLongLead() {
  const zip = uniqueZip();
  const p = await api.addProvider({ zipCodes: [zip] });
  const created = await api.postLead(lead({ zipCode: zip, name: NAME, description: DESCRIPTION }));
  expect(created.status).toBe(201);
  await api.reply(p.phone, `YES ${created.json.code}`);
  const pay = await api.openPayLink(linkToken(app.textmagic.sent.at(-1)!.text));
  const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
  const signed = app.stripe.sign(app.stripe.completeSession(session.id));
  const before = { sent: app.textmagic.sent.length, requests: app.textmagic.requests };
  const hook = await api.webhook(signed.payload, signed.header);
  expect(hook.json.outcome).toBe('unlocked');
  return {
    phone: p.phone,
    leadId: created.json.id as string,
    code: created.json.code as string,
    sessionId: session.id,
    signed,
    before,
    toPhone: (from = 0) => app.textmagic.sent.slice(from).filter((m) => m.phones.includes(tmDigits(p.phone))),
  };
}

beforeEach(() => app.textmagic.reset());

describe('details of a 2,000-character description', () => {
  it('the provider gets every message, each accepted by TextMagic, in order, with the whole description', async () => {
    expect(DESCRIPTION).toHaveLength(2000);
    const bought = await buyLongLead();
    const { before } = bought;

    // Every request TextMagic got, it accepted (no 400 "Message is too long").
    expect(app.textmagic.requests - before.requests).toBe(app.textmagic.sent.length - before.sent);
    const details = bought.toPhone(before.sent);
    const text = wholeSet(details);
    expect(details).toHaveLength(3);
    // The contact first, so the essential part arrives first.
    for (const contact of [`Client: ${NAME}`, 'Phone: +15125550142', 'Email: jane.client@example.com']) {
      expect(details[0]!.text).toContain(contact);
    }
    expect(text).toContain(DESCRIPTION_SENT);
    expect(text).toContain('Budget: $500');

    // Stored as one outbox row per message, all sent; Stripe redelivering the event sends nothing.
    const rows = await app.db.query<{ dedupe_key: string; status: string }>(
      `select dedupe_key, status from sms_messages where lead_id = $1 and kind = 'details' order by id`,
      [bought.leadId],
    );
    expect(rows).toEqual([
      { dedupe_key: `details:${bought.sessionId}`, status: 'sent' },
      { dedupe_key: `details:${bought.sessionId}:2`, status: 'sent' },
      { dedupe_key: `details:${bought.sessionId}:3`, status: 'sent' },
    ]);
    const n = app.textmagic.sent.length;
    expect((await api.webhook(bought.signed.payload, bought.signed.header)).status).toBe(200);
    expect(app.textmagic.sent).toHaveLength(n);

    // The operator sees which message of the set each row is.
    const view = await api.getLead(bought.leadId);
    expect(
      view.json.sms
        .filter((m: { kind: string }) => m.kind === 'details')
        .map((m: { part: unknown }) => m.part),
    ).toEqual([
      { n: 1, of: 3 },
      { n: 2, of: 3 },
      { n: 3, of: 3 },
    ]);
    expect(view.json.smsNeedingAttention).toBe(0);
    expect((await dispatcher()).sms.done).toBe(0);
  });

  it('YES again after buying: the whole set again, in order', async () => {
    const bought = await buyLongLead();
    const first = bought.toPhone(bought.before.sent).map((m) => m.text);
    const n = app.textmagic.sent.length;
    expect((await api.reply(bought.phone, `YES ${bought.code}`)).status).toBe(200);
    const again = bought.toPhone(n);
    expect(wholeSet(again)).toContain(DESCRIPTION_SENT);
    expect(again.map((m) => m.text)).toEqual(first);
    expect((await dispatcher()).sms.done).toBe(0);
  });

  it('a message TextMagic cannot take now is sent by the dispatcher: the phone ends up with the whole set', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip, name: NAME, description: DESCRIPTION }));
    await api.reply(p.phone, `YES ${created.json.code}`);
    const pay = await api.openPayLink(linkToken(app.textmagic.sent.at(-1)!.text));
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const signed = app.stripe.sign(app.stripe.completeSession(session.id));
    const before = app.textmagic.sent.length;
    app.textmagic.fail(1, 503); // the first message
    await api.webhook(signed.payload, signed.header);
    const toPhone = () =>
      app.textmagic.sent.slice(before).filter((m) => m.phones.includes(tmDigits(p.phone)));
    expect(toPhone().map((m) => PREFIX.exec(m.text)?.[1])).toEqual(['2', '3']);

    await app.db.query(`update sms_messages set next_attempt_at = now() where status = 'queued'`);
    await dispatcher();
    const got = toPhone().sort((a, b) => a.text.localeCompare(b.text));
    expect(wholeSet(got)).toContain(DESCRIPTION_SENT);
  });

  it('one message reported undelivered: that message alone is sent again', async () => {
    const bought = await buyLongLead();
    const details = bought.toPhone(bought.before.sent);
    const n = app.textmagic.sent.length;
    const res = await api.deliveryReport({
      id: details[1]!.id,
      receiver: tmDigits(bought.phone),
      status: 'f',
    });
    expect(res.json.matched).toBe(true);
    expect(bought.toPhone(n).map((m) => m.text)).toEqual([details[1]!.text]);

    const view = await api.getLead(bought.leadId);
    const sms = view.json.sms.filter((m: { kind: string }) => m.kind === 'details');
    expect(sms.map((m: { part: { n: number }; resendOf: number | null }) => [m.part.n, m.resendOf])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [2, sms[1].id],
    ]);
    expect(view.json.smsNeedingAttention).toBe(0);
  });
});
