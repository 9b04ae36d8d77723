/**
 * Returns of bad leads (issue 13 §2): `BAD <code> <reason>` by SMS (MALO in Spanish) within
 * RETURN_WINDOW_DAYS of the purchase opens a return; the operator approves it (one refund at
 * Stripe, one SMS) or declines it with a note; auto-approval under RETURN_AUTO_APPROVE_RATE; a
 * returned lead is sold no more. Through the HTTP handlers and the Stripe and TextMagic fakes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as returnsFn } from '../../functions/returns';
import { handler as consoleFn } from '../../functions/console';
import { handler as leadsFn } from '../../functions/lead';
import { resetConfig } from '../../lib/config';
import { invoke } from '../../emulators/events';
import { KEYS, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { countRows, deliverEvent, openSessions, smsSentTo, uniqueZip, buyByLink } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

type Bought = { providerId: string; phone: string; leadId: string; code: string; sessionId: string };

/** A provider (paying by link) who bought a fresh lead; `maxUnlocks` of the lead. */
async function bought(opts: { language?: 'en' | 'es'; maxUnlocks?: number; zip?: string } = {}) {
  const zip = opts.zip ?? uniqueZip();
  const p = await api.addProvider({ zipCodes: [zip], autoPay: false, language: opts.language ?? 'en' });
  const created = await api.postLead(lead({ zipCode: zip, maxUnlocks: opts.maxUnlocks ?? 3 }));
  expect(created.status, created.text).toBe(201);
  return { ...(await buy(p, created.json.code)), leadId: created.json.id as string };
}

/** `p` buys lead `code` by link (`buyByLink`). */
async function buy(p: { id: string; phone: string }, code: string) {
  return { providerId: p.id, phone: p.phone, code, sessionId: await buyByLink(app, p.phone, code) };
}

/** The texts `phone` got in answer to their SMS `text`. */
async function answerTo(phone: string, text: string): Promise<string[]> {
  const before = app.textmagic.sent.length;
  const res = await api.reply(phone, text);
  expect(res.status).toBe(200);
  return smsSentTo(app, phone, before).map((m) => m.text);
}

const listReturns = (q: Record<string, string> = {}) =>
  invoke(returnsFn, { method: 'GET', path: '/returns', query: q, headers: admin });
const decide = (id: string, action: 'approve' | 'decline', body: unknown = {}) =>
  invoke(returnsFn, {
    method: 'POST',
    path: `/returns/${id}/${action}`,
    pathParams: { id },
    headers: admin,
    body: JSON.stringify(body),
  });
const openFromConsole = (unlockId: string, body: unknown) =>
  invoke(returnsFn, {
    method: 'POST',
    path: `/unlocks/${unlockId}/return`,
    pathParams: { id: unlockId },
    headers: admin,
    body: JSON.stringify(body),
  });

type ReturnRow = { id: string; status: string; reason: string; reason_text: string | null; auto: boolean };
const returnsOf = (b: Pick<Bought, 'leadId' | 'providerId'>) =>
  app.db.query<ReturnRow>(
    'select id, status, reason, reason_text, auto from lead_returns where lead_id = $1 and provider_id = $2',
    [b.leadId, b.providerId],
  );
const paymentIntent = (sessionId: string) => app.stripe.sessions.get(sessionId)!.payment_intent as string;
const refundsOf = (sessionId: string) =>
  app.stripe.refunds.filter((r) => r.payment_intent === paymentIntent(sessionId));
const refundTasks = (sessionId: string) =>
  countRows(
    app,
    `select count(*) as n from stripe_tasks where kind = 'refund' and checkout_session_id = $1`,
    [sessionId],
  );

/** Opens a return of `b` by SMS and returns its id. */
async function returned(b: Bought, reason = 'wrong area'): Promise<string> {
  const texts = await answerTo(b.phone, `BAD ${b.code} ${reason}`);
  expect(texts.join('\n')).toMatch(/we got your return|hemos recibido su reclamo/);
  const [r] = await returnsOf(b);
  return r!.id;
}

