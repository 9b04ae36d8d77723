/**
 * The client's side of privacy law (issue 22 §4–5): the consent they gave is kept with their
 * lead, shown to the operator and never to providers; erasure at their request (by lead, phone or
 * e-mail) leaves no trace of their name, phone or e-mail in any table, column or log line, keeps
 * the money and the counts, ends the sale, and answers a buyer who asks again. Through the HTTP
 * handlers, with the Stripe and TextMagic stand-ins.
 */
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { handler as privacyFn } from '../../functions/privacy';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { resetConfig } from '../../lib/config';
import { getDb } from '../../lib/db/client';
import { eraseExpiredClientData } from '../../lib/privacy/erase-client';
import { invoke } from '../../emulators/events';
import { distinctClient } from '../../emulators/lead-body';
import { KEYS, useApp, type TestApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { buyByLink, countRows, deliverEvent, openSessions, smsSentTo, uniqueZip } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();

const erase = (body: unknown, headers: Record<string, string> = {}) =>
  invoke(privacyFn, {
    method: 'POST',
    path: '/privacy/erasures',
    headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** A client nobody else in the database shares: name, phone as typed and stored, e-mail. */
function client() {
  const { phone, email } = distinctClient();
  const national = phone.slice(2);
  const name = `Zelda Q${Math.random().toString(36).slice(2, 8)}`;
  return {
    name,
    typed: `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`,
    e164: phone,
    national,
    email: email.replace('client-', 'Client.'),
  };
}
type Client = ReturnType<typeof client>;

const CONSENT = {
  text: 'I agree to be contacted by up to 3 local pros about my request, by phone, text and e-mail.',
  agreedAt: '2026-12-01T15:04:05Z',
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)',
  pageUrl: 'https://plumbers.example/quote?utm_source=google&email=x@y.z#step-2',
  certificateUrl: 'https://cert.trustedform.com/0123456789abcdef0123456789abcdef01234567',
};

/** Every text rendering of every column of every table that holds any of the client's marks. */
async function traces(app: TestApp, c: Client): Promise<string[]> {
  const columns = await app.db.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
     where table_schema = 'public' order by table_name, column_name`,
  );
  const marks = [c.name, c.national, c.email.toLowerCase()];
  const found: string[] = [];
  for (const { table_name, column_name } of columns) {
    const rows = await app.db.query<{ n: string }>(
      `select count(*) as n from "${table_name}"
       where lower("${column_name}"::text) like any($1::text[])`,
      [marks.map((m) => `%${m.toLowerCase()}%`)],
    );
    if (Number(rows[0]!.n) > 0) found.push(`${table_name}.${column_name}`);
  }
  return found;
}

describe('the client consent on POST /leads', () => {
  it('is stored with the lead and shown on GET /leads/{id}, never to providers', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    const before = app.textmagic.sent.length;
    const res = await api.postLead(lead({ zipCode: zip, consent: CONSENT }));
    expect(res.status, res.text).toBe(201);
    const view = await api.getLead(res.json.id);
    expect(view.json.consent).toEqual({ ...CONSENT, agreedAt: '2026-12-01T15:04:05.000Z' });
    expect(view.json.erasedAt).toBeNull();
    const told = smsSentTo(app, p.phone, before)
      .map((m) => m.text)
      .join('\n');
    expect(told).toMatch(/^New /m);
    for (const part of ['agree', '203.0.113.7', 'trustedform', 'iPhone']) expect(told).not.toContain(part);
  });

  it('takes the time of the request when agreedAt is not given', async () => {
    const res = await api.postLead(lead({ zipCode: uniqueZip(), consent: { text: CONSENT.text } }));
    expect(res.status, res.text).toBe(201);
    const { consent } = (await api.getLead(res.json.id)).json;
    expect(Math.abs(Date.parse(consent.agreedAt) - Date.now())).toBeLessThan(60_000);
    expect(consent).toMatchObject({ ip: null, userAgent: null, pageUrl: null, certificateUrl: null });
  });

  it.each([
    [{ ...CONSENT, text: '' }, 'consent.text'],
    [{ ...CONSENT, ip: '999.1.1.1' }, 'consent.ip'],
    [{ ...CONSENT, pageUrl: 'javascript:alert(1)' }, 'consent.pageUrl'],
    [{ ...CONSENT, agreedAt: 'yesterday' }, 'consent.agreedAt'],
    [{ ...CONSENT, agreedAt: '2099-01-01T00:00:00Z' }, 'consent.agreedAt'],
    ['I agree', 'consent'],
  ])('a bad consent %j is a 400 naming %s, and writes nothing', async (consent, field) => {
    const res = await writesNothing(app, () => api.postLead(lead({ zipCode: uniqueZip(), consent })));
    expect(res.status).toBe(400);
    expect(res.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('REQUIRE_CLIENT_CONSENT=true', () => {
  beforeEach(async () => {
    process.env.REQUIRE_CLIENT_CONSENT = 'true';
    (await import('../../lib/config')).resetConfig();
  });
  afterEach(async () => {
    delete process.env.REQUIRE_CLIENT_CONSENT;
    (await import('../../lib/config')).resetConfig();
  });

  it('refuses a lead without consent with a 400 naming it, and takes one with it', async () => {
    const refused = await writesNothing(app, () => api.postLead(lead({ zipCode: uniqueZip() })));
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toEqual([expect.objectContaining({ field: 'consent' })]);
    const taken = await api.postLead(lead({ zipCode: uniqueZip(), consent: { text: CONSENT.text } }));
    expect(taken.status, taken.text).toBe(201);
  });
});

describe('POST /privacy/erasures', () => {
  it('by phone: no trace of the client in any table, column or log line, money and counts kept, the sale ended', async () => {
    const c = client();
    // Every log line of the flow, at info: none may carry the client's marks.
    const logged: string[] = [];
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    for (const m of ['log', 'error', 'warn'] as const) {
      vi.spyOn(console, m).mockImplementation((line: unknown) => void logged.push(String(line)));
    }
    onTestFinished(() => {
      vi.restoreAllMocks();
      process.env.LOG_LEVEL = level;
    });
    const zip = uniqueZip();
    const [buyer, other] = [
      await api.addProvider({ zipCodes: [zip] }),
      await api.addProvider({ zipCodes: [zip] }),
    ];
    const body = {
      name: c.name,
      phone: c.typed,
      email: c.email,
      city: 'Austin',
      description: `Leaking sink. Call ${c.name} at ${c.typed} or ${c.email}.`,
      consent: CONSENT,
    };
    const created = await api.postLead(lead({ zipCode: zip, ...body }));
    expect(created.status, created.text).toBe(201);
    const second = await api.postLead(lead({ zipCode: uniqueZip(), category: 'roofing', ...body }));
    expect(second.status, second.text).toBe(201);
    const { id, code } = created.json;
    // One buys (the details go out), the other has a Checkout open.
    const sessionId = await buyByLink(app, buyer.phone, code);
    const asking = app.textmagic.sent.length;
    await api.reply(other.phone, `YES ${code}`);
    const opened = await api.openPayLink(linkToken(app.textmagic.sent.slice(asking).at(-1)!.text));
    const otherSession = [...app.stripe.sessions.values()].find((s) => s.url === opened.headers.location)!;
    // TextMagic's delivery report repeats the text it delivered.
    const [details] = await app.db.query<{ provider_message_id: string }>(
      `select provider_message_id from sms_messages where dedupe_key = $1`,
      [`details:${sessionId}`],
    );
    const sentText = smsSentTo(app, buyer.phone).find((m) => m.text.includes(c.name))!.text;
    expect(
      (await api.deliveryReport({ id: details!.provider_message_id, status: 'd', text: sentText })).status,
    ).toBe(200);
    expect(await traces(app, c)).not.toEqual([]);

    const res = await erase({ phone: `+1 ${c.national}` });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ erasedLeads: 2 });
    expect(await traces(app, c)).toEqual([]);

    const view = (await api.getLead(id)).json;
    expect(view).toMatchObject({
      id,
      code,
      name: null,
      phone: null,
      email: null,
      description: null,
      city: null,
    });
    expect(view.erasedAt).toEqual(expect.any(String));
    expect(view.consent).toEqual({
      ...CONSENT,
      agreedAt: '2026-12-01T15:04:05.000Z',
      ip: null,
      userAgent: null,
      pageUrl: 'https://plumbers.example/quote',
    });
    expect(view.unlocks).toEqual([expect.objectContaining({ amountCents: 1500 })]);
    expect(view.status).toBe('expired');

    // Asked again by the buyer: told why, no details.
    const asked = app.textmagic.sent.length;
    await api.reply(buyer.phone, `YES ${code}`);
    expect(smsSentTo(app, buyer.phone, asked).map((m) => m.text)).toEqual([
      expect.stringMatching(/removed at the client's request/),
    ]);
    // The other's open Checkout was expired at Stripe; a payment that completes anyway is refunded.
    expect(app.stripe.sessions.get(otherSession.id)!.status).toBe('expired');

    // Idempotent, and recorded without the data.
    expect((await erase({ phone: c.typed })).json).toEqual({ erasedLeads: 0 });
    expect(logged.some((l) => l.includes('client data erased') && l.includes(id))).toBe(true);
    for (const mark of [c.name, c.national, c.email.toLowerCase()]) {
      expect(logged.filter((l) => l.toLowerCase().includes(mark.toLowerCase()))).toEqual([]);
    }
    const records = await app.db.query<{ requested_by: string; target: string; erased_leads: number }>(
      `select requested_by, target, erased_leads from privacy_erasures where $1 = any(lead_ids) or erased_leads = 0
       order by id desc limit 2`,
      [id],
    );
    expect(records).toEqual([
      { requested_by: 'admin_key', target: 'phone', erased_leads: 0 },
      { requested_by: 'admin_key', target: 'phone', erased_leads: 2 },
    ]);
  });

  it('by e-mail in any case, and by lead id (that lead only)', async () => {
    const c = client();
    const first = await api.postLead(
      lead({ zipCode: uniqueZip(), name: c.name, phone: c.typed, email: c.email }),
    );
    const other = await api.postLead(
      lead({ zipCode: uniqueZip(), category: 'roofing', name: c.name, phone: c.typed, email: c.email }),
    );
    expect((await erase({ leadId: first.json.id })).json).toEqual({ erasedLeads: 1 });
    expect((await api.getLead(other.json.id)).json.name).toBe(c.name);
    expect((await erase({ email: c.email.toUpperCase() })).json).toEqual({ erasedLeads: 1 });
    expect(await traces(app, c)).toEqual([]);
  });

  it.each([
    [{}, 'none'],
    [{ leadId: 'x' }, 'a bad id'],
    [{ phone: '12' }, 'a bad phone'],
    [{ email: 'not an e-mail' }, 'a bad e-mail'],
    [{ phone: '+15125550142', email: 'a@b.example' }, 'two'],
  ])('%j (%s) is a 400 and erases nothing', async (body, _what) => {
    const res = await writesNothing(app, () => erase(body));
    expect(res.status).toBe(400);
  });

  it('a payment completed at Stripe as the erasure runs is refunded, and the buyer told, with no details', async () => {
    const c = client();
    const { lead: sold, buyers } = await openSessions(app, 1, {
      name: c.name,
      phone: c.typed,
      email: c.email,
    });
    const b = buyers[0]!;
    // Paid at Stripe first; its event reaches us only after the erasure (whose expiry of the
    // session Stripe then refuses: it is complete).
    const event = app.stripe.completeSession(b.sessionId);
    expect((await erase({ leadId: sold.id })).json).toEqual({ erasedLeads: 1 });
    const before = app.textmagic.sent.length;
    const paid = await deliverEvent(app, event);
    expect(paid.json.outcome).toBe('refund_queued');
    expect(smsSentTo(app, b.phone, before).map((m) => m.text)).toEqual([expect.stringMatching(/refunded/)]);
    const intent = app.stripe.sessions.get(b.sessionId)!.payment_intent;
    expect(app.stripe.refunds.filter((r) => r.payment_intent === intent)).toHaveLength(1);
    expect(await traces(app, c)).toEqual([]);
  });

  it('details that had not gone out are cancelled: the buyer is refunded and told why, once', async () => {
    const c = client();
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip, name: c.name, phone: c.typed, email: c.email }));
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${created.json.code}`);
    const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(before).at(-1)!.text));
    const sessionId = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!.id;
    // TextMagic is down when the payment lands: the details stay queued.
    app.textmagic.fail(50, 503);
    expect((await deliverEvent(app, app.stripe.completeSession(sessionId))).json.outcome).toBe('unlocked');
    expect((await erase({ leadId: created.json.id })).json).toEqual({ erasedLeads: 1 });
    app.textmagic.heal();
    await app.db.query(`update sms_messages set next_attempt_at = now() where provider_id = $1`, [p.id]);
    await dispatcher();
    await dispatcher();
    const texts = smsSentTo(app, p.phone).map((m) => m.text);
    expect(texts.some((t) => t.includes(c.name))).toBe(false);
    expect(texts.filter((t) => /withdrawn at the client's request/.test(t))).toHaveLength(1);
    const refunded = `select count(*) as n from unlocks where lead_id = $1 and refunded_at is not null`;
    expect(await countRows(app, refunded, [created.json.id])).toBe(1);
    const intent = app.stripe.sessions.get(sessionId)!.payment_intent;
    expect(app.stripe.refunds.filter((r) => r.payment_intent === intent)).toHaveLength(1);
    expect(await traces(app, c)).toEqual([]);
  });
});

