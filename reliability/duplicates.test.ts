/**
 * At-least-once senders: Stripe and TextMagic retry, clients retry POST /leads. The same thing
 * delivered many times at once has one effect.
 */
import { describe, expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import { api, lead } from '../tests/support/flow';
import { openSessions, smsSentTo, uniqueZip } from '../tests/support/market';
import { sentTwiceAfterLeases } from './support/clock';
import { describeOn, NEON_POOLED, PG, PG_POOLED } from './support/paths';
import { report } from './support/row';

const COPIES = 50;

describe('duplicate deliveries', () => {
  const app = useApp({ env: { DATABASE_POOL_MAX: '10' } });
  const count = async (sql: string, params: unknown[]) =>
    Number((await app.db.query<{ n: string }>(sql, params))[0]!.n);

  it(`one TextMagic inbound callback delivered ${COPIES} times at once`, async (ctx) => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    const since = app.textmagic.sent.length;
    const id = `dup-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: COPIES }, () => api.reply(p.phone, `YES ${created.json.code}`, { id })),
    );
    const links = smsSentTo(app, p.phone, since).length;
    report(ctx, {
      scenario: 'same TextMagic callback, many times',
      load: `${COPIES} copies at once`,
      fault: 'TextMagic redelivery',
      expected: '1 pay-link SMS, every copy 200',
      observed: `${links} pay-link SMS, ${answers.filter((a) => a.status === 200).length}×200`,
      lost: links === 0 ? 1 : 0,
      duplicated: Math.max(0, links - 1),
    });
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(links).toBe(1);
  });

  it(`POST /leads with one Idempotency-Key ${COPIES} times at once`, async (ctx) => {
    const zip = uniqueZip();
    const providers = [];
    for (let i = 0; i < 3; i++) providers.push(await api.addProvider({ zipCodes: [zip] }));
    const since = app.textmagic.sent.length;
    const key = `idem-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: COPIES }, () => api.postLead(lead({ zipCode: zip }), { 'idempotency-key': key })),
    );
    const leads = await count('select count(*) as n from leads where zip_code = $1', [zip]);
    const teasers = providers.map((p) => smsSentTo(app, p.phone, since).length);
    report(ctx, {
      scenario: 'same POST /leads, many times',
      load: `${COPIES} copies at once, 3 providers`,
      fault: 'client retry (one Idempotency-Key)',
      expected: '1 lead, 1 teaser per provider, one 201 and the rest 200 with the same id',
      observed: `${leads} lead, teasers per provider ${teasers.join('/')}, ${answers.filter((a) => a.status === 201).length}×201 + ${answers.filter((a) => a.status === 200).length}×200, ${new Set(answers.map((a) => a.json.id)).size} distinct id`,
      lost: (leads === 0 ? 1 : 0) + teasers.filter((n) => n === 0).length,
      duplicated: Math.max(0, leads - 1) + teasers.reduce((n, t) => n + Math.max(0, t - 1), 0),
    });
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(COPIES - 1);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    expect(leads).toBe(1);
    expect(teasers).toEqual([1, 1, 1]);
  });
});

// Also through PgBouncer in transaction mode, each ending with every lease run out.
for (const path of [PG, PG_POOLED, NEON_POOLED]) {
  describeOn(path, 'duplicate Stripe deliveries', () => {
    const app = useApp({
      neon: path.driver === 'neon',
      pooled: path.pooled,
      env: { DATABASE_POOL_MAX: '10' },
    });

    it(`one Stripe event delivered ${COPIES} times at once`, async (ctx) => {
      const { lead: sold, buyers } = await openSessions(app, 1);
      const buyer = buyers[0]!;
      const signed = app.stripe.sign(app.stripe.completeSession(buyer.sessionId));
      const since = app.textmagic.sent.length;
      const answers = await Promise.all(
        Array.from({ length: COPIES }, () => api.webhook(signed.payload, signed.header)),
      );
      const after = await sentTwiceAfterLeases(app);
      const [row] = await app.db.query<{ n: string }>(
        'select count(*) as n from unlocks where lead_id = $1',
        [sold.id],
      );
      const unlocks = Number(row!.n);
      const details = smsSentTo(app, buyer.phone, since).length;
      report(ctx, {
        scenario: `same Stripe event, many times (${path.label})`,
        load: `${COPIES} copies at once`,
        fault: 'Stripe redelivery',
        expected: '1 unlock, 1 details SMS, every copy 200, nothing resent after the leases',
        observed: `${unlocks} unlock, ${details} details SMS, ${answers.filter((a) => a.status === 200).length}×200, ${after.resent} sent after the leases`,
        lost: 1 - Math.min(unlocks, details, 1),
        duplicated: Math.max(0, unlocks - 1) + Math.max(0, details - 1) + after.duplicated,
      });
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(unlocks).toBe(1);
      expect(details).toBe(1);
      expect(after.resent).toBe(0);
    });
  });
}
