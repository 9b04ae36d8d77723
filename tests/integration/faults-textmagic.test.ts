/**
 * TextMagic (and Stripe) failing at each step of the flow, after our change is committed: the
 * route still answers 2xx at once, the SMS stays queued, and once TextMagic is back the
 * scheduled dispatcher delivers it. Counts are taken at the fake: what the phones got.
 *
 * The outside timeouts are set far beyond the test's own timeout, so a route that waited for
 * a hung TextMagic or Stripe would never answer here: only the budget after commit
 * (INLINE_WORK_BUDGET_MS) lets it answer.
 */
import { randomInt } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { tmDigits, useApp } from '../support/app';
import { freeSendRate } from '../support/outbox';
import type { FaultMode } from '../../emulators/fake-textmagic';
import { api, lead, linkToken } from '../support/flow';
import type { Reply } from '../../emulators/events';

const app = useApp({
  env: {
    TEXTMAGIC_TIMEOUT_MS: '600000',
    STRIPE_TIMEOUT_MS: '600000',
    INLINE_WORK_BUDGET_MS: '700',
    LEAD_MAX_OFFERS: '20',
  },
});

const uniqueZip = () => String(randomInt(10_000, 100_000));

/** What the phone got: accepted messages to it whose text matches. */
const received = (phone: string, match: RegExp) =>
  app.textmagic.sent.filter((m) => m.phones.includes(tmDigits(phone)) && match.test(m.text)).length;

type SmsRow = { id: number; kind: string; status: string; attempts: number; last_error: string | null };
const rowsOf = (kind: string, phone: string) =>
  app.db.query<SmsRow>(
    `select id::int, kind, status, attempts, last_error from sms_messages
     where kind = $1 and $2 = any(recipients) order by id`,
    [kind, phone],
  );

/** Time passes: every queued SMS and Stripe follow-up is due; the dispatcher runs until idle. */
async function dispatchUntilIdle(): Promise<void> {
  for (let run = 0; run < 5; run++) {
    await app.db.query(`update sms_messages set next_attempt_at = now() where status = 'queued'`);
    await app.db.query(`update stripe_tasks set next_attempt_at = now() where status = 'queued'`);
    const r = await dispatcher();
    if (r.sms.done + r.sms.retry + r.sms.failed + r.stripe.done + r.stripe.retry + r.stripe.failed === 0) {
      return;
    }
  }
  throw new Error('the dispatcher still had work after 5 runs');
}

/** A lead offered to `n` providers of their own; each with an open Checkout Session if `pay`. */
async function market(n: number, opts: { maxUnlocks?: number; open?: boolean } = {}) {
  const zip = uniqueZip();
  const people = [];
  for (let i = 0; i < n; i++) people.push(await api.addProvider({ zipCodes: [zip] }));
  const created = await api.postLead(lead({ zipCode: zip, maxUnlocks: opts.maxUnlocks ?? 3 }));
  expect(created.status).toBe(201);
  const buyers = [];
  for (const p of opts.open ? people : []) {
    const before = app.textmagic.sent.length;
    expect((await api.reply(p.phone, `YES ${created.json.code}`)).status).toBe(200);
    const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(before).at(-1)!.text));
    expect(pay.status).toBe(303);
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    buyers.push({ ...p, sessionId: session.id });
  }
  return { lead: created.json as { id: string; code: string }, people, buyers };
}

const deliver = (event: ReturnType<typeof app.stripe.completeSession>): Promise<Reply> => {
  const { payload, header } = app.stripe.sign(event);
  return api.webhook(payload, header);
};

type Step = {
  /** Sets the scene, then returns the request whose SMS meets the fault. */
  prepare(): Promise<{ act: () => Promise<Reply>; phone: string }>;
  status: number;
  kind: string;
  text: RegExp;
};

const steps: Record<string, Step> = {
  'teaser on POST /leads': {
    async prepare() {
      const zip = uniqueZip();
      const p = await api.addProvider({ zipCodes: [zip] });
      return { act: () => api.postLead(lead({ zipCode: zip })), phone: p.phone };
    },
    status: 201,
    kind: 'teaser',
    text: /Reply YES \d+/,
  },
  'pay-link SMS on YES': {
    async prepare() {
      const { lead: l, people } = await market(1);
      return { act: () => api.reply(people[0]!.phone, `YES ${l.code}`), phone: people[0]!.phone };
    },
    status: 200,
    kind: 'pay_link',
    text: /\/p\/[A-Za-z0-9_-]+/,
  },
  'details SMS on the paid webhook (the lead fills: another session expired at Stripe)': {
    async prepare() {
      const { buyers } = await market(2, { maxUnlocks: 1, open: true });
      const event = app.stripe.completeSession(buyers[0]!.sessionId);
      return { act: () => deliver(event), phone: buyers[0]!.phone };
    },
    status: 200,
    kind: 'details',
    text: /Jane Client/,
  },
  '"refunded" SMS on a payment past the cap (refund at Stripe)': {
    async prepare() {
      const { buyers } = await market(2, { maxUnlocks: 1, open: true });
      const late = app.stripe.completeSession(buyers[1]!.sessionId);
      expect((await deliver(app.stripe.completeSession(buyers[0]!.sessionId))).json.outcome).toBe('unlocked');
      return { act: () => deliver(late), phone: buyers[1]!.phone };
    },
    status: 200,
    kind: 'refunded',
    text: /refund/i,
  },
};

