/**
 * Processes killed between their commit and their send, one after another: every SMS was
 * committed with its change and goes out once, from the dispatcher, after the dead sender's
 * lease; Stripe redelivering each event changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import { runInChild } from '../tests/support/child-handler';
import { v1Event } from '../emulators/events';
import { countRows, deliverEvent, openSessions, smsSentTo } from '../tests/support/market';
import { dispatchUntilIdle } from './support/clock';
import { report } from './support/row';

const KILLS = 8;

describe('crash between commit and send', () => {
  const app = useApp({ env: { LEAD_MAX_OFFERS: String(KILLS) } });

  it(`${KILLS} paid webhooks, each process killed as it starts sending`, async (ctx) => {
    const { lead: sold, buyers } = await openSessions(app, KILLS, { maxUnlocks: KILLS });
    const events = buyers.map((b) => app.stripe.completeSession(b.sessionId));
    const before = app.textmagic.sent.length;
    const exits = [];
    for (const event of events) {
      const { payload, header } = app.stripe.sign(event);
      const request = v1Event({
        method: 'POST',
        path: '/stripe/webhook',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
      });
      exits.push(await runInChild('stripe-webhook', request, true));
    }
    const killed = exits.filter((e) => e.signal === 'SIGKILL').length;
    const sentByTheDead = app.textmagic.sent.length - before;
    // Stripe never got an answer, so it delivers every event again.
    const redelivered = await Promise.all(events.map((e) => deliverEvent(app, e)));
    const runs = await dispatchUntilIdle(app.db);

    const unlocks = await countRows(app, 'select count(*) as n from unlocks where lead_id = $1', [sold.id]);
    const got = buyers.map((b) => smsSentTo(app, b.phone).filter((m) => /is yours/.test(m.text)).length);
    report(ctx, {
      scenario: 'crash between commit and send',
      load: `${KILLS} paid webhooks, one process each`,
      fault: 'SIGKILL as the process starts its TextMagic request',
      expected: `${KILLS} unlocks; redeliveries change nothing; each details SMS once, from the dispatcher`,
      observed: `${killed} killed, ${sentByTheDead} SMS sent by them; ${unlocks} unlocks; redeliveries: ${redelivered.map((r) => r.json.outcome).filter((o) => o === 'duplicate').length}× duplicate; details received ${got.join('/')} after ${runs} dispatcher runs`,
      lost: got.filter((n) => n === 0).length,
      duplicated: got.reduce((n, k) => n + Math.max(0, k - 1), 0),
    });
    expect(killed).toBe(KILLS);
    expect(sentByTheDead).toBe(0);
    expect(unlocks).toBe(KILLS);
    expect(redelivered.every((r) => r.status === 200 && r.json.outcome === 'duplicate')).toBe(true);
    expect(got).toEqual(Array(KILLS).fill(1));
  });
});
