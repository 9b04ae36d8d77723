/**
 * POST /sms/inbound: a provider's SMS reply as TextMagic posts it, judged by what the provider
 * gets back (the SMS the fake TextMagic receives) and what is stored.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as inboundSms } from '../../functions/inbound-sms';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { phoneNumber, tmDigits, useApp } from '../support/app';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead, linkToken } from '../support/flow';

const app = useApp();

// Every test works in zip codes of its own, so no lead is offered to another test's providers.
let zipSeq = 0;
const uniqueZip = () => String(30000 + ++zipSeq);
let idSeq = 0;
const uniqueId = () => `tm-${Date.now()}-${++idSeq}`;

type Provider = { id: string; phone: string };

/** The SMS TextMagic was asked to send to `phone` since index `since` of `app.textmagic.sent`. */
const sentTo = (phone: string, since = 0) =>
  app.textmagic.sent.slice(since).filter((m) => m.phones.includes(tmDigits(phone)));

/** A provider texts us; returns the route's answer and the SMS they got back. */
async function text(
  provider: Provider,
  body: string,
  opts: Parameters<typeof api.reply>[2] = {},
): Promise<{ res: Reply; sms: string[] }> {
  const before = app.textmagic.sent.length;
  const res = await api.reply(provider.phone, body, opts);
  return { res, sms: sentTo(provider.phone, before).map((m) => m.text) };
}

async function newLead(zip: string, overrides: Record<string, unknown> = {}) {
  const res = await api.postLead(lead({ zipCode: zip, ...overrides }));
  expect(res.status).toBe(201);
  return res.json as { id: string; code: string; offeredTo: number };
}

/** A provider in a zip of their own, with one lead offered to them. */
async function providerWithLead(overrides: Record<string, unknown> = {}) {
  const zip = uniqueZip();
  const provider = await api.addProvider({ zipCodes: [zip] });
  const created = await newLead(zip, overrides);
  expect(created.offeredTo).toBe(1);
  return { zip, provider, lead: created };
}

const payLinkOf = (body: string) => `https://leads.example.test/p/${linkToken(body)}`;

async function optedOut(provider: Provider): Promise<boolean> {
  const [row] = await app.db.query<{ opted_out: boolean }>('select opted_out from providers where id = $1', [
    provider.id,
  ]);
  return row!.opted_out;
}

async function inboundRow(id: string) {
  const rows = await app.db.query<{
    id: string;
    sender: string;
    outcome: string;
    provider_id: string | null;
  }>('select id, sender, outcome, provider_id from inbound_sms where id = $1', [id]);
  return rows;
}

/** Buys the lead through the real flow: pay link, Checkout Session, signed webhook. */
async function buy(provider: Provider, code: string) {
  const { sms } = await text(provider, `YES ${code}`);
  const token = linkToken(sms[0]!);
  const pay = await api.openPayLink(token);
  expect(pay.status).toBe(303);
  const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
  expect(session).toBeDefined();
  const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
  expect((await api.webhook(payload, header)).status).toBe(200);
}

/** Posts raw fields to the inbound route, as JSON unless told. */
const postInbound = (fields: Record<string, unknown>, as: 'json' | 'form' = 'json'): Promise<Reply> =>
  api.inbound(fields, { as });

beforeEach(() => {
  app.textmagic.reset();
});

