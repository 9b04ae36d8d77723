import { expect } from 'vitest';
import { randomInt } from 'node:crypto';
import type { TestApp } from './app';
import type { StripeEvent } from '../../emulators/fake-stripe';
import { api, lead, linkToken } from './flow';

/**
 * A marketplace set up through the public routes, for tests and reliability scenarios: fresh
 * zips, providers at checkout, what a phone received.
 */

/**
 * A zip code no other test of the file uses, so each scenario matches only its own providers:
 * from a sequence (a file's tests share one process and one database), a US ZIP code (the tests'
 * DEFAULT_COUNTRY checks them) starting with 0, which no fixed zip of the tests does.
 */
let zipSeq = randomInt(0, 10 ** 3);
export const uniqueZip = () => `0${String(zipSeq++ % 10 ** 4).padStart(4, '0')}`;

/**
 * The opt-in confirmation a provider gets when added (lib/providers/providers.ts), in any language
 * (the optedInSms of lib/sms/languages/ and the French test module).
 */
export const OPT_IN_CONFIRMATION =
  /lead alerts: subscribed|alertas de leads activadas|alertes de leads: inscrit/;

/**
 * SMS TextMagic accepted for this E.164 phone since `since` (an index into `sent`). Without
 * `since`, the opt-in confirmation every new provider gets first is left out: the flows count what
 * came after it (tests/integration/provider-consent.test.ts checks the confirmation itself).
 */
export function smsSentTo(app: TestApp, phone: string, since?: number) {
  const to = app.textmagic.sent.slice(since ?? 0).filter((m) => m.phones.includes(phone.slice(1)));
  return since === undefined && to[0] && OPT_IN_CONFIRMATION.test(to[0].text) ? to.slice(1) : to;
}

/** A lead offered to `providers` new providers, each of whom has opened their pay link. */
export async function openSessions(app: TestApp, providers: number, body: Record<string, unknown> = {}) {
  const zip = uniqueZip();
  const people = [];
  for (let i = 0; i < providers; i++) people.push(await api.addProvider({ zipCodes: [zip] }));
  const created = await api.postLead(lead({ zipCode: zip, ...body }));
  expect(created.status).toBe(201);
  expect(created.json.offeredTo).toBe(providers);
  const buyers = [];
  for (const p of people) {
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${created.json.code}`);
    const token = linkToken(app.textmagic.sent.slice(before).at(-1)!.text);
    const pay = await api.openPayLink(token);
    expect(pay.status).toBe(303);
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    buyers.push({ ...p, token, sessionId: session.id });
  }
  return { lead: created.json as { id: string; code: string }, buyers };
}

/** Signs `event` as Stripe would and posts it to the webhook. */
export function deliverEvent(app: TestApp, event: StripeEvent) {
  const { payload, header } = app.stripe.sign(event);
  return api.webhook(payload, header);
}

/** `select count(*) as n …` straight from the database. */
export const countRows = async (app: TestApp, sql: string, params: unknown[] = []) =>
  Number((await app.db.query<{ n: string }>(sql, params))[0]!.n);

/**
 * `phone` replies YES to lead `code`, opens the pay link it got back and pays through Checkout
 * (the signed `checkout.session.completed`); returns the Checkout Session's id.
 */
export async function buyByLink(app: TestApp, phone: string, code: string): Promise<string> {
  const before = app.textmagic.sent.length;
  await api.reply(phone, `YES ${code}`);
  const token = linkToken(app.textmagic.sent.slice(before).at(-1)!.text);
  const pay = await api.openPayLink(token);
  expect(pay.status).toBe(303);
  const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
  const paid = await deliverEvent(app, app.stripe.completeSession(session.id));
  expect(paid.json.outcome, paid.text).toBe('unlocked');
  return session.id;
}

/** A purchase paid by link, by a provider of its own who does not pay by saved card. */
export async function purchase(app: TestApp) {
  const zip = uniqueZip();
  const p = await api.addProvider({ zipCodes: [zip], autoPay: false });
  const created = await api.postLead(lead({ zipCode: zip }));
  const sessionId = await buyByLink(app, p.phone, created.json.code);
  const [unlock] = await app.db.query<{ id: string; amount_cents: number }>(
    'select id, amount_cents from unlocks where checkout_session_id = $1',
    [sessionId],
  );
  return {
    unlockId: unlock!.id,
    amountCents: unlock!.amount_cents,
    leadId: created.json.id as string,
    providerId: p.id,
    phone: p.phone,
    sessionId,
  };
}

/** A teaser TextMagic refused (400) to a provider of its own: failed at once; its SMS id. */
export async function failedSms(app: TestApp): Promise<string> {
  const zip = uniqueZip();
  await api.addProvider({ zipCodes: [zip] });
  app.textmagic.fail(1, 400);
  const created = await api.postLead(lead({ zipCode: zip }));
  const [row] = await app.db.query<{ id: string }>(
    `select id::text from sms_messages where lead_id = $1 and status = 'failed'`,
    [created.json.id],
  );
  return row!.id;
}
