/**
 * TextMagic misbehaving in every way it can while a day's business goes through: leads, YES
 * replies, payments past the cap. Routes answer in time, and once TextMagic behaves again every
 * provider has every SMS, once: TextMagic has no idempotency key, so a message it took without
 * our hearing back is looked up at TextMagic before the retry would send it again (the lookups
 * are counted: they share TextMagic's request rate).
 */
import { describe, expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import type { FaultMode } from '../emulators/fake-textmagic';
import { api, lead, linkToken } from '../tests/support/flow';
import { deliverEvent, uniqueZip } from '../tests/support/market';
import { dispatchUntilIdle } from './support/clock';
import { report } from './support/row';

const LEADS = 10;
const PROVIDERS = 4;
const CAP = 3;
// One fault armed before each request our side makes; 'ok' arms none.
const FAULTS: Array<FaultMode | 'ok'> = [503, 'ok', 429, 'reset', 'ok', 'timeout', 'hang', 'lost-reply'];

type Kind = 'teaser' | 'link' | 'details' | 'refunded';
const kindOf = (text: string): Kind | undefined =>
  /\/p\//.test(text)
    ? 'link'
    : /is yours/.test(text)
      ? 'details'
      : /refunded/i.test(text)
        ? 'refunded'
        : /^New /.test(text)
          ? 'teaser'
          : undefined;

describe('TextMagic faults through a whole market', () => {
  // A 1 s TextMagic timeout and the default 1.5 s budget after commit.
  const app = useApp({ env: { TEXTMAGIC_TIMEOUT_MS: '1000', INLINE_WORK_BUDGET_MS: '1500' } });

  it(`${LEADS} leads × ${PROVIDERS} providers, everyone pays, TextMagic faulting ${FAULTS.filter((f) => f !== 'ok').length} requests in ${FAULTS.length}`, async (ctx) => {
    let turn = 0;
    const armed: Record<string, number> = {};
    const arm = () => {
      const fault = FAULTS[turn++ % FAULTS.length]!;
      if (fault === 'ok') return;
      armed[String(fault)] = (armed[String(fault)] ?? 0) + 1;
      app.textmagic.fail(1, fault);
    };
    const slowest = { createLead: 0, reply: 0, webhook: 0 };
    const timed = async <T>(route: keyof typeof slowest, call: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await call();
      slowest[route] = Math.max(slowest[route], performance.now() - started);
      return result;
    };

    const markets = [];
    for (let i = 0; i < LEADS; i++) {
      const zip = uniqueZip();
      const people = [];
      for (let p = 0; p < PROVIDERS; p++) people.push(await api.addProvider({ zipCodes: [zip] }));
      arm();
      const created = await timed('createLead', () => api.postLead(lead({ zipCode: zip, maxUnlocks: CAP })));
      expect(created.status).toBe(201);
      markets.push({ code: created.json.code as string, people });
    }
    await dispatchUntilIdle(app.db);

    for (const m of markets) {
      for (const p of m.people) {
        arm();
        expect((await timed('reply', () => api.reply(p.phone, `YES ${m.code}`))).status).toBe(200);
      }
    }
    await dispatchUntilIdle(app.db);

    const events = [];
    for (const m of markets) {
      for (const p of m.people) {
        const link = app.textmagic.sent
          .filter((s) => s.phones.includes(p.phone.slice(1)) && kindOf(s.text) === 'link')
          .at(-1);
        const pay = await api.openPayLink(linkToken(link!.text));
        expect(pay.status).toBe(303);
        const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
        events.push(app.stripe.completeSession(session.id));
      }
    }
    for (const event of events) {
      arm();
      expect((await timed('webhook', () => deliverEvent(app, event))).status).toBe(200);
    }
    app.textmagic.heal();
    const runs = await dispatchUntilIdle(app.db);

    // What each phone received, by kind; what it should have: a teaser and a link each, details
    // for CAP of them and "refunded" for the rest of each lead.
    const received = new Map<string, number>();
    for (const s of app.textmagic.sent) {
      const kind = kindOf(s.text);
      if (!kind) continue;
      for (const phone of s.phones)
        received.set(`${phone}|${kind}`, (received.get(`${phone}|${kind}`) ?? 0) + 1);
    }
    const expected = new Map<string, number>();
    for (const m of markets) {
      for (const p of m.people) {
        for (const kind of ['teaser', 'link'] as const) expected.set(`${p.phone.slice(1)}|${kind}`, 1);
      }
    }
    const details = [...received.keys()].filter((k) => k.endsWith('|details')).length;
    const refunded = [...received.keys()].filter((k) => k.endsWith('|refunded')).length;
    let lost = 0;
    let duplicated = 0;
    for (const [key, n] of expected) lost += n - Math.min(n, received.get(key) ?? 0);
    lost += Math.max(0, LEADS * CAP - details) + Math.max(0, LEADS * (PROVIDERS - CAP) - refunded);
    for (const n of received.values()) duplicated += Math.max(0, n - 1);
    // Per phone, since one request can carry a teaser for several.
    const unheard = (reply: string) =>
      app.textmagic.sent.filter((s) => s.reply === reply).reduce((n, s) => n + s.phones.length, 0);
    const takenUnheard = unheard('never');
    const takenCut = unheard('cut');
    const [failed] = await app.db.query<{ n: string }>(
      `select count(*) as n from sms_messages where status = 'failed'`,
    );

    report(ctx, {
      scenario: 'TextMagic faults, whole flow',
      load: `${LEADS} leads × ${PROVIDERS} providers, ${LEADS * PROVIDERS} payments (cap ${CAP})`,
      fault: `before each request one of ${FAULTS.join(', ')}: ${Object.entries(armed)
        .map(([f, n]) => `${n}× ${f}`)
        .join(', ')}`,
      expected: `every SMS once after recovery, a message taken unheard found at TextMagic and not resent; routes answer 2xx in < 3 s`,
      observed: `${received.size} distinct SMS received, ${failed!.n} failed, ${runs} dispatcher runs; ${takenUnheard} taken unheard (lost-reply), ${takenCut} taken with the answer cut (hang); ${app.textmagic.requests} TextMagic requests, ${app.textmagic.searches} of them lookups before a resend; slowest: create-lead ${Math.round(slowest.createLead)} ms, YES ${Math.round(slowest.reply)} ms, webhook ${Math.round(slowest.webhook)} ms`,
      lost,
      duplicated,
      slowestMs: Math.max(slowest.createLead, slowest.reply, slowest.webhook),
    });
    expect(lost).toBe(0);
    expect(Number(failed!.n)).toBe(0);
    // A message TextMagic took without answering is found before a resend, not sent again.
    expect(takenUnheard).toBeGreaterThan(0);
    expect(duplicated).toBe(0);
  });
});