describe('YES <code>: the pay link', () => {
  it.each([['YES {code}'], ['Y {code}'], ['UNLOCK {code}'], ['yes,{code}!'], ['  unlock   {code} ']])(
    '"%s" gets one SMS with the short pay link and the price',
    async (template) => {
      const { provider, lead: created } = await providerWithLead({ priceCents: 2500 });
      const { res, sms } = await text(provider, template.replace('{code}', created.code));
      expect(res.status).toBe(200);
      expect(sms).toHaveLength(1);
      expect(sms[0]).toMatch(/https:\/\/leads\.example\.test\/p\/[A-Za-z0-9_-]+/);
      expect(sms[0]).toContain('$25.00');
      expect(sms[0]).toContain(created.code);
      expect(sms[0]).not.toMatch(/Jane|555-?0142|jane\.client/);

      // The link is the offer's own token.
      const [offer] = await app.db.query<{ pay_token: string }>(
        'select pay_token from offers where lead_id = $1 and provider_id = $2',
        [created.id, provider.id],
      );
      expect(payLinkOf(sms[0]!)).toBe(`https://leads.example.test/p/${offer!.pay_token}`);

      // Stored as a sent pay_link SMS to them.
      const stored = await app.db.query<{
        kind: string;
        status: string;
        recipients: string[];
        lead_id: string;
        transport: string;
      }>(
        `select kind, status, recipients, lead_id, transport from sms_messages where provider_id = $1 and kind <> 'opted_in'`,
        [provider.id],
      );
      expect(stored).toEqual([
        {
          kind: 'pay_link',
          status: 'sent',
          recipients: [provider.phone],
          lead_id: created.id,
          transport: 'textmagic',
        },
      ]);
    },
  );

  it('asking again sends the same link', async () => {
    const { provider, lead: created } = await providerWithLead();
    const first = await text(provider, `YES ${created.code}`);
    const second = await text(provider, `y ${created.code}`);
    expect(first.sms).toHaveLength(1);
    expect(second.sms).toHaveLength(1);
    expect(payLinkOf(second.sms[0]!)).toBe(payLinkOf(first.sms[0]!));
    const [{ n }] = (await app.db.query<{ n: number }>(
      'select count(*)::int as n from offers where provider_id = $1',
      [provider.id],
    )) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('YES alone with one open offer gets that offer’s link', async () => {
    const { provider, lead: created } = await providerWithLead();
    const { sms } = await text(provider, 'Yes');
    expect(sms).toHaveLength(1);
    expect(sms[0]).toContain(created.code);
    expect(sms[0]).toContain('$15.00');
    const [offer] = await app.db.query<{ pay_token: string }>(
      'select pay_token from offers where lead_id = $1',
      [created.id],
    );
    expect(linkToken(sms[0]!)).toBe(offer!.pay_token);
  });

  it('YES alone with two open offers gets an SMS listing both codes, and no link', async () => {
    const { zip, provider, lead: first } = await providerWithLead();
    const second = await newLead(zip, { description: 'Water heater replacement, 40 gallon gas.' });
    expect(second.code).not.toBe(first.code);
    const { sms } = await text(provider, 'YES');
    expect(sms).toHaveLength(1);
    expect(sms[0]).toContain(first.code);
    expect(sms[0]).toContain(second.code);
    expect(sms[0]).not.toContain('/p/');
    const [row] = await app.db.query<{ kind: string }>(
      `select kind from sms_messages where provider_id = $1 order by id desc limit 1`,
      [provider.id],
    );
    expect(row!.kind).toBe('choose_offer');
  });

  it('YES alone with no open offer gets an SMS saying so', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    const { res, sms } = await text(provider, 'YES');
    expect(res.status).toBe(200);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatch(/no open leads/i);
  });

  it('YES alone ignores offers that are full, expired or bought', async () => {
    const { zip, provider, lead: full } = await providerWithLead();
    const expired = await newLead(zip);
    const bought = await newLead(zip);
    const open = await newLead(zip);
    await app.db.query('update leads set unlock_count = max_unlocks where id = $1', [full.id]);
    await app.db.query(`update leads set expires_at = now() - interval '1 minute' where id = $1`, [
      expired.id,
    ]);
    await buy(provider, bought.code);
    // The purchase saved their card; paying by link is what this test is about.
    await app.db.query('update providers set auto_pay = false where phone = $1', [provider.phone]);
    const { sms } = await text(provider, 'YES');
    expect(sms).toHaveLength(1);
    expect(sms[0]).toContain(open.code);
    expect(sms[0]).toContain('/p/');
  });
});

describe('YES <code> for a lead they cannot buy', () => {
  it('a code not offered to them: "no longer available", no link', async () => {
    const { provider } = await providerWithLead();
    const other = await providerWithLead(); // someone else's lead, another zip
    const { sms } = await text(provider, `YES ${other.lead.code}`);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatch(/no longer available/i);
    expect(sms[0]).not.toContain('/p/');
  });

  it('a code that does not exist: "no longer available"', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    const { sms } = await text(provider, 'YES 000000');
    expect(sms).toEqual([expect.stringMatching(/no longer available/i)]);
  });

  it('a full lead: "no longer available", no link', async () => {
    const { provider, lead: created } = await providerWithLead();
    await app.db.query('update leads set unlock_count = max_unlocks where id = $1', [created.id]);
    const { sms } = await text(provider, `YES ${created.code}`);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatch(/no longer available/i);
    expect(sms[0]).toContain(created.code);
    expect(sms[0]).not.toContain('/p/');
  });

  it('an expired lead: "no longer available", no link', async () => {
    const { provider, lead: created } = await providerWithLead();
    await app.db.query(`update leads set expires_at = now() - interval '1 minute' where id = $1`, [
      created.id,
    ]);
    const { sms } = await text(provider, `YES ${created.code}`);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatch(/no longer available/i);
    expect(sms[0]).not.toContain('/p/');
  });

  it('a lead they already bought: its details again', async () => {
    const { provider, lead: created } = await providerWithLead();
    await buy(provider, created.code);
    const { sms } = await text(provider, `YES ${created.code}`);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toContain('Jane Client');
    expect(sms[0]).toContain('+15125550142');
    expect(sms[0]).toContain('jane.client@example.com');
    expect(sms[0]).toContain('Leaking kitchen sink, water under the cabinet. Need someone this week.');
    expect(sms[0]).not.toContain('/p/');

    // Even once the lead is full.
    await app.db.query('update leads set unlock_count = max_unlocks where id = $1', [created.id]);
    const again = await text(provider, `UNLOCK ${created.code}`);
    expect(again.sms).toHaveLength(1);
    expect(again.sms[0]).toContain('Jane Client');
  });
});