/** Sets RETURN_AUTO_APPROVE_RATE for one test. */
function autoApproveRate(rate: string) {
  process.env.RETURN_AUTO_APPROVE_RATE = rate;
  resetConfig();
}
afterEach(() => {
  delete process.env.RETURN_AUTO_APPROVE_RATE;
  resetConfig();
});

describe('BAD <code> <reason> by SMS', () => {
  it('within the window opens a return the console approves into exactly one refund and one SMS', async () => {
    const b = await bought();
    const texts = await answerTo(b.phone, `bad ${b.code}: the phone number is fake!`);
    expect(texts).toEqual([
      `Lead Unlock: we got your return of lead ${b.code}. We'll text you once it has been reviewed.`,
    ]);
    const [r] = await returnsOf(b);
    expect(r).toMatchObject({
      status: 'open',
      reason: 'bad_contact',
      reason_text: 'the phone number is fake!',
      auto: false,
    });

    const queue = await listReturns({ status: 'open', limit: '100' });
    expect(queue.status, queue.text).toBe(200);
    const listed = queue.json.returns.find((x: { id: string }) => x.id === r!.id);
    expect(listed).toMatchObject({
      status: 'open',
      reason: 'bad_contact',
      reasonText: 'the phone number is fake!',
      source: 'sms',
      lead: { id: b.leadId, code: b.code },
      provider: { id: b.providerId },
      unlock: { amountCents: 1500, currency: 'usd' },
    });

    const before = app.textmagic.sent.length;
    const approved = await decide(r!.id, 'approve');
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json.return).toMatchObject({ id: r!.id, status: 'approved', auto: false });
    expect(refundsOf(b.sessionId)).toHaveLength(1);
    expect(refundsOf(b.sessionId)[0]!.amount).toBe(1500);
    expect(smsSentTo(app, b.phone, before).map((m) => m.text)).toEqual([
      `Lead Unlock: your return of lead ${b.code} is approved. Your $15.00 is being refunded.`,
    ]);
    expect(
      await countRows(
        app,
        `select count(*) as n from stripe_tasks where kind = 'refund' and status = 'done' and checkout_session_id = $1`,
        [b.sessionId],
      ),
    ).toBe(1);

    // The purchase counts as refunded: on the lead, the provider's page and the stats rollup.
    const view = await api.getLead(b.leadId);
    expect(view.json.unlocks[0]).toMatchObject({ refunded: true });
    // The lead's page has the return, and its timeline the return and the refund it made (not a
    // refund past the cap).
    expect(view.json.returns).toEqual([
      expect.objectContaining({
        id: r!.id,
        providerId: b.providerId,
        reason: 'bad_contact',
        text: 'the phone number is fake!',
        source: 'sms',
        status: 'approved',
        auto: false,
      }),
    ]);
    const events = (view.json.timeline as Array<{ kind: string; detail?: Record<string, unknown> }>).filter(
      (e) => e.kind.startsWith('return') || e.kind === 'refunded',
    );
    expect(events.map((e) => [e.kind, e.detail])).toEqual([
      ['return_opened', { returnId: r!.id, reason: 'bad_contact', source: 'sms' }],
      ['return_decided', { returnId: r!.id, status: 'approved', auto: false }],
      [
        'refunded',
        expect.objectContaining({ returnId: r!.id, pastCap: false, status: 'done', amountCents: 1500 }),
      ],
    ]);
    expect(
      (await listReturns({ status: 'open', limit: '100' })).json.returns.map((x: { id: string }) => x.id),
    ).not.toContain(r!.id);
    expect(
      (await listReturns({ status: 'approved', limit: '100' })).json.returns.map((x: { id: string }) => x.id),
    ).toContain(r!.id);
    const [funnel] = await app.db.query<{ refunds: number; refunded_cents: string }>(
      'select refunds, refunded_cents from lead_funnels where lead_id = $1',
      [b.leadId],
    );
    expect(funnel).toMatchObject({ refunds: 1, refunded_cents: '1500' });
  });

  it('the budget: the weekly spend drops by the refunded price once the return is approved', async () => {
    const b = await bought();
    await api.patchProvider(b.providerId, { weeklySpendCapCents: 10_000 });
    const spent = async () => (await api.getProvider(b.providerId)).json.budget.weekSpentCents as number;
    expect(await spent()).toBe(1500);
    const id = await returned(b);
    expect(await spent()).toBe(1500); // an open return is not a refund yet
    expect((await decide(id, 'approve')).status).toBe(200);
    expect(await spent()).toBe(0);
    expect((await api.getProvider(b.providerId)).json.stats.refunds).toBe(1);
  });

  it('a purchase 15 days old: outside the window, a clear SMS, nothing opened; 13 days old: opened', async () => {
    const b = await bought();
    await app.db.query(
      `update unlocks set created_at = now() - interval '15 days' where checkout_session_id = $1`,
      [b.sessionId],
    );
    expect(await answerTo(b.phone, `BAD ${b.code} wrong area`)).toEqual([
      `Lead Unlock: lead ${b.code} can no longer be returned: returns are taken within 14 days of purchase.`,
    ]);
    expect(await returnsOf(b)).toEqual([]);

    await app.db.query(
      `update unlocks set created_at = now() - interval '13 days' where checkout_session_id = $1`,
      [b.sessionId],
    );
    await returned(b);
  });

  it('a second BAD of the same purchase: already returned, one return only', async () => {
    const b = await bought();
    await returned(b);
    expect(await answerTo(b.phone, `BAD ${b.code} duplicate`)).toEqual([
      `Lead Unlock: lead ${b.code} has already been returned. One return per purchase.`,
    ]);
    expect(await returnsOf(b)).toHaveLength(1);
    // The same TextMagic callback twice at once opens one return and answers once.
    const c = await bought();
    const before = app.textmagic.sent.length;
    await Promise.all(
      [1, 2].map(() => api.reply(c.phone, `BAD ${c.code} zip`, { id: `bad-twice-${c.code}` })),
    );
    expect(await returnsOf(c)).toHaveLength(1);
    expect(smsSentTo(app, c.phone, before)).toHaveLength(1);
  });

  it('a lead never bought, an unknown code, or no code: a clear SMS, nothing opened', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip], autoPay: false });
    const created = await api.postLead(lead({ zipCode: zip }));
    const code = created.json.code as string;
    await api.reply(p.phone, `YES ${code}`); // offered and asked for, never paid
    const before = await countRows(app, 'select count(*) as n from lead_returns');
    expect(await answerTo(p.phone, `BAD ${code} wrong area`)).toEqual([
      `Lead Unlock: you have not bought lead ${code}, so there is nothing to return.`,
    ]);
    expect(await answerTo(p.phone, 'BAD 99999 wrong area')).toEqual([
      'Lead Unlock: you have not bought lead 99999, so there is nothing to return.',
    ]);
    expect(await answerTo(p.phone, 'bad lead!')).toEqual([
      'Lead Unlock: to return a lead you bought, reply BAD, its code and the reason, e.g. BAD 4821 wrong area',
    ]);
    expect(await countRows(app, 'select count(*) as n from lead_returns')).toBe(before);
    // Another provider's purchase is not theirs to return.
    const b = await bought();
    expect(await answerTo(p.phone, `BAD ${b.code}`)).toEqual([
      `Lead Unlock: you have not bought lead ${b.code}, so there is nothing to return.`,
    ]);
  });

  it('logs follow a return by its ids, never its reason text or the decline note', async () => {
    const b = await bought();
    const saved = process.env.LOG_LEVEL;
    const raw: string[] = [];
    process.env.LOG_LEVEL = 'info';
    for (const m of ['log', 'error'] as const) {
      vi.spyOn(console, m).mockImplementation((text: unknown) => void raw.push(String(text)));
    }
    try {
      await api.reply(b.phone, `BAD ${b.code} Zebra-secret-reason 555-0199`);
      const [r] = await returnsOf(b);
      expect((await decide(r!.id, 'decline', { note: 'Quokka private note' })).status).toBe(200);
      const text = raw.join('\n');
      expect(text).not.toContain('Zebra');
      expect(text).not.toContain('555-0199');
      expect(text).not.toContain('Quokka');
      const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toContainEqual(
        expect.objectContaining({ message: 'return opened', returnId: r!.id, leadId: b.leadId }),
      );
      expect(lines).toContainEqual(expect.objectContaining({ message: 'return declined', returnId: r!.id }));
    } finally {
      vi.restoreAllMocks();
      process.env.LOG_LEVEL = saved;
    }
  });

  it('the reason words map to the reason, the text is kept as written', async () => {
    const b = await bought();
    await returned(b, 'dupe of the one from monday');
    expect((await returnsOf(b))[0]).toMatchObject({
      reason: 'duplicate',
      reason_text: 'dupe of the one from monday',
    });
    const c = await bought();
    await returned(c, '');
    expect((await returnsOf(c))[0]).toMatchObject({ reason: 'other', reason_text: null });
  });
});

