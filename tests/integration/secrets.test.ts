/**
 * Secrets and the client's contact details: pay tokens are unguessable, and a full flow with
 * LOG_LEVEL=info never puts the client's phone, e-mail or name in a teaser, a pay page, an
 * error message or a log line. (The lead key on admin routes: tests/integration/http-errors.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { handler as providers } from '../../functions/providers';
import { sameSecret } from '../../lib/http/auth';
import { payToken } from '../../lib/leads/codes';
import { invoke } from '../../emulators/events';
import { KEYS, tmDigits, useApp } from '../support/app';
import { useDatabaseProxy } from '../support/database-proxy';
import { api, lead, linkToken } from '../support/flow';
import { deliverEvent, openSessions } from '../support/market';

const app = useApp();
const link = useDatabaseProxy(app);

const CLIENT = { name: 'Jane Client', phone: '(512) 555-0142', email: 'jane.client@example.com' };
/** Every way the client's contacts could show up in text. */
const LEAKS = [
  '+15125550142',
  '15125550142',
  '5125550142',
  '555-0142',
  'jane.client@example.com',
  'jane.client',
  'Jane Client',
];
/** What the client typed (emulators/lead-body.ts): teasers carry a cut of it, logs never. */
const TYPED = ['Leaking kitchen sink', 'water under the cabinet'];