describe('STOP and START', () => {
  it.each(['STOP', 'stopall', 'Unsubscribe', 'CANCEL', 'end', 'Quit.', 'stop all'])(
    '"%s" opts out with one confirmation; a second STOP gets no SMS; no more teasers',
    async (word) => {
      const zip = uniqueZip();
      const provider = await api.addProvider({ zipCodes: [zip] });
      const first = await text(provider, word);
      expect(first.res.status).toBe(200);
      expect(first.sms).toHaveLength(1);
      expect(first.sms[0]).toMatch(/unsubscribed/i);
      expect(await optedOut(provider)).toBe(true);

      const second = await text(provider, 'STOP');
      expect(second.res.status).toBe(200);
      expect(second.sms).toHaveLength(0);
      expect(await optedOut(provider)).toBe(true);

      const before = app.textmagic.sent.length;
      const created = await newLead(zip);
      expect(created.offeredTo).toBe(0);
      expect(sentTo(provider.phone, before)).toHaveLength(0);
      const offers = await app.db.query('select 1 from offers where provider_id = $1', [provider.id]);
      expect(offers).toHaveLength(0);
    },
  );

  it.each(['START', 'unstop', 'Join', 'SUBSCRIBE', 'resubscribe', 'OPTIN', 'opt in'])(
    '"%s" opts back in with a confirmation, and teasers resume',
    async (word) => {
      const zip = uniqueZip();
      const provider = await api.addProvider({ zipCodes: [zip] });
      await text(provider, 'STOP');
      expect(await optedOut(provider)).toBe(true);

      const { res, sms } = await text(provider, word);
      expect(res.status).toBe(200);
      expect(sms).toHaveLength(1);
      // The opt-in confirmation again, with everything carriers ask of it (templates-languages).
      expect(sms[0]).toMatch(
        /subscribed\. Account: ACCOUNT\. Msg frequency varies\. Msg&data rates may apply\./,
      );
      expect(await optedOut(provider)).toBe(false);

      const before = app.textmagic.sent.length;
      const created = await newLead(zip);
      expect(created.offeredTo).toBe(1);
      const teasers = sentTo(provider.phone, before);
      expect(teasers).toHaveLength(1);
      expect(teasers[0]!.text).toContain(`YES ${created.code}`);
    },
  );
});

describe('HELP and anything else', () => {
  it.each(['HELP', 'info', 'Help?'])('"%s" gets the help text every time', async (word) => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    for (let i = 0; i < 3; i++) {
      const { res, sms } = await text(provider, word);
      expect(res.status).toBe(200);
      expect(sms).toHaveLength(1);
      expect(sms[0]).toMatch(/Buy: YES 4821\. Account: ACCOUNT\./);
      expect(sms[0]).toMatch(/STOP/);
    }
  });

  it('anything else gets the help text at most once a day per number', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    const first = await text(provider, 'Who is this?');
    expect(first.res.status).toBe(200);
    expect(first.sms).toHaveLength(1);
    expect(first.sms[0]).toMatch(/Buy: YES 4821\. Account: ACCOUNT\./);

    const second = await text(provider, 'yes please');
    expect(second.res.status).toBe(200);
    expect(second.sms).toHaveLength(0);
    const third = await text(provider, 'ok thanks');
    expect(third.sms).toHaveLength(0);

    // A day later (help_sent_at moved back 25 hours), the help text again, once.
    await app.db.query(
      `update providers set help_sent_at = help_sent_at - interval '25 hours' where id = $1`,
      [provider.id],
    );
    const later = await text(provider, 'hello?');
    expect(later.sms).toHaveLength(1);
    expect(later.sms[0]).toMatch(/Buy: YES 4821\. Account: ACCOUNT\./);
    expect((await text(provider, 'hello??')).sms).toHaveLength(0);

    // Every message was recorded, answered or not.
    const rows = await app.db.query<{ outcome: string }>(
      'select outcome from inbound_sms where provider_id = $1',
      [provider.id],
    );
    expect(rows.map((r) => r.outcome)).toEqual(['other', 'other', 'other', 'other', 'other']);
  });

  it('the daily limit is per number', async () => {
    const a = await api.addProvider({ zipCodes: [uniqueZip()] });
    const b = await api.addProvider({ zipCodes: [uniqueZip()] });
    expect((await text(a, 'hi')).sms).toHaveLength(1);
    expect((await text(b, 'hi')).sms).toHaveLength(1);
  });
});

