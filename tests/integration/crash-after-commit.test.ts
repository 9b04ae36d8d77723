/**
 * A process killed between its commit and its send: the real handler runs in a child process
 * against this file's database, and a preload SIGKILLs it the moment it first calls TextMagic.
 * The SMS was committed with the change; the dispatcher sends it once the sender's lease on it
 * runs out, exactly once, and the webhook redelivered (Stripe, TextMagic) sends nothing more.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { KEYS, tmDigits, useApp } from '../support/app';
import { runInChild } from '../support/child-handler';
import { encodeFields, v1Event } from '../../emulators/events';
import { api, lead, linkToken } from '../support/flow';

const app = useApp();

const received = (phone: string, match: RegExp) =>
  app.textmagic.sent.filter((m) => m.phones.includes(tmDigits(phone)) && match.test(m.text)).length;

type SmsRow = { id: number; status: string; attempts: number; leased: boolean };
const smsRows = (kind: string, phone: string) =>
  app.db.query<SmsRow>(
    `select id::int, status, attempts, next_attempt_at > now() as leased from sms_messages
     where kind = $1 and $2 = any(recipients) order by id`,
    [kind, phone],
  );

/** The lease of a dead sender runs out (it is two minutes long). */
const leaseEnds = (id: number) =>
  app.db.query(`update sms_messages set next_attempt_at = now() where id = $1`, [id]);

/** A dispatcher run that sent `sms` messages and touched nothing else (no lead erased either). */
const sent = (sms: number) => ({
  sms: { done: sms, retry: 0, failed: 0 },
  stripe: { done: 0, retry: 0, failed: 0 },
  erasedLeads: 0,
  agedLeads: 0,
});

async function providerWithLead() {
  const zip = String(randomInt(10_000, 100_000));
  const p = await api.addProvider({ zipCodes: [zip] });
  const created = await api.postLead(lead({ zipCode: zip }));
  expect(created.status).toBe(201);
  return { phone: p.phone, lead: created.json as { id: string; code: string } };
}

describe('killed between commit and send', () => {
  it('the paid webhook: the details SMS is committed, sent once by the dispatcher, and Stripe’s redelivery sends nothing', async () => {
    const { phone, lead: l } = await providerWithLead();
    const before = app.textmagic.sent.length;
    await api.reply(phone, `YES ${l.code}`);
    const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(before).at(-1)!.text));
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
    const event = v1Event({
      method: 'POST',
      path: '/stripe/webhook',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: payload,
    });
    const requestsBefore = app.textmagic.requests;

    const exit = await runInChild('stripe-webhook', event, true);
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.stdout).toBe(''); // it never answered: Stripe will redeliver

    // Committed: the unlock, and the details SMS, leased to the dead sender.
    const [unlock] = await app.db.query<{ n: number }>(
      `select count(*)::int as n from unlocks where checkout_session_id = $1`,
      [session.id],
    );
    expect(unlock!.n).toBe(1);
    const [row] = await smsRows('details', phone);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, leased: true });
    expect(app.textmagic.requests).toBe(requestsBefore);
    expect(received(phone, /Jane Client/)).toBe(0);

    // While the lease holds, the dispatcher leaves it alone.
    expect(await dispatcher()).toEqual(sent(0));
    expect(received(phone, /Jane Client/)).toBe(0);

    // Stripe redelivers the event it got no answer to: nothing new.
    const again = app.stripe.sign(JSON.parse(payload));
    const replay = await api.webhook(again.payload, again.header);
    expect(replay.status).toBe(200);
    expect(replay.json.outcome).toBe('duplicate');
    expect(received(phone, /Jane Client/)).toBe(0);

    // The details SMS is the only one due: the teaser and the pay link went out inline.
    await leaseEnds(row!.id);
    expect(await dispatcher()).toEqual(sent(1));
    expect(received(phone, /Jane Client/)).toBe(1);
    expect(await smsRows('details', phone)).toEqual([
      expect.objectContaining({ status: 'sent', attempts: 2 }),
    ]);

    // And never again.
    expect(await dispatcher()).toEqual(sent(0));
    const late = app.stripe.sign(JSON.parse(payload));
    expect((await api.webhook(late.payload, late.header)).json.outcome).toBe('duplicate');
    expect(received(phone, /Jane Client/)).toBe(1);
  });

  it('an inbound YES: the pay-link SMS is committed and sent once; TextMagic repeating the callback sends nothing', async () => {
    const { phone, lead: l } = await providerWithLead();
    const fields = {
      id: `crash-${randomInt(1, 1e9)}`,
      sender: tmDigits(phone),
      receiver: '15125550000',
      messageTime: new Date().toISOString(),
      text: `YES ${l.code}`,
    };
    const { body, contentType } = encodeFields(fields, 'form');
    const event = v1Event({
      method: 'POST',
      path: '/sms/inbound',
      query: { token: KEYS.sms },
      headers: { 'content-type': contentType },
      body,
    });

    const exit = await runInChild('inbound-sms', event, true);
    expect(exit.signal).toBe('SIGKILL');
    const [row] = await smsRows('pay_link', phone);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, leased: true });
    expect(received(phone, /\/p\//)).toBe(0);

    // TextMagic got no answer and posts the same reply again.
    const repeat = await api.reply(phone, `YES ${l.code}`, { id: fields.id });
    expect(repeat.status).toBe(200);
    expect(repeat.json.outcome).toBe('duplicate');

    expect(await dispatcher()).toEqual(sent(0));
    expect(received(phone, /\/p\//)).toBe(0);
    await leaseEnds(row!.id);
    expect(await dispatcher()).toEqual(sent(1));
    expect(await dispatcher()).toEqual(sent(0));
    expect(received(phone, /\/p\//)).toBe(1);
    expect(await smsRows('pay_link', phone)).toEqual([expect.objectContaining({ status: 'sent' })]);
  });

  it('the same child without the kill answers 200 and sends at once (the harness itself works)', async () => {
    const { phone, lead: l } = await providerWithLead();
    const { body, contentType } = encodeFields(
      {
        id: `ok-${randomInt(1, 1e9)}`,
        sender: tmDigits(phone),
        receiver: '15125550000',
        messageTime: new Date().toISOString(),
        text: `YES ${l.code}`,
      },
      'form',
    );
    const exit = await runInChild(
      'inbound-sms',
      v1Event({
        method: 'POST',
        path: '/sms/inbound',
        query: { token: KEYS.sms },
        headers: { 'content-type': contentType },
        body,
      }),
      false,
    );
    expect(exit.code).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({ statusCode: 200 });
    expect(received(phone, /\/p\//)).toBe(1);
  });
});
