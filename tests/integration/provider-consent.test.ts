/**
 * The provider's side (issue 22 §1–3): a provider added by the API or the console gets one opt-in
 * confirmation, with the elements carriers ask for, before any teaser; their consent record says
 * when and how they opted in and out, in which words; and a deployed stage never speaks under a
 * brand the operator did not set. Through the HTTP handlers, with the TextMagic stand-in.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { handler as consoleFn } from '../../functions/console';
import { handler as providers } from '../../functions/providers';
import { handler as health } from '../../functions/health';
import { resetConfig } from '../../lib/config';
import { invoke } from '../../emulators/events';
import { KEYS, phoneNumber, PUBLIC_BASE_URL, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { uniqueZip } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();

/** Every SMS TextMagic took for `phone`, the opt-in confirmation included. */
const allTo = (phone: string, since = 0) =>
  app.textmagic.sent.slice(since).filter((m) => m.phones.includes(phone.slice(1)));

/** Sets environment variables for one test, and puts them back after it. */
function withEnv(env: Record<string, string | undefined>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
  };
  apply(env);
  onTestFinished(() => apply(saved));
}

describe('the opt-in confirmation', () => {
  it('goes to a provider added by the API, once, before any teaser, with what carriers ask', async () => {
    const zip = uniqueZip();
    const before = app.textmagic.sent.length;
    const p = await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    expect(created.json.offeredTo).toBe(1);
    const texts = allTo(p.phone, before).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(
      'Lead Unlock lead alerts: subscribed. Account: ACCOUNT. Msg frequency varies. Msg&data rates may apply. Help: help@leadunlock.test. Reply STOP to cancel.',
    );
    expect(texts[1]).toMatch(/^New plumbing lead/);
    const rows = await app.db.query(`select 1 from sms_messages where dedupe_key = $1`, [`opt-in:${p.id}`]);
    expect(rows).toHaveLength(1);
  });

  it('in their language', async () => {
    const before = app.textmagic.sent.length;
    const p = await api.addProvider({ zipCodes: [uniqueZip()], language: 'es' });
    expect(allTo(p.phone, before).map((m) => m.text)).toEqual([
      expect.stringMatching(
        /^Lead Unlock alertas de leads activadas\. Cuenta: CUENTA\. Frecuencia variable\./,
      ),
    ]);
  });

  it('not sent yet (TextMagic down): no teaser until it has gone, then the teasers of new leads', async () => {
    const zip = uniqueZip();
    app.textmagic.fail(1, 503);
    const p = await api.addProvider({ zipCodes: [zip] });
    const first = await api.postLead(lead({ zipCode: zip }));
    expect(first.json.offeredTo).toBe(0);
    expect(allTo(p.phone)).toEqual([]);
    // The dispatcher sends it at its retry; leads after it are offered.
    await app.db.query(`update sms_messages set next_attempt_at = now() where dedupe_key = $1`, [
      `opt-in:${p.id}`,
    ]);
    const { handler: dispatcher } = await import('../../functions/sms-dispatcher');
    await dispatcher();
    const second = await api.postLead(lead({ zipCode: zip }));
    expect(second.json.offeredTo).toBe(1);
    expect(allTo(p.phone).map((m) => m.text.slice(0, 24))).toEqual([
      'Lead Unlock lead alerts:',
      expect.stringMatching(/^New plumbing lead/),
    ]);
  });
});

describe('the consent record on GET /providers/{id}', () => {
  it('added by the API; STOP in their own words; START by SMS', async () => {
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    const added = (await api.getProvider(p.id)).json.provider.consent;
    expect(added).toEqual({
      optedInAt: expect.any(String),
      source: 'api',
      optedOutAt: null,
      optOutText: null,
    });

    await api.reply(p.phone, 'please stop texting me');
    const out = (await api.getProvider(p.id)).json.provider;
    expect(out.optedOut).toBe(true);
    expect(out.consent).toMatchObject({ source: 'api', optOutText: 'please stop texting me' });
    expect(Date.parse(out.consent.optedOutAt)).toBeGreaterThanOrEqual(Date.parse(added.optedInAt));

    const before = app.textmagic.sent.length;
    await api.reply(p.phone, 'START');
    const back = (await api.getProvider(p.id)).json.provider;
    expect(back.optedOut).toBe(false);
    expect(back.consent).toMatchObject({ source: 'sms', optOutText: 'please stop texting me' });
    expect(Date.parse(back.consent.optedInAt)).toBeGreaterThan(Date.parse(added.optedInAt));
    expect(allTo(p.phone, before).map((m) => m.text)).toEqual([
      expect.stringMatching(/lead alerts: subscribed/),
    ]);
  });

  it('added from the console: source console', async () => {
    const host = 'console.example.test';
    const signedIn = await invoke(consoleFn, {
      method: 'POST',
      path: '/admin/sign-in',
      headers: { host, origin: `https://${host}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: KEYS.admin }),
    });
    expect(signedIn.status, signedIn.text).toBe(200);
    const cookie = signedIn.headers['set-cookie']!.split(';')[0]!;
    const res = await invoke(providers, {
      method: 'POST',
      path: '/providers',
      headers: { host, origin: `https://${host}`, cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Cora Console',
        phone: phoneNumber(),
        categories: ['plumbing'],
        zipCodes: ['78701'],
      }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.consent.source).toBe('console');
  });
});

describe('the brand', () => {
  it('in a deployed stage without SMS_BRAND_NAME: no SMS is built (503, nothing written), and /health says why', async () => {
    withEnv({ SMS_BRAND_NAME: undefined, IS_OFFLINE: undefined });
    const res = await writesNothing(app, () => api.postLead(lead({ zipCode: uniqueZip() })));
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({
      code: 'not_configured',
      message: expect.stringContaining('SMS_BRAND_NAME'),
    });
    const checked = await invoke(health, { method: 'GET', path: '/health' });
    expect(checked.json.checks.sender).toMatchObject({
      status: 'not_configured',
      missing: ['SMS_BRAND_NAME'],
    });
  });

  it('set: every SMS that names a sender names it', async () => {
    withEnv({ SMS_BRAND_NAME: 'Acme Home Pros', SUPPORT_CONTACT: '+1 512 555 0100' });
    const before = app.textmagic.sent.length;
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    await api.reply(p.phone, 'HELP');
    const texts = allTo(p.phone, before).map((m) => m.text);
    expect(texts).toHaveLength(2);
    for (const text of texts) {
      expect(text).toMatch(/^Acme Home Pros lead alerts/);
      expect(text).toContain('Help: +1 512 555 0100.');
    }
  });

  it('under npm start or serverless-offline, unset: the local brand, said so on /health', async () => {
    withEnv({ SMS_BRAND_NAME: undefined, SUPPORT_CONTACT: undefined, IS_OFFLINE: 'true' });
    const before = app.textmagic.sent.length;
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    expect(allTo(p.phone, before).map((m) => m.text)).toEqual([
      expect.stringContaining(`Lead Unlock lead alerts: subscribed.`),
    ]);
    expect(allTo(p.phone, before)[0]!.text).toContain(`Help: ${PUBLIC_BASE_URL}.`);
    const checked = await invoke(health, { method: 'GET', path: '/health' });
    expect(checked.json.checks.sender).toMatchObject({ status: 'local_fallback' });
  });
});