describe('callbacks', () => {
  it('an unknown sender gets 200 and nothing is sent', async () => {
    const stranger = { id: 'none', phone: phoneNumber() };
    const id = uniqueId();
    const { res, sms } = await text(stranger, 'YES 4821', { id });
    expect(res.status).toBe(200);
    expect(sms).toHaveLength(0);
    expect(app.textmagic.requests).toBe(0);
    const rows = await inboundRow(id);
    expect(rows).toEqual([{ id, sender: stranger.phone, outcome: 'unknown_sender', provider_id: null }]);
  });

  it('the same TextMagic id posted twice: 200 both times, processed once', async () => {
    const { provider, lead: created } = await providerWithLead();
    const id = uniqueId();
    const first = await text(provider, `YES ${created.code}`, { id });
    const second = await text(provider, `YES ${created.code}`, { id });
    expect(first.res.status).toBe(200);
    expect(second.res.status).toBe(200);
    expect(first.sms).toHaveLength(1);
    expect(second.sms).toHaveLength(0);
    expect(await inboundRow(id)).toHaveLength(1);
    const stored = await app.db.query(
      `select 1 from sms_messages where provider_id = $1 and kind <> 'opted_in'`,
      [provider.id],
    );
    expect(stored).toHaveLength(1);
  });

  it('a repeated HELP or START callback (same id) is not answered again', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    for (const word of ['HELP', 'START']) {
      const id = uniqueId();
      expect((await text(provider, word, { id })).sms).toHaveLength(1);
      const again = await text(provider, word, { id });
      expect(again.res.status).toBe(200);
      expect(again.sms).toHaveLength(0);
    }
  });

  it('the same id posted 20 times at once: one effect', async () => {
    const { provider, lead: created } = await providerWithLead();
    const id = uniqueId();
    const before = app.textmagic.sent.length;
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => api.reply(provider.phone, `YES ${created.code}`, { id })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(sentTo(provider.phone, before)).toHaveLength(1);
    expect(await inboundRow(id)).toHaveLength(1);
    const stored = await app.db.query(
      `select 1 from sms_messages where provider_id = $1 and kind <> 'opted_in'`,
      [provider.id],
    );
    expect(stored).toHaveLength(1);
  });

  it.each([
    ['json', 'v1'],
    ['form', 'v1'],
    ['multipart', 'v1'],
    ['form', 'v2'],
    ['json', 'v2'],
    ['multipart', 'v2'],
  ] as const)('a body as %s in a %s event is understood', async (as, version) => {
    const { provider, lead: created } = await providerWithLead();
    const id = uniqueId();
    const { res, sms } = await text(provider, `Yes ${created.code}`, { id, as, version });
    expect(res.status).toBe(200);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toContain('/p/');
    const rows = await inboundRow(id);
    expect(rows).toEqual([{ id, sender: provider.phone, outcome: 'yes', provider_id: provider.id }]);
  });

  it('a JSON body with numbers for id and sender is understood', async () => {
    const { provider, lead: created } = await providerWithLead();
    const id = Date.now();
    const before = app.textmagic.sent.length;
    const res = await postInbound({
      id,
      sender: Number(tmDigits(provider.phone)),
      receiver: 15125550000,
      text: `YES ${created.code}`,
    });
    expect(res.status).toBe(200);
    expect(sentTo(provider.phone, before)).toHaveLength(1);
    expect(await inboundRow(String(id))).toHaveLength(1);
  });

  it.each(['sender', 'id'])('a missing %s: 400 naming it, nothing stored or sent', async (field) => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    app.textmagic.reset(); // their opt-in confirmation went out: count from here
    const fields: Record<string, unknown> = {
      id: uniqueId(),
      sender: tmDigits(provider.phone),
      receiver: '15125550000',
      messageTime: new Date().toISOString(),
      text: 'HELP',
    };
    delete fields[field];
    for (const as of ['json', 'form'] as const) {
      const [{ n: before }] = (await app.db.query<{ n: number }>(
        'select count(*)::int as n from inbound_sms',
      )) as [{ n: number }];
      const res = await postInbound(fields, as);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toEqual(expect.any(String));
      expect(res.json.error.message).toContain(field);
      expect(res.json.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      const [{ n: after }] = (await app.db.query<{ n: number }>(
        'select count(*)::int as n from inbound_sms',
      )) as [{ n: number }];
      expect(after).toBe(before);
    }
    expect(app.textmagic.requests).toBe(0);
    expect(
      await app.db.query(`select 1 from sms_messages where provider_id = $1 and kind <> 'opted_in'`, [
        provider.id,
      ]),
    ).toHaveLength(0);
  });

  it('a NUL character in the text (GSM "@" as some gateways pass it) is accepted, not a 500', async () => {
    const { provider, lead: created } = await providerWithLead();
    const id = uniqueId();
    const { res, sms } = await text(provider, `YES\u0000${created.code}`, { id, as: 'json' });
    expect(res.status).toBe(200);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toContain('/p/');
    expect(await inboundRow(id)).toHaveLength(1);
    const junk = await text(provider, 'meet me \u0000 noon', { as: 'form' });
    expect(junk.res.status).toBe(200);
  });

  it('a NUL character in the id: 400 naming it, nothing stored', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    app.textmagic.reset(); // their opt-in confirmation went out: count from here
    const res = await postInbound({ id: 'a\u0000b', sender: tmDigits(provider.phone), text: 'HELP' });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('id');
    expect(
      await app.db.query('select 1 from inbound_sms where provider_id = $1', [provider.id]),
    ).toHaveLength(0);
    expect(app.textmagic.requests).toBe(0);
  });

  it('a wrong or missing token is refused and nothing is stored', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    app.textmagic.reset(); // their opt-in confirmation went out: count from here
    const id = uniqueId();
    const body = new URLSearchParams({ id, sender: tmDigits(provider.phone), text: 'HELP' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await invoke(inboundSms, {
      method: 'POST',
      path: '/sms/inbound',
      query: { token: 'nope' },
      headers,
      body,
    });
    const missing = await invoke(inboundSms, { method: 'POST', path: '/sms/inbound', headers, body });
    expect(wrong.status).toBe(403);
    expect(missing.status).toBe(401);
    expect(await inboundRow(id)).toHaveLength(0);
    expect(app.textmagic.requests).toBe(0);
  });

  it('TextMagic down when answering: still 200, the answer stays queued for the dispatcher', async () => {
    const { provider, lead: created } = await providerWithLead();
    app.textmagic.reset();
    app.textmagic.fail(1, 503);
    const id = uniqueId();
    const { res, sms } = await text(provider, `YES ${created.code}`, { id });
    expect(res.status).toBe(200);
    expect(sms).toHaveLength(0);
    expect(app.textmagic.requests).toBe(1); // tried once, at once
    const rows = await app.db.query<{
      kind: string;
      status: string;
      attempts: number;
      last_error: string;
      due_in_s: number;
      body: string;
    }>(
      `select kind, status, attempts, last_error, body,
              extract(epoch from next_attempt_at - now())::float as due_in_s
         from sms_messages where provider_id = $1 and kind <> 'opted_in'`,
      [provider.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'pay_link', status: 'queued', attempts: 1 });
    expect(rows[0]!.last_error).toContain('503');
    expect(rows[0]!.body).toContain('/p/');
    expect(rows[0]!.due_in_s).toBeGreaterThan(0);
    expect(rows[0]!.due_in_s).toBeLessThanOrEqual(120);
    expect(await inboundRow(id)).toHaveLength(1);

    // TextMagic repeating the callback meanwhile changes nothing.
    expect((await text(provider, `YES ${created.code}`, { id })).sms).toHaveLength(0);

    // Once due, the dispatcher sends it, once.
    await app.db.query(
      `update sms_messages set next_attempt_at = now() - interval '1 second' where provider_id = $1`,
      [provider.id],
    );
    const before = app.textmagic.sent.length;
    await dispatcher();
    await dispatcher();
    const delivered = sentTo(provider.phone, before);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.text).toBe(rows[0]!.body);
    const [after] = await app.db.query<{ status: string; attempts: number }>(
      `select status, attempts from sms_messages where provider_id = $1 and kind <> 'opted_in'`,
      [provider.id],
    );
    expect(after).toEqual({ status: 'sent', attempts: 2 });
  });
});