describe('approve and decline', () => {
  it('a return approved twice: 409 the second time, one refund task, one refund, one SMS', async () => {
    const b = await bought();
    const id = await returned(b);
    const before = app.textmagic.sent.length;
    expect((await decide(id, 'approve')).status).toBe(200);
    const again = await writesNothing(app, () => decide(id, 'approve'));
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('return_decided');
    expect(await refundTasks(b.sessionId)).toBe(1);
    expect(refundsOf(b.sessionId)).toHaveLength(1);
    expect(smsSentTo(app, b.phone, before)).toHaveLength(1);
  });

  it('two approvals at once: one 200, one 409, exactly one refund and one SMS', async () => {
    const b = await bought();
    const id = await returned(b);
    const before = app.textmagic.sent.length;
    const answers = await Promise.all([decide(id, 'approve'), decide(id, 'approve')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await refundTasks(b.sessionId)).toBe(1);
    expect(refundsOf(b.sessionId)).toHaveLength(1);
    expect(smsSentTo(app, b.phone, before)).toHaveLength(1);
  });

  it('decline with a note: the note by SMS, no refund; then neither approve nor decline again', async () => {
    const b = await bought();
    const id = await returned(b);
    const before = app.textmagic.sent.length;
    const note = '  The client confirmed he spoke with you on Monday.  ';
    const declined = await decide(id, 'decline', { note });
    expect(declined.status, declined.text).toBe(200);
    expect(declined.json.return).toMatchObject({ status: 'declined', note: note.trim() });
    expect(smsSentTo(app, b.phone, before).map((m) => m.text)).toEqual([
      `Lead Unlock: your return of lead ${b.code} was declined: The client confirmed he spoke with you on Monday.`,
    ]);
    expect(refundsOf(b.sessionId)).toHaveLength(0);
    expect(await refundTasks(b.sessionId)).toBe(0);
    expect((await writesNothing(app, () => decide(id, 'approve'))).status).toBe(409);
    expect((await writesNothing(app, () => decide(id, 'decline', { note: 'again' }))).status).toBe(409);
    // Declined: the purchase still counts, the lead is still on sale.
    expect((await api.getLead(b.leadId)).json.status).toBe('open');
  });

  it('a decline needs a note of at most 160 characters; bad ids and unknown returns change nothing', async () => {
    const b = await bought();
    const id = await returned(b);
    for (const body of [
      {},
      { note: '' },
      { note: '   ' },
      { note: 'x'.repeat(161) },
      { note: 42 },
      { note: 'a\u0000b' },
    ]) {
      const res = await writesNothing(app, () => decide(id, 'decline', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'note' })]),
      );
    }
    expect((await writesNothing(app, () => decide('not-a-uuid', 'approve'))).status).toBe(404);
    expect(
      (await writesNothing(app, () => decide('00000000-0000-4000-8000-000000000000', 'approve'))).status,
    ).toBe(404);
    expect(
      (
        await writesNothing(app, () =>
          decide('00000000-0000-4000-8000-000000000000', 'decline', { note: 'no' }),
        )
      ).status,
    ).toBe(404);
    const unauth = await invoke(returnsFn, { method: 'GET', path: '/returns' });
    expect(unauth.status).toBe(401);
    expect((await listReturns({ status: 'closed' })).status).toBe(400);
    expect((await listReturns({ limit: '0' })).status).toBe(400);
    expect((await listReturns({ cursor: 'zzz' })).status).toBe(400);
    expect((await decide(id, 'decline', { note: 'x'.repeat(160) })).status).toBe(200);
  });

  it('GET /returns pages newest first with a cursor', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await returned(await bought()));
    const first = await listReturns({ status: 'open', limit: '2' });
    expect(first.json.returns.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const next = await listReturns({ status: 'open', limit: '2', cursor: first.json.nextCursor });
    expect(next.json.returns[0].id).toBe(ids[0]);
  });
});

