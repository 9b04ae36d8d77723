import { randomInt } from 'node:crypto';
import type { TestApp } from './app';
import { api, lead, linkToken } from './flow';

export type Buyer = { id: string; phone: string; sessionId: string };

/** A zip code no other test of the file uses, so each scenario matches only its own providers. */
export const uniqueZip = () => String(randomInt(10_000, 100_000));

/** SMS TextMagic accepted for this phone since `since` (an index into `sent`). */
export const smsTo = (app: TestApp, phone: string, since = 0) =>
  app.textmagic.sent.slice(since).filter((m) => m.phones.includes(phone.slice(1)));

/**
 * `n` providers in a fresh zip, one lead offered to all of them, and each of them through YES
 * and the pay link to an open Checkout Session: ready for the payments to complete.
 */
export async function providersAtCheckout(
  app: TestApp,
  n: number,
  leadOverrides: Record<string, unknown> = {},
): Promise<{ leadId: string; code: string; buyers: Buyer[] }> {
  const zip = uniqueZip();
  const people = [];
  for (let i = 0; i < n; i++) people.push(await api.addProvider({ zipCodes: [zip] }));
  const created = await api.postLead(lead({ zipCode: zip, ...leadOverrides }));
  if (created.status !== 201 || created.json.offeredTo !== n) {
    throw new Error(`lead not offered to all ${n}: ${created.status} ${created.text}`);
  }
  const buyers: Buyer[] = [];
  for (const p of people) {
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${created.json.code}`);
    const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(before).at(-1)!.text));
    if (pay.status !== 303) throw new Error(`pay link: ${pay.status} ${pay.text}`);
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    buyers.push({ ...p, sessionId: session.id });
  }
  return { leadId: created.json.id, code: created.json.code, buyers };
}