/**
 * Each fault, and how many times the phone gets the SMS in the end: once, never lost. A
 * `lost-reply` (TextMagic took the message and its answer never came) is found at TextMagic by
 * the dispatcher before it would send again, so it is not delivered twice. `unanswered`:
 * requests TextMagic received and left without an answer or a message (only `timeout` does).
 * `attempts`: the tries counted by then; a 429 is TextMagic's rate, not a try of the SMS.
 */
type Expected = { inline: 'queued' | 'sent'; delivered: number; unanswered: number; attempts?: number };
const faults: Array<[FaultMode, Expected]> = [
  [503, { inline: 'queued', delivered: 1, unanswered: 0 }],
  [429, { inline: 'queued', delivered: 1, unanswered: 0, attempts: 0 }],
  ['timeout', { inline: 'queued', delivered: 1, unanswered: 1 }],
  ['reset', { inline: 'queued', delivered: 1, unanswered: 0 }],
  ['hang', { inline: 'sent', delivered: 1, unanswered: 0 }],
  ['lost-reply', { inline: 'queued', delivered: 1, unanswered: 0 }],
];

beforeEach(async () => {
  app.textmagic.heal();
  app.stripe.heal();
  // Each fault on its own: a 429 in the test before paused every sender for its Retry-After.
  await freeSendRate(app);
});

describe.each(Object.entries(steps))('%s', (_name, step) => {
  it.each(faults)('TextMagic %s: answered 2xx, then delivered after recovery', async (fault, expected) => {
    const { act, phone } = await step.prepare();
    // Stripe may be slow too, on the steps that call it after commit: it never answers.
    app.stripe.fail(5, 'timeout');
    app.textmagic.fail(1, fault);
    // The fake keeps what earlier tests left unanswered: count from here.
    const unansweredBefore = app.textmagic.unanswered.length;
    const res = await act();
    expect(res.status).toBe(step.status);

    // Committed with the change: the SMS is in the outbox, queued for the dispatcher or sent.
    const [row] = await rowsOf(step.kind, phone);
    expect(row).toMatchObject({ status: expected.inline, attempts: expected.attempts ?? 1 });
    const unanswered = app.textmagic.unanswered.slice(unansweredBefore);
    expect(unanswered).toHaveLength(expected.unanswered);
    for (const r of unanswered) expect(r.body).toContain(tmDigits(phone));

    app.textmagic.heal();
    app.stripe.heal();
    await dispatchUntilIdle();
    expect(received(phone, step.text)).toBe(expected.delivered);
    expect(await rowsOf(step.kind, phone)).toEqual([expect.objectContaining({ status: 'sent' })]);
    // Nothing more goes out later.
    await dispatchUntilIdle();
    expect(received(phone, step.text)).toBe(expected.delivered);
  });
});

describe('Stripe follow-ups after commit', () => {
  it('a refund whose Stripe call hangs: the webhook answers, the refund happens once after recovery', async () => {
    const { buyers } = await market(2, { maxUnlocks: 1, open: true });
    const late = app.stripe.completeSession(buyers[1]!.sessionId);
    expect((await deliver(app.stripe.completeSession(buyers[0]!.sessionId))).json.outcome).toBe('unlocked');
    const intent = app.stripe.sessions.get(buyers[1]!.sessionId)!.payment_intent;

    // Stripe takes the refund but its answer never comes; TextMagic hangs as well.
    app.stripe.fail(1, 'lost-reply');
    app.textmagic.fail(1, 'timeout');
    const res = await deliver(late);
    expect(res.status).toBe(200);
    expect(res.json.outcome).toBe('refund_queued');
    const [task] = await app.db.query<{ status: string; attempts: number }>(
      `select status, attempts from stripe_tasks where dedupe_key = $1`,
      [`refund:${buyers[1]!.sessionId}`],
    );
    expect(task).toMatchObject({ status: 'queued', attempts: 1 });

    app.stripe.heal();
    app.textmagic.heal();
    await dispatchUntilIdle();
    // Our idempotency key makes Stripe replay the first refund instead of making a second one.
    expect(app.stripe.refunds.filter((r) => r.payment_intent === intent)).toHaveLength(1);
    expect(received(buyers[1]!.phone, /refund/i)).toBe(1);
    const [done] = await app.db.query<{ status: string }>(
      `select status from stripe_tasks where dedupe_key = $1`,
      [`refund:${buyers[1]!.sessionId}`],
    );
    expect(done!.status).toBe('done');
  });

  it('Stripe 429 or 500 on the sessions to expire: the webhook answers, they are expired after recovery', async () => {
    for (const fault of [429, 500] as const) {
      const { buyers } = await market(3, { maxUnlocks: 1, open: true });
      app.stripe.fail(2, fault);
      const res = await deliver(app.stripe.completeSession(buyers[0]!.sessionId));
      expect(res.status).toBe(200);
      expect(app.stripe.sessions.get(buyers[1]!.sessionId)!.status).toBe('open');
      app.stripe.heal();
      await dispatchUntilIdle();
      for (const b of buyers.slice(1)) expect(app.stripe.sessions.get(b.sessionId)!.status).toBe('expired');
    }
  });
});