describe('a returned lead is not sold again', () => {
  it('after approval: no pay link for another provider, the open sessions expired, a late payment refunded', async () => {
    const { lead: l, buyers } = await openSessions(app, 3, { maxUnlocks: 3 });
    const [a, b, c] = buyers as [(typeof buyers)[0], (typeof buyers)[0], (typeof buyers)[0]];
    await deliverEvent(app, app.stripe.completeSession(a.sessionId));
    const id = await returned({ ...a, providerId: a.id, leadId: l.id, code: l.code });
    // C pays at Stripe before the approval; Stripe's event reaches us after it.
    const cPaid = app.stripe.completeSession(c.sessionId);
    const before = (await api.getLead(l.id)).json;
    expect((await decide(id, 'approve')).status).toBe(200);
    // Taken off sale, not expired: its expiry stays what it was (issue 25: it read "expired",
    // with the approval time as its expiry).
    const after = (await api.getLead(l.id)).json;
    expect(after.status).toBe('closed');
    expect(after.expiresAt).toBe(before.expiresAt);
    expect(new Date(after.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(after.closedAt).getTime()).toBeGreaterThanOrEqual(new Date(before.createdAt).getTime());
    expect(after.timeline.map((e: { kind: string }) => e.kind)).toContain('closed');
    expect(after.timeline.map((e: { kind: string }) => e.kind)).not.toContain('expired');
    const listed = await invoke(leadsFn, {
      method: 'GET',
      path: '/leads',
      query: { status: 'open', zipCode: before.zipCode },
      headers: admin,
    });
    expect(listed.json.leads.map((x: { id: string }) => x.id)).not.toContain(l.id);
    // B's open session was expired at Stripe; a YES gets no link.
    expect(app.stripe.sessions.get(b.sessionId)!.status).toBe('expired');
    expect(await answerTo(b.phone, `YES ${l.code}`)).toEqual([
      `Sorry, lead ${l.code} is no longer available.`,
    ]);
    const late = await deliverEvent(app, cPaid);
    expect(late.json.outcome).toBe('refund_queued');
    expect(refundsOf(c.sessionId)).toHaveLength(1);
    expect((await api.getLead(l.id)).json.unlockCount).toBe(1);
    // The provider who returned it is told it is theirs no more to buy.
    const [row] = await app.db.query<{ code_active: boolean }>(
      'select code_active from leads where id = $1',
      [l.id],
    );
    expect(row!.code_active).toBe(false);
  });
});

describe('racing a refund past the cap', () => {
  it('the return of A approved while D pays past the cap: each payment refunded exactly once, D never unlocked', async () => {
    const { lead: l, buyers } = await openSessions(app, 2, { maxUnlocks: 1 });
    const [a, d] = buyers as [(typeof buyers)[0], (typeof buyers)[0]];
    // D pays at Stripe too, just after A: D's completion reaches us once the lead is full.
    const aPaid = app.stripe.completeSession(a.sessionId);
    const completion = app.stripe.completeSession(d.sessionId);
    await deliverEvent(app, aPaid);
    const id = await returned({ ...a, providerId: a.id, leadId: l.id, code: l.code });
    const [approved, late] = await Promise.all([decide(id, 'approve'), deliverEvent(app, completion)]);
    expect(approved.status).toBe(200);
    expect(late.json.outcome).toBe('refund_queued');
    expect(refundsOf(a.sessionId)).toHaveLength(1);
    expect(refundsOf(d.sessionId)).toHaveLength(1);
    expect(await refundTasks(a.sessionId)).toBe(1);
    expect(await refundTasks(d.sessionId)).toBe(1);
    expect((await api.getLead(l.id)).json.unlockCount).toBe(1);
    expect(await countRows(app, 'select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(1);
  });

  it('the same payment refunded from the dashboard while its return is approved: one refund at Stripe', async () => {
    const b = await bought();
    const id = await returned(b);
    const pi = paymentIntent(b.sessionId);
    const dashboard = await fetch(`${app.stripe.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${app.stripe.secretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `payment_intent=${pi}`,
    });
    expect(dashboard.status).toBe(200);
    const refundedEvent = app.stripe.event('charge.refunded', {
      id: `ch_${pi}`,
      object: 'charge',
      payment_intent: pi,
      refunded: true,
      amount_refunded: 1500,
    });
    const [approved, event] = await Promise.all([decide(id, 'approve'), deliverEvent(app, refundedEvent)]);
    expect(approved.status).toBe(200);
    expect(event.status).toBe(200);
    expect(refundsOf(b.sessionId)).toHaveLength(1);
    // Our refund task found it refunded already (charge_already_refunded): done, not retried.
    const [task] = await app.db.query<{ status: string }>(
      `select status from stripe_tasks where kind = 'refund' and checkout_session_id = $1`,
      [b.sessionId],
    );
    expect(task?.status).toBe('done');
  });
});

describe('auto-approval (RETURN_AUTO_APPROVE_RATE)', () => {
  it('off by default: every return waits for the operator', async () => {
    const b = await bought();
    await returned(b);
    expect((await returnsOf(b))[0]).toMatchObject({ status: 'open', auto: false });
    expect(refundsOf(b.sessionId)).toHaveLength(0);
  });

  it('on: approved at once while returns stay under the share of purchases, then waits', async () => {
    autoApproveRate('0.5');
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip], autoPay: false });
    const purchases: Bought[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await api.postLead(lead({ zipCode: zip }));
      purchases.push({ ...(await buy(p, created.json.code)), leadId: created.json.id });
    }
    // 1 return of 3 purchases: 1/3 < 0.5, approved at once, the approval is the answer.
    const [first, second] = purchases as [Bought, Bought];
    expect(await answerTo(p.phone, `BAD ${first.code} wrong area`)).toEqual([
      `Lead Unlock: your return of lead ${first.code} is approved. Your $15.00 is being refunded.`,
    ]);
    expect((await returnsOf(first))[0]).toMatchObject({ status: 'approved', auto: true });
    expect(refundsOf(first.sessionId)).toHaveLength(1);
    // 2 of 3: 2/3 is not under 0.5: open, for the operator.
    expect(await answerTo(p.phone, `BAD ${second.code} wrong area`)).toEqual([
      `Lead Unlock: we got your return of lead ${second.code}. We'll text you once it has been reviewed.`,
    ]);
    expect((await returnsOf(second))[0]).toMatchObject({ status: 'open', auto: false });
    expect(refundsOf(second.sessionId)).toHaveLength(0);
  });

  it('the share is strict: 1 return of 2 purchases at rate 0.5 waits', async () => {
    autoApproveRate('0.5');
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip], autoPay: false });
    const purchases: Bought[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await api.postLead(lead({ zipCode: zip }));
      purchases.push({ ...(await buy(p, created.json.code)), leadId: created.json.id });
    }
    await returned(purchases[0]!);
    expect((await returnsOf(purchases[0]!))[0]).toMatchObject({ status: 'open' });
  });
});