describe('pay tokens', () => {
  it('carry at least 128 random bits: 24 base64url characters, all different', () => {
    const tokens = Array.from({ length: 2000 }, payToken);
    for (const t of tokens) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{24}$/); // 24 × 6 = 144 bits, from 18 random bytes
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    // Every position takes many values: no fixed prefix or counter.
    for (let i = 0; i < 24; i++) expect(new Set(tokens.map((t) => t[i])).size).toBeGreaterThan(40);
  });

  it('the tokens in pay links sent by SMS are those', async () => {
    const zip = '61001';
    const p = await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${created.json.code}`);
    expect(linkToken(app.textmagic.sent.slice(before).at(-1)!.text)).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});

describe('keys', () => {
  it('are compared through fixed-length digests (no length or prefix leak)', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
    expect(sameSecret('a'.repeat(10_000), 'a')).toBe(false);
  });
});

describe('no client contact details outside the details SMS and the admin view', () => {
  let lines: string[] = [];
  const saved = process.env.LOG_LEVEL;
  beforeEach(() => {
    lines = [];
    process.env.LOG_LEVEL = 'info';
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env.LOG_LEVEL = saved;
  });

  const clean = (what: string, text: string, leaks = LEAKS) => {
    for (const leak of leaks) expect(text, `${what} carries "${leak}": ${text}`).not.toContain(leak);
  };
  const cleanLog = (line: string) => clean('a log line', line, [...LEAKS, ...TYPED]);

  it('a whole flow with TextMagic failing once, a refused request and a sold-out lead, at LOG_LEVEL=info', async () => {
    const zip = '61002';
    const a = await api.addProvider({ zipCodes: [zip] });
    const b = await api.addProvider({ zipCodes: [zip] });

    // Refused requests: their messages name fields, never echo the contacts.
    const bad = await api.postLead({
      ...lead({ zipCode: zip, ...CLIENT }),
      email: 'jane.client@',
      maxUnlocks: 0,
    });
    expect(bad.status).toBe(400);
    clean('a 400 body', bad.text);
    const dup = await invoke(providers, {
      method: 'POST',
      path: '/providers',
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Pat Plumber',
        phone: a.phone,
        categories: ['plumbing'],
        zipCodes: [zip],
      }),
    });
    expect(dup.status, dup.text).toBe(409);
    expect(dup.json.error.code).toBe('phone_taken');
    clean('a 409 body', dup.text);

    // The teaser, with TextMagic failing once (the failure is logged), then the dispatcher
    // (counted after the opt-in confirmations a and b got when added).
    const teasersFrom = app.textmagic.sent.length;
    app.textmagic.fail(1, 503);
    const created = await api.postLead(lead({ zipCode: zip, ...CLIENT, maxUnlocks: 1 }));
    expect(created.status).toBe(201);
    clean('POST /leads answer', created.text);
    await app.db.query(`update sms_messages set next_attempt_at = now() where status = 'queued'`);
    await dispatcher();
    // One teaser each: the one that failed inline went out with the dispatcher.
    const teasers = app.textmagic.sent.slice(teasersFrom);
    for (const p of [a, b]) {
      expect(teasers.filter((m) => m.phones.includes(tmDigits(p.phone)))).toHaveLength(1);
    }
    for (const m of app.textmagic.sent) clean('an SMS', m.text);

    // Pay links and pages.
    const sentBefore = app.textmagic.sent.length;
    await api.reply(a.phone, `YES ${created.json.code}`);
    await api.reply(b.phone, `YES ${created.json.code}`);
    const [ta, tb] = app.textmagic.sent.slice(sentBefore).map((m) => linkToken(m.text));
    for (const m of app.textmagic.sent.slice(sentBefore)) clean('a pay-link SMS', m.text);
    const payA = await api.openPayLink(ta!);
    const payB = await api.openPayLink(tb!);
    expect(payA.status).toBe(303);
    clean('a redirect', JSON.stringify(payA.headers));
    const session = [...app.stripe.sessions.values()].find((s) => s.url === payA.headers.location)!;
    clean('the Checkout Session', JSON.stringify(app.stripe.publicSession(session.id)));

    // A buys; the details SMS is the one place the contacts go. B's page then says it is gone.
    const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
    const paid = await api.webhook(payload, header);
    expect(paid.json.outcome).toBe('unlocked');
    clean('the webhook answer', paid.text);
    const details = app.textmagic.sent.filter((m) => m.text.includes('Jane Client'));
    expect(details).toHaveLength(1);
    expect(details[0]!.phones).toEqual([tmDigits(a.phone)]);
    expect(payB.status).toBe(303);
    // A's page says it is A's, B's that the lead sold out, a made-up token that there is no such link.
    for (const [token, status] of [
      [ta!, 200],
      [tb!, 410],
      ['Z'.repeat(24), 404],
    ] as const) {
      const res = await api.openPayLink(token);
      expect(res.status, res.text).toBe(status);
      clean('a pay page', res.text);
    }
    // B asks again: "no longer available", no details.
    const again = app.textmagic.sent.length;
    await api.reply(b.phone, `YES ${created.json.code}`);
    for (const m of app.textmagic.sent.slice(again)) clean('an SMS to the provider who did not buy', m.text);

    // Something was logged, and none of it carries the contacts.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) cleanLog(line);
  });
  it('the database cut during POST /leads, YES and the paid webhook: failed queries are logged without their parameters', async () => {
    const zip = '61003';
    const p = await api.addProvider({ zipCodes: [zip] });

    const cutLead = link.proxy.dropOn(/insert into leads/);
    const refused = await api.postLead(lead({ zipCode: zip, ...CLIENT }));
    await cutLead;
    expect(refused.status).toBe(503);
    const created = await api.postLead(lead({ zipCode: zip, ...CLIENT }));
    expect(created.status).toBe(201);

    const cutReply = link.proxy.dropOn(/insert into inbound_sms/);
    expect((await api.reply(p.phone, `YES ${created.json.code}`)).status).toBe(503);
    await cutReply;

    const { buyers } = await openSessions(app, 1, CLIENT);
    const paid = app.stripe.completeSession(buyers[0]!.sessionId);
    const cutPaid = link.proxy.dropOn(/insert into "unlocks"/);
    expect((await deliverEvent(app, paid)).status).toBe(503);
    await cutPaid;
    expect((await deliverEvent(app, paid)).json.outcome).toBe('unlocked');

    // The three failures were logged, once each naming its statement, and none carries what the
    // client typed.
    const failed = lines.filter((l) => l.includes('"message":"Failed query"'));
    expect(failed).toHaveLength(3);
    for (const statement of ['/* create_lead */', '/* record_reply */', '/* record_unlock */'])
      expect(
        failed.filter((l) => l.includes(statement)),
        statement,
      ).toHaveLength(1);
    for (const line of lines) cleanLog(line);
  });
});
