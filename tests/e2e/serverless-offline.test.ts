// One lead, end to end, over real HTTP: `serverless offline start` (esbuild bundles, worker
// threads, API Gateway HTTP API events) in a child process, against this file's own database
// and the fake Stripe and TextMagic servers. No LEAD_API_KEY, ADMIN_API_KEY or
// INBOUND_SMS_TOKEN is set, so the local development keys apply.
import { describe, expect, it, onTestFailed } from 'vitest';
import { phoneNumber, tmDigits } from '../support/app';
import { useTestDatabase } from '../support/database';
import { useTestCatalogue } from '../support/catalogue';
import { lead } from '../../emulators/lead-body';
import { useOfflineApi } from '../support/offline';

const ADMIN = { authorization: 'Bearer local-admin-key' };
const LEAD_KEY = { 'x-api-key': 'local-lead-key' };
const SMS_TOKEN = 'local-sms-token';

const db = useTestDatabase();
useTestCatalogue(db);
const stack = useOfflineApi(db, {
  env: {
    LOG_LEVEL: 'info',
    // PUBLIC_BASE_URL: set by startOffline to http://127.0.0.1:<httpPort>.
  },
});

/** The token at the end of a pay link in an SMS body. */
function linkToken(body: string): string {
  const match = /\/p\/([A-Za-z0-9_-]+)/.exec(body);
  if (!match) throw new Error(`no pay link in: ${body}`);
  return match[1]!;
}

type Res = { status: number; headers: Headers; text: string; json: any };

async function call(
  method: string,
  route: string,
  init: { headers?: Record<string, string>; body?: string; json?: unknown } = {},
): Promise<Res> {
  const headers = { ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(`${stack.offline.url}${route}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('serverless offline: one lead over HTTP', () => {
  it('sells a lead: providers, lead, teaser, YES reply, pay link, Stripe webhook, details SMS', async () => {
    onTestFailed(() => {
      console.error(`--- serverless offline output (last 8 KB) ---\n${stack.offline.output().slice(-8_000)}`);
    });
    const zip = '78745';
    const providers = [];
    for (const name of ['Pat Plumber', 'Sam Pipes']) {
      const res = await call('POST', '/providers', {
        headers: ADMIN,
        json: { name, phone: phoneNumber(), categories: ['plumbing'], zipCodes: [zip] },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.json.phone).toMatch(/^\+1\d{10}$/);
      providers.push(res.json as { id: string; phone: string });
    }
    const [a, b] = providers as [{ id: string; phone: string }, { id: string; phone: string }];
    // Each got their opt-in confirmation first; what follows is counted from here.
    expect(stack.textmagic.sent.map((m) => m.text)).toEqual([
      expect.stringMatching(/lead alerts: subscribed/),
      expect.stringMatching(/lead alerts: subscribed/),
    ]);
    stack.textmagic.reset();

    // The lead: 201, offered to both providers, one TextMagic request for both.
    const created = await call('POST', '/leads', {
      headers: LEAD_KEY,
      json: lead({ category: 'plumbing', zipCode: zip }),
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ status: 'open', priceCents: 1500, maxUnlocks: 3, offeredTo: 2 });
    const code: string = created.json.code;
    expect(code).toMatch(/^\d{4,6}$/);
    expect(stack.textmagic.sent).toHaveLength(1);
    const teaser = stack.textmagic.sent[0]!;
    expect(teaser.text).toContain(`YES ${code}`);
    expect([...teaser.phones].sort()).toEqual([tmDigits(a.phone), tmDigits(b.phone)].sort());
    expect(teaser.text).not.toMatch(/Jane|555-?0142|jane\.client/);

    // Provider A replies YES <code> the way TextMagic posts it: form-encoded, digits only.
    const reply = await call('POST', `/sms/inbound?token=${SMS_TOKEN}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        id: '900000001',
        sender: tmDigits(a.phone),
        receiver: '15125550000',
        messageTime: new Date().toISOString(),
        text: `YES ${code}`,
      }).toString(),
    });
    expect(reply.status, reply.text).toBe(200);
    expect(stack.textmagic.sent).toHaveLength(2);
    const linkSms = stack.textmagic.sent[1]!;
    expect(linkSms.phones).toEqual([tmDigits(a.phone)]);
    expect(linkSms.text).toContain(`${stack.offline.url}/p/`);
    expect(linkSms.text).toContain('$15.00');
    const link = new URL(`/p/${linkToken(linkSms.text)}`, stack.offline.url);
    expect(linkSms.text).toContain(link.href);

    // The pay link: 303 to the (fake) Stripe Checkout Session.
    const pay = await fetch(link, { redirect: 'manual' });
    await pay.arrayBuffer();
    expect(pay.status).toBe(303);
    const session = [...stack.stripe.sessions.values()].find((s) => s.url === pay.headers.get('location'));
    expect(session, `no session at ${pay.headers.get('location')}`).toBeDefined();
    expect(session!.metadata).toMatchObject({ leadId: created.json.id, providerId: a.id });

    // Stripe says paid: the exact signed payload goes to the webhook.
    const signed = stack.stripe.sign(stack.stripe.completeSession(session!.id));
    const webhook = (signature: string) =>
      call('POST', '/stripe/webhook', {
        headers: { 'content-type': 'application/json', 'Stripe-Signature': signature },
        body: signed.payload,
      });
    const hook = await webhook(signed.header);
    expect(hook.status, hook.text).toBe(200);
    expect(stack.textmagic.sent).toHaveLength(3);
    const details = stack.textmagic.sent[2]!;
    expect(details.phones).toEqual([tmDigits(a.phone)]);
    expect(details.text).toContain('Jane Client');
    expect(details.text).toContain('+15125550142');
    expect(details.text).toContain('jane.client@example.com');

    const view = await call('GET', `/leads/${created.json.id}`, { headers: ADMIN });
    expect(view.status, view.text).toBe(200);
    expect(view.json.unlocks).toHaveLength(1);
    expect(view.json.unlocks[0]).toMatchObject({ providerId: a.id });
    expect(view.json.offers).toHaveLength(2);

    // The same event again: accepted, nothing sent again.
    const replay = await webhook(signed.header);
    expect(replay.status, replay.text).toBe(200);
    expect(stack.textmagic.sent).toHaveLength(3);

    // A forged signature: 400, nothing changed.
    const forged = stack.stripe.sign(JSON.parse(signed.payload), { secret: 'whsec_not_the_real_secret' });
    const bad = await webhook(forged.header);
    expect(bad.status, bad.text).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: expect.any(String) } });
    expect(stack.textmagic.sent).toHaveLength(3);
    const after = await call('GET', `/leads/${created.json.id}`, { headers: ADMIN });
    expect(after.json.unlocks).toHaveLength(1);

    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'ok',
      // The health function holds DATABASE_URL alone, locally as deployed: it does not say
      // "not configured" of keys it was never given.
      checks: {
        database: { status: 'ok', latencyMs: expect.any(Number) },
        stripe: { status: 'not_checked' },
        textmagic: { status: 'not_checked' },
      },
    });
    expect(health.text).not.toContain(stack.stripe.secretKey);
    expect(health.text).not.toContain(stack.textmagic.apiKey);
  }, 60_000); // each handler's first call starts a worker thread and loads its bundle
});