describe('Spanish', () => {
  it('a Spanish provider gets every return SMS in Spanish, MALO as BAD', async () => {
    const b = await bought({ language: 'es' });
    expect(await answerTo(b.phone, `MALO ${b.code} zona equivocada`)).toEqual([
      `Lead Unlock: hemos recibido su reclamo del lead ${b.code}. Le escribiremos cuando lo hayamos revisado.`,
    ]);
    expect((await returnsOf(b))[0]).toMatchObject({ reason: 'wrong_area', reason_text: 'zona equivocada' });
    expect(await answerTo(b.phone, `MALO ${b.code}`)).toEqual([
      `Lead Unlock: el lead ${b.code} ya fue reclamado. Un reclamo por compra.`,
    ]);
    expect(await answerTo(b.phone, 'MALO 99999')).toEqual([
      'Lead Unlock: usted no ha comprado el lead 99999, no hay nada que reclamar.',
    ]);
    expect(await answerTo(b.phone, 'malo')).toEqual([
      'Lead Unlock: para reclamar un lead comprado, responda MALO, su clave y el motivo, p. ej. MALO 4821 zona equivocada',
    ]);
    const before = app.textmagic.sent.length;
    const [r] = await returnsOf(b);
    expect((await decide(r!.id, 'approve')).status).toBe(200);
    expect(smsSentTo(app, b.phone, before).map((m) => m.text)).toEqual([
      `Lead Unlock: su reclamo del lead ${b.code} ha sido aceptado. Le devolvemos $15.00.`,
    ]);

    const c = await bought({ language: 'es' });
    await app.db.query(
      `update unlocks set created_at = now() - interval '20 days' where checkout_session_id = $1`,
      [c.sessionId],
    );
    expect(await answerTo(c.phone, `MALO ${c.code}`)).toEqual([
      `Lead Unlock: el plazo para reclamar el lead ${c.code} ha vencido (14 d desde la compra).`,
    ]);
    const d = await bought({ language: 'es' });
    const id = await returned(d);
    const since = app.textmagic.sent.length;
    expect((await decide(id, 'decline', { note: 'El cliente confirma que hablaron.' })).status).toBe(200);
    expect(smsSentTo(app, d.phone, since).map((m) => m.text)).toEqual([
      `Lead Unlock: su reclamo del lead ${d.code} no ha sido aceptado: El cliente confirma que hablaron.`,
    ]);
  });
});