describe('CLIENT_DATA_RETENTION_DAYS', () => {
  it('the scheduled dispatcher erases leads older than that, in batches, recorded as retention', async () => {
    const old = [client(), client(), client()];
    const ids: string[] = [];
    for (const c of old) {
      const res = await api.postLead(
        lead({ zipCode: uniqueZip(), name: c.name, phone: c.typed, email: c.email }),
      );
      ids.push(res.json.id);
    }
    // Decimals allowed: two seconds' retention.
    process.env.CLIENT_DATA_RETENTION_DAYS = String(2 / 86_400);
    resetConfig();
    onTestFinished(() => {
      delete process.env.CLIENT_DATA_RETENTION_DAYS;
      resetConfig();
    });
    const fresh = client();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const kept = await api.postLead(
      lead({ zipCode: uniqueZip(), name: fresh.name, phone: fresh.typed, email: fresh.email }),
    );

    // Two at a time: a batch of two, another of one, then nothing left.
    const db = await getDb();
    expect(await eraseExpiredClientData(db, 2 / 86_400, 2)).toBeGreaterThanOrEqual(3);
    for (const c of old) expect(await traces(app, c)).toEqual([]);
    expect((await api.getLead(kept.json.id)).json.name).toBe(fresh.name);
    const batches = await app.db.query<{ erased_leads: number; lead_ids: string[] }>(
      `select erased_leads, lead_ids from privacy_erasures where target = 'retention' order by id`,
    );
    expect(batches.every((b) => b.erased_leads <= 2)).toBe(true);
    expect(batches.flatMap((b) => b.lead_ids)).toEqual(expect.arrayContaining(ids));

    // And the scheduled function does it on its own: the fresh lead, once it is old enough.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const run = await dispatcher();
    expect(run.erasedLeads).toBeGreaterThanOrEqual(1);
    expect((await api.getLead(kept.json.id)).json).toMatchObject({
      name: null,
      erasedAt: expect.any(String),
    });
    expect(await traces(app, fresh)).toEqual([]);
  });
});