describe('a send that can never succeed is failed and shown to the operator', () => {
  it('a 400 from TextMagic on the details SMS: failed at once, flagged in GET /leads/:id', async () => {
    const { lead: l, buyers } = await market(1, { open: true });
    app.textmagic.fail(1, 400);
    const res = await deliver(app.stripe.completeSession(buyers[0]!.sessionId));
    expect(res.status).toBe(200);
    await dispatchUntilIdle();
    expect(received(buyers[0]!.phone, /Jane Client/)).toBe(0);

    const view = await api.getLead(l.id);
    expect(view.status).toBe(200);
    const details = view.json.sms.find((m: { kind: string }) => m.kind === 'details');
    expect(details).toMatchObject({
      status: 'failed',
      attempts: 1,
      recipients: [buyers[0]!.phone],
      needsAttention: true,
      lastError: expect.stringContaining('400'),
    });
    expect(view.json.smsNeedingAttention).toBe(1);
    // The SMS that went out are not flagged.
    expect(
      view.json.sms
        .filter((m: { kind: string }) => m.kind !== 'details')
        .map((m: { needsAttention: boolean }) => m.needsAttention),
    ).toEqual([false, false]);
  });

  it('ten failed tries: failed, flagged; nothing more is sent', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    app.textmagic.fail(1, 503);
    const created = await api.postLead(lead({ zipCode: zip }));
    expect(created.status).toBe(201);
    for (let i = 0; i < 9; i++) {
      app.textmagic.fail(1, i % 2 ? 'reset' : 503);
      await app.db.query(`update sms_messages set next_attempt_at = now() where lead_id = $1`, [
        created.json.id,
      ]);
      await dispatcher();
    }
    const view = await api.getLead(created.json.id);
    expect(view.json.sms).toEqual([
      expect.objectContaining({ kind: 'teaser', status: 'failed', attempts: 10, needsAttention: true }),
    ]);
    expect(view.json.smsNeedingAttention).toBe(1);
    app.textmagic.heal();
    await dispatchUntilIdle();
    expect(received(p.phone, /Reply YES/)).toBe(0);
  });
});

describe('pay link while Stripe fails', () => {
  it.each([500, 503, 429, 'timeout'] as const)(
    'Stripe %s: a clear page, nothing stored; the same link goes to Checkout once Stripe is back',
    async (fault) => {
      const { lead: l, people } = await market(1);
      const before = app.textmagic.sent.length;
      await api.reply(people[0]!.phone, `YES ${l.code}`);
      const token = linkToken(app.textmagic.sent.slice(before).at(-1)!.text);

      app.stripe.fail(5, fault);
      const down = await api.openPayLink(token);
      expect(down.status).toBe(503);
      expect(down.headers['content-type']).toContain('text/html');
      expect(down.text).toMatch(/open the link again/i);
      expect(down.text).not.toMatch(/Error|stack|at .*\.ts/);
      // No session stored (the attempt is: its number and expiry were written before Stripe was
      // asked, so that a create made at Stripe despite the fault is found again under its key).
      const [offer] = await app.db.query<{ checkout_session_id: string | null; checkout_url: string | null }>(
        `select checkout_session_id, checkout_url from offers where pay_token = $1`,
        [token],
      );
      expect(offer).toEqual({ checkout_session_id: null, checkout_url: null });

      app.stripe.heal();
      const up = await api.openPayLink(token);
      expect(up.status).toBe(303);
      expect(up.headers.location).toMatch(/\/pay\/cs_test_/);
    },
  );
});
