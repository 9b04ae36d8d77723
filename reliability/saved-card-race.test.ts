/**
 * One reply buys, at scale: providers whose first Checkout saved their card all reply YES to one
 * lead at the same moment, and each charge's `payment_intent.succeeded` reaches the webhook as
 * soon as Stripe made it. The cap holds; every charge is either the lead or refunded; a YES that
 * comes after the lead filled is answered "no longer available" and charges nothing.
 */
import { expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import { api, lead, linkToken } from '../tests/support/flow';
import { deliverEvent, smsSentTo, uniqueZip } from '../tests/support/market';
import { dispatchUntilIdle } from './support/clock';
import { describeOn, PG, PG_POOLED } from './support/paths';
import { extraCopies, report } from './support/row';

const PAYERS = 200;
const CAP = 3;
/** A lead takes at most 50 unlocks: the cards are saved buying leads of groups this size. */
const GROUP = 50;

for (const path of [PG, PG_POOLED]) {
  describeOn(path, 'saved-card race', () => {
    const app = useApp({
      neon: false,
      pooled: path.pooled,
      env: { LEAD_MAX_OFFERS: String(PAYERS), DATABASE_POOL_MAX: '10' },
    });

    it(`${PAYERS} providers with saved cards replying YES at once to a lead with maxUnlocks ${CAP}`, async (ctx) => {
      const raceZip = uniqueZip();
      const people: Array<{ id: string; phone: string }> = [];
      for (let g = 0; g < PAYERS / GROUP; g++) {
        const groupZip = uniqueZip();
        const group = [];
        for (let i = 0; i < GROUP; i++) group.push(await api.addProvider({ zipCodes: [raceZip, groupZip] }));
        const first = await api.postLead(lead({ zipCode: groupZip, maxUnlocks: GROUP }));
        for (const p of group) {
          const before = app.textmagic.sent.length;
          await api.reply(p.phone, `YES ${first.json.code}`);
          const pay = await api.openPayLink(linkToken(smsSentTo(app, p.phone, before).at(-1)!.text));
          const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
          await deliverEvent(app, app.stripe.completeSession(session.id));
        }
        people.push(...group);
      }
      await dispatchUntilIdle(app.db);
      const [saved] = await app.db.query<{ n: string }>(
        'select count(*) as n from providers where id = any($1) and saved_payment_method_id is not null',
        [people.map((p) => p.id)],
      );
      expect(Number(saved!.n)).toBe(PAYERS);

      const created = await api.postLead(lead({ zipCode: raceZip, maxUnlocks: CAP }));
      expect(created.json.offeredTo).toBe(PAYERS);
      const sold = created.json as { id: string; code: string };
      const ofLead = (type: string) =>
        app.stripe.events.filter(
          (e) =>
            e.type === type &&
            (e.data.object.metadata as Record<string, string> | undefined)?.leadId === sold.id,
        );
      const since = app.textmagic.sent.length;
      const started = performance.now();
      // Each YES, then at once the webhooks of whatever Stripe charged so far that are not delivered.
      const delivered = new Set<string>();
      const answers = await Promise.all(
        people.map(async (p) => {
          const res = await api.reply(p.phone, `YES ${sold.code}`);
          const ms = performance.now() - started;
          const fresh = ofLead('payment_intent.succeeded').filter((e) => !delivered.has(e.id));
          for (const e of fresh) delivered.add(e.id);
          const hooks = await Promise.all(fresh.map((e) => deliverEvent(app, e)));
          return { status: res.status, ms, hooks: hooks.map((h) => h.status) };
        }),
      );
      const runs = await dispatchUntilIdle(app.db);
      // Anything Stripe charged whose event was not delivered yet (none expected) goes now.
      for (const e of ofLead('payment_intent.succeeded').filter((x) => !delivered.has(x.id))) {
        await deliverEvent(app, e);
      }

      const charges = ofLead('payment_intent.succeeded').map((e) => ({
        pi: e.data.object.id as string,
        offerId: (e.data.object.metadata as Record<string, string>).offerId!,
      }));
      const refunded = app.stripe.refunds.map((r) => r.payment_intent);
      const unlocked = await app.db.query<{ payment_intent_id: string; provider_id: string }>(
        'select payment_intent_id, provider_id from unlocks where lead_id = $1',
        [sold.id],
      );
      const won = new Set(unlocked.map((u) => u.payment_intent_id));
      const got = people.map((p) => smsSentTo(app, p.phone, since).map((m) => m.text));
      const details = got.filter((texts) => texts.some((t) => t.includes('Jane Client'))).length;
      const refundSms = got.filter((texts) => texts.some((t) => /refunded/i.test(t))).length;
      const unavailable = got.filter((texts) => texts.some((t) => /no longer available/.test(t))).length;
      // Told "no longer available" by a retried charge whose first answer was lost (Stripe had
      // charged): their refund follows. Both messages are true; the money is back.
      const told = (texts: string[]) => texts.some((t) => /no longer available/.test(t));
      const alsoRefunded = got.filter(
        (texts) => told(texts) && texts.some((t) => /refunded/i.test(t)),
      ).length;
      // Lost: a charge neither turned into the lead nor refunded, or a provider told nothing.
      const lost =
        charges.filter((c) => !won.has(c.pi) && !refunded.includes(c.pi)).length +
        got.filter((texts) => texts.length === 0).length;
      const duplicated =
        extraCopies(refunded) +
        extraCopies(charges.map((c) => c.offerId)) +
        charges.filter((c) => won.has(c.pi) && refunded.includes(c.pi)).length +
        extraCopies(people.flatMap((p, i) => got[i]!.map((t) => `${p.phone}|${t}`)));

      report(ctx, {
        scenario: `saved-card race (${path.label})`,
        load: `${PAYERS} YES at once with saved cards, maxUnlocks ${CAP}`,
        fault: "none: every reply at the same moment, each charge's webhook as soon as it exists",
        expected: `${CAP} unlocks; every other charge refunded; a YES after the lead filled charges nothing`,
        observed: `${won.size} unlocks, ${charges.length} charges, ${refunded.length} refunds, ${PAYERS - charges.length} not charged, ${unavailable} told "no longer available" (${alsoRefunded} of them charged before, after a lost answer, and refunded), ${details} details + ${refundSms} refunded SMS, dispatcher ${runs} runs, ${answers.filter((a) => a.status === 200).length}×200`,
        lost,
        duplicated,
        slowestMs: Math.max(...answers.map((a) => a.ms)),
      });
      expect(answers.every((a) => a.status === 200 && a.hooks.every((s) => s === 200))).toBe(true);
      expect(won.size).toBe(CAP);
      expect(refunded.length).toBe(charges.length - CAP);
      expect(refunded.length).toBeLessThanOrEqual(PAYERS - CAP);
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
    });
  });
}