describe('from the console', () => {
  const unlockOf = async (b: Bought) =>
    (
      await app.db.query<{ id: string }>('select id from unlocks where checkout_session_id = $1', [
        b.sessionId,
      ])
    )[0]!.id;

  it('POST /unlocks/{id}/return opens a return with the SMS; a second one, a stale or unknown purchase: clear errors', async () => {
    const b = await bought();
    const unlockId = await unlockOf(b);
    const before = app.textmagic.sent.length;
    const res = await openFromConsole(unlockId, {
      reason: 'wrong_service',
      text: 'called us: not a plumbing job',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.return).toMatchObject({ status: 'open', reason: 'wrong_service', source: 'console' });
    expect(smsSentTo(app, b.phone, before).map((m) => m.text)).toEqual([
      `Lead Unlock: we got your return of lead ${b.code}. We'll text you once it has been reviewed.`,
    ]);
    const again = await writesNothing(app, () => openFromConsole(unlockId, { reason: 'other' }));
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('already_returned');
    expect((await writesNothing(app, () => openFromConsole(unlockId, { reason: 'bogus' }))).status).toBe(400);
    expect(
      (
        await writesNothing(app, () =>
          openFromConsole('00000000-0000-4000-8000-000000000000', { reason: 'other' }),
        )
      ).status,
    ).toBe(404);
    const old = await bought();
    await app.db.query(
      `update unlocks set created_at = now() - interval '15 days' where checkout_session_id = $1`,
      [old.sessionId],
    );
    const stale = await writesNothing(app, async () =>
      openFromConsole(await unlockOf(old), { reason: 'other' }),
    );
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('return_window_closed');
  });

  it('the console has a Returns page (the SPA shell under /admin/returns, Returns in its bundle)', async () => {
    const shell = await invoke(consoleFn, {
      method: 'GET',
      path: '/admin/returns',
      pathParams: { proxy: 'returns' },
    });
    expect(shell.status).toBe(200);
    const script = /src="\/admin\/assets\/([^"]+\.js)"/.exec(shell.text)![1]!;
    const bundle = await invoke(consoleFn, {
      method: 'GET',
      path: `/admin/assets/${script}`,
      pathParams: { proxy: `assets/${script}` },
    });
    expect(bundle.status).toBe(200);
    expect(bundle.text).toContain('/returns/');
    expect(bundle.text).toContain('Returns');
  });
});
