import { describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { smsLength } from '../../lib/sms/segments';
import { useApp } from './app';
import { api, lead, linkToken } from './flow';

/** The whole unlock flow, from POST /leads to the details SMS, over one database path. */
export function unlockFlowSuite(driver: 'pg' | 'neon', pooled = false): void {
  const app = useApp({ neon: driver === 'neon', pooled });
  const via = pooled ? `${driver} via PgBouncer` : driver;

  describe(`a lead from POST /leads to the client details SMS (${via})`, () => {
    it('teases matched providers in one request, sells through Stripe and sends the details', async () => {
      const zip = '78702';
      const a = await api.addProvider({ zipCodes: [zip] });
      const b = await api.addProvider({ zipCodes: [zip, '78703'], categories: ['Plumbing', 'hvac'] });
      await api.addProvider({ zipCodes: [zip], categories: ['moving'] }); // other trade
      await api.addProvider({ zipCodes: ['99999'] }); // other area

      const created = await api.postLead(lead({ zipCode: zip }));
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ status: 'open', priceCents: 1500, maxUnlocks: 3, offeredTo: 2 });
      expect(created.json.code).toMatch(/^\d{4,6}$/);

      // One TextMagic request for both providers, one segment, no client contact details.
      const teasers = app.textmagic.sent.filter((m) => m.text.includes(`YES ${created.json.code}`));
      expect(teasers).toHaveLength(1);
      expect(teasers[0]!.phones.sort()).toEqual([a.phone, b.phone].map((p) => p.slice(1)).sort());
      expect(smsLength(teasers[0]!.text).segments).toBe(1);
      expect(teasers[0]!.text).not.toMatch(/Jane|555-?0142|jane\.client/);

      // Provider A replies and gets the short pay link with the price.
      const before = app.textmagic.sent.length;
      expect((await api.reply(a.phone, `yes ${created.json.code}`)).status).toBe(200);
      const linkSms = app.textmagic.sent.slice(before);
      expect(linkSms).toHaveLength(1);
      expect(linkSms[0]!.phones).toEqual([a.phone.slice(1)]);
      expect(linkSms[0]!.text).toContain('https://leads.example.test/p/');
      expect(linkSms[0]!.text).toContain('$15.00');
      const token = linkToken(linkSms[0]!.text);

      // The link redirects to a Checkout Session made as the contract says.
      const pay = await api.openPayLink(token);
      expect(pay.status).toBe(303);
      const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
      expect(session).toBeDefined();
      expect(session.mode).toBe('payment');
      expect(session.amount_total).toBe(1500);
      expect(session.metadata).toMatchObject({ leadId: created.json.id, providerId: a.id });
      const hoursAhead = (session.expires_at - Date.now() / 1000) / 3600;
      expect(hoursAhead).toBeGreaterThan(22.9);
      expect(hoursAhead).toBeLessThan(23.1);

      // Opening it again reuses the open session.
      const again = await api.openPayLink(token);
      expect(again.headers.location).toBe(pay.headers.location);
      expect(app.stripe.sessions.size).toBe(1);

      // Stripe says paid: the unlock is recorded and the details go out by SMS.
      const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
      const hook = await api.webhook(payload, header);
      expect(hook.status).toBe(200);
      // A short description: the details set is one message, without a "(1/n)" prefix.
      const detailsSet = app.textmagic.sent.slice(before).filter((m) => m.text.includes('is yours'));
      expect(detailsSet).toHaveLength(1);
      const details = detailsSet[0]!;
      expect(details.text).toMatch(/^Lead \d+ is yours\./);
      expect(details.phones).toEqual([a.phone.slice(1)]);
      expect(details.text).toContain('Jane Client');
      expect(details.text).toContain('+15125550142');
      expect(details.text).toContain('jane.client@example.com');
      expect(details.text).toContain(
        'Leaking kitchen sink, water under the cabinet. Need someone this week.',
      );

      const view = await api.getLead(created.json.id);
      expect(view.json.unlocks).toHaveLength(1);
      expect(view.json.offers).toHaveLength(2);
      expect(view.json.status).toBe('open');

      // The link now says the lead is theirs, without showing the details.
      const owned = await api.openPayLink(token);
      expect(owned.status).toBe(200);
      expect(owned.text).not.toContain('Jane');

      // Asking again by SMS sends the details again.
      const n = app.textmagic.sent.length;
      await api.reply(a.phone, `YES ${created.json.code}`);
      expect(app.textmagic.sent.slice(n).map((m) => m.text)).toEqual([details.text]);

      // Nothing left queued for the dispatcher.
      const run = await dispatcher();
      expect(run.sms.done).toBe(0);
    });
  });
}
