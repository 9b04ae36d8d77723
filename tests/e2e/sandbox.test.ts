// The sandbox end to end, as a newcomer clicks through it but over HTTP: startLocalStack (the
// same stack `npm start` runs) on free ports against this file's database, with the Stripe and
// TextMagic stand-ins. Seed, an inquiry, the teaser in two phones, a YES reply, the pay link to
// the local checkout page, its Pay form, the details SMS in that phone, the lead unlocked. The
// sandbox routes take the console's session; no route answers CORS to another local page; and
// after a restart on the same database the phones show the same threads.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { useTestDatabase } from '../support/database';
import { signInSession, signOutSession } from '../support/console-session';
import { freePort } from '../../scripts/embedded-postgres';
import { startLocalStack, type LocalStack } from '../../scripts/local-stack';

const db = useTestDatabase();
let stack: LocalStack;
/** The console session the requests carry, as the browser would after signing in. */
let session: string;

// The default teaser hours (08:00-21:00), as `npm start` has them, not the suite's all-day ones:
// the walk-through must work at any hour the newcomer tries it.
const start = async () =>
  startLocalStack({ port: await freePort(), databaseUrl: db.url, isolated: true, env: { TEASER_HOURS: '' } });

beforeAll(async () => {
  stack = await start();
  session = await signInSession(stack.url, stack.keys.adminApiKey);
}, 150_000);

afterAll(async () => {
  await stack?.stop();
}, 30_000);

type Res = { status: number; headers: Headers; text: string; json: any };

/** A request as the console's pages send it: the session cookie, and Origin on a change. */
async function call(
  method: string,
  route: string,
  json?: unknown,
  extra: Record<string, string> = {},
): Promise<Res> {
  const headers: Record<string, string> = {
    cookie: `lu_session=${session}`,
    ...(method === 'GET' ? {} : { origin: new URL(stack.url).origin }),
    ...extra,
  };
  const res = await fetch(new URL(route, stack.url), {
    method,
    headers: json === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
    redirect: 'manual',
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: parsed };
}

type Phone = {
  providerId: string;
  name: string;
  phone: string;
  messages: { direction: string; text: string; at: string }[];
};
const phones = async () => ((await call('GET', '/sandbox/phones')).json as { phones: Phone[] }).phones;

/** New inquiry (the sandbox page) for plumbing in 78701, Austin's demo providers; the lead's code. */
async function plumbingInquiry(name: string, phone: string, description: string): Promise<string> {
  const inquiry = await call('POST', '/sandbox/inquiry', {
    name,
    phone,
    category: 'plumbing',
    zipCode: '78701',
    description,
  });
  expect(inquiry.status, inquiry.text).toBe(201);
  return (inquiry.json as { code: string }).code;
}

describe('sandbox: a lead from inquiry to paid details, over the local stack', () => {
  it('seed, inquiry, teasers, YES, pay on the local checkout page, details, unlocked', async () => {
    onTestFailed(() => console.error(`--- local stack output ---\n${stack.output().slice(-8_000)}`));
    expect(stack.sandbox).toBe(true);
    const status = await call('GET', '/sandbox/status');
    expect(status.json).toEqual({
      sandbox: true,
      stripe: stack.stripe!.url,
      textmagic: stack.textmagic!.url,
    });

    const seeded = await call('POST', '/sandbox/seed');
    expect(seeded.status, seeded.text).toBe(200);
    expect(seeded.json.created).toBeGreaterThanOrEqual(4);
    expect(seeded.json.existing).toBe(0);
    const again = await call('POST', '/sandbox/seed');
    expect(again.json).toMatchObject({ created: 0, existing: seeded.json.created });

    const inquiry = await call('POST', '/sandbox/inquiry', {
      name: 'Jane <img src=x onerror=alert(1)>',
      phone: '512-555-0142',
      email: 'jane@example.com',
      category: 'plumbing',
      zipCode: '78701',
      city: 'Austin',
      description: 'Leaking kitchen sink, need it fixed this week',
      budget: '$500',
    });
    expect(inquiry.status, inquiry.text).toBe(201);
    expect(inquiry.json).toMatchObject({ status: 'open', offeredTo: 2 });
    const { id: leadId, code } = inquiry.json as { id: string; code: string };

    const withTeaser = (await phones()).filter((p) => p.messages.some((m) => m.text.includes(`YES ${code}`)));
    expect(withTeaser).toHaveLength(2);
    // Their opt-in confirmation when seeded, then the teaser.
    for (const p of withTeaser) {
      expect(p.messages).toEqual([
        expect.objectContaining({
          direction: 'out',
          text: expect.stringMatching(/lead alerts: subscribed/),
        }),
        expect.objectContaining({ direction: 'out' }),
      ]);
    }
    const buyer = withTeaser[0]!;

    // Bad replies change nothing.
    const bad = await call('POST', '/sandbox/phones/reply', { phone: 'not a phone', text: '' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['phone', 'text']);
    const foreign = await call(
      'POST',
      '/sandbox/phones/reply',
      { phone: buyer.phone, text: `YES ${code}` },
      {
        origin: 'http://evil.example',
      },
    );
    expect(foreign.status).toBe(403);
    expect((await phones()).find((p) => p.providerId === buyer.providerId)!.messages).toHaveLength(2);

    const reply = await call('POST', '/sandbox/phones/reply', { phone: buyer.phone, text: `YES ${code}` });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({
      phone: buyer.phone,
      message: { direction: 'in', text: `YES ${code}` },
    });
    const thread = (await phones()).find((p) => p.providerId === buyer.providerId)!.messages;
    expect(thread.map((m) => m.direction)).toEqual(['out', 'out', 'in', 'out']);
    const link = /http:\/\/localhost:\d+\/p\/[A-Za-z0-9_-]+/.exec(thread[3]!.text)?.[0];
    expect(link, thread[3]!.text).toBeDefined();
    expect(link!.startsWith(`${stack.url}/p/`)).toBe(true);

    // The pay link, followed to the local checkout page.
    const page = await fetch(link!);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.url.startsWith(`${stack.stripe!.url}/pay/`)).toBe(true);
    expect(html).toContain(`Lead ${code}: plumbing, 78701`);
    expect(html).toContain('Pay $15.00');
    expect(html).not.toMatch(/<script/i);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    expect(action).toBeDefined();

    // Pay: the session completes, the signed webhook reaches the API, then success_url.
    const paid = await fetch(new URL(action!, page.url), { method: 'POST', redirect: 'manual' });
    await paid.arrayBuffer();
    expect(paid.status).toBe(303);
    expect(paid.headers.get('x-webhook-status')).toBe('200');
    expect(paid.headers.get('location')).toBe(`${link}?paid=1`);

    const after = (await phones()).find((p) => p.providerId === buyer.providerId)!.messages;
    // Confirmation, teaser, YES, link, details.
    expect(after).toHaveLength(5);
    expect(after[4]).toMatchObject({ direction: 'out' });
    expect(after[4]!.text).toContain('Jane <img src=x onerror=alert(1)>');
    expect(after[4]!.text).toContain('+15125550142');
    expect(after[4]!.text).toContain('jane@example.com');
    const other = withTeaser[1]!;
    expect((await phones()).find((p) => p.providerId === other.providerId)!.messages).toHaveLength(2);

    const lead = await call('GET', `/leads/${leadId}`, undefined, {
      authorization: `Bearer ${stack.keys.adminApiKey}`,
    });
    expect(lead.status, lead.text).toBe(200);
    expect(lead.json.unlocks).toEqual([expect.objectContaining({ providerId: buyer.providerId })]);

    // The sandbox reports each SMS delivered, as TextMagic would: the lead's SMS say so.
    type Sms = { recipients: string[]; delivery: Record<string, string> };
    const delivered = (sms: Sms[]) =>
      sms.length >= 3 &&
      sms.every(
        (m) => m.recipients.length > 0 && m.recipients.every((_, i) => Object.values(m.delivery)[i] === 'd'),
      );
    let view = lead.json as { sms: Sms[] };
    for (let i = 0; i < 60 && !delivered(view.sms); i++) {
      await new Promise((r) => setTimeout(r, 250));
      view = (
        await call('GET', `/leads/${leadId}`, undefined, {
          authorization: `Bearer ${stack.keys.adminApiKey}`,
        })
      ).json;
    }
    expect(view.sms.length).toBeGreaterThanOrEqual(3); // teaser, link, details
    expect(view.sms.map((m) => Object.values(m.delivery))).toEqual(
      view.sms.map((m) => m.recipients.map(() => 'd')),
    );
  }, 120_000);

  it('the buyer of the first lead replies YES to the next: their saved card is charged, the details follow', async () => {
    onTestFailed(() => console.error(`--- local stack output ---\n${stack.output().slice(-8_000)}`));
    const admin = { authorization: `Bearer ${stack.keys.adminApiKey}` };
    type Listed = { id: string; phone: string; savedCard: boolean; autoPay: boolean };
    const listed = (await call('GET', '/providers', undefined, admin)).json as { providers: Listed[] };
    const buyer = listed.providers.find((p) => p.savedCard);
    expect(buyer, 'the first test saved a card').toBeDefined();
    expect(buyer!.autoPay).toBe(true);

    const code = await plumbingInquiry('Sam Second', '512-555-0199', 'Water heater leaking in the garage');
    const reply = await call('POST', '/sandbox/phones/reply', { phone: buyer!.phone, text: `YES ${code}` });
    expect(reply.status, reply.text).toBe(200);
    // The stand-in posts the signed payment_intent.succeeded to the API a moment after the charge.
    const thread = async () => (await phones()).find((p) => p.providerId === buyer!.id)!.messages;
    let messages = await thread();
    for (let i = 0; i < 40 && !messages.some((m) => m.text.includes('Sam Second')); i++) {
      await new Promise((r) => setTimeout(r, 250));
      messages = await thread();
    }
    const after = messages.slice(messages.findIndex((m) => m.text === `YES ${code}`));
    expect(after.map((m) => m.direction)).toEqual(['in', 'out', 'out']);
    expect(after[1]!.text).toMatch(/charging \$15\.00 to your saved card/);
    expect(after[2]!.text).toContain('Sam Second');
  }, 60_000);

  it('sandbox routes answer JSON errors: unknown route, wrong method, not JSON', async () => {
    expect((await call('GET', '/sandbox/nope')).json).toMatchObject({ error: { code: 'not_found' } });
    const wrong = await call('GET', '/sandbox/seed');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const res = await fetch(new URL('/sandbox/inquiry', stack.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `lu_session=${session}`,
        origin: new URL(stack.url).origin,
      },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('every sandbox route but status takes the console session, and a change its origin', async () => {
    const admin = { authorization: `Bearer ${stack.keys.adminApiKey}` };
    const before = await phones();
    const buyer = before[0]!;
    const reply = { phone: buyer.phone, text: 'HELP' };
    const none = { cookie: '' };
    // No session: 401 on every route, nothing sent.
    for (const [method, route, body] of [
      ['GET', '/sandbox/phones', undefined],
      ['POST', '/sandbox/phones/reply', reply],
      ['POST', '/sandbox/inquiry', { category: 'plumbing' }],
      ['POST', '/sandbox/seed', undefined],
    ] as const) {
      const res = await call(method, route, body, none);
      expect(res.status, `${method} ${route}: ${res.text}`).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
      expect(res.text).not.toContain(buyer.phone);
    }
    // A session signed out, its cookie kept: the same.
    const ended = await signInSession(stack.url, stack.keys.adminApiKey);
    await signOutSession(stack.url, ended);
    expect((await call('GET', '/sandbox/phones', undefined, { cookie: `lu_session=${ended}` })).status).toBe(
      401,
    );
    // Another local page, with the cookie its browser sends along: refused, read or change.
    const elsewhere = { origin: 'http://localhost:5555', 'sec-fetch-site': 'same-site' };
    const read = await call('GET', '/sandbox/phones', undefined, elsewhere);
    expect(read.status, read.text).toBe(403);
    expect(read.json.error.code).toBe('bad_origin');
    expect((await call('POST', '/sandbox/phones/reply', reply, elsewhere)).status).toBe(403);
    // A change with the cookie and no Origin: refused, as the API refuses it.
    const noOrigin = await fetch(new URL('/sandbox/phones/reply', stack.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `lu_session=${session}` },
      body: JSON.stringify(reply),
    });
    expect(noOrigin.status).toBe(403);
    expect(((await noOrigin.json()) as { error: { code: string } }).error.code).toBe('bad_origin');
    expect((await phones()).find((p) => p.providerId === buyer.providerId)!.messages).toEqual(buyer.messages);
    // The admin key as a Bearer header (curl) reads; status needs nothing.
    expect((await call('GET', '/sandbox/phones', undefined, { ...none, ...admin })).status).toBe(200);
    expect((await call('GET', '/sandbox/status', undefined, none)).status).toBe(200);
  });

  it('no route answers CORS: another local page gets no Access-Control-* header, nor a preflight approved', async () => {
    const admin = { authorization: `Bearer ${stack.keys.adminApiKey}` };
    const leads = (await call('GET', '/leads', undefined, admin)).json as { leads: Array<{ id: string }> };
    const leadId = leads.leads[0]!.id;
    const corsHeaders = (h: Headers) => [...h.keys()].filter((k) => k.startsWith('access-control-'));
    // What the browser sends from http://localhost:5555 with fetch(…, { credentials: 'include' }).
    const read = await fetch(new URL(`/leads/${leadId}`, stack.url), {
      headers: {
        origin: 'http://localhost:5555',
        'sec-fetch-site': 'same-site',
        cookie: `lu_session=${session}`,
      },
    });
    const text = await read.text();
    expect(corsHeaders(read.headers)).toEqual([]);
    expect(read.status, text).toBe(403);
    expect(text).not.toContain('Jane');
    // The same without Sec-Fetch-Site (an older browser): refused all the same, by its Origin.
    const older = await fetch(new URL(`/leads/${leadId}`, stack.url), {
      headers: { origin: 'http://localhost:5555', cookie: `lu_session=${session}` },
    });
    expect(older.status).toBe(403);
    expect(corsHeaders(older.headers)).toEqual([]);
    // Any route, any answer: none.
    for (const route of ['/health', '/admin/session', '/sandbox/status', '/nope']) {
      const res = await fetch(new URL(route, stack.url), { headers: { origin: 'http://localhost:5555' } });
      await res.arrayBuffer();
      expect(corsHeaders(res.headers), route).toEqual([]);
    }
    // The preflight a page sends before a PATCH with JSON: not approved.
    for (const route of [`/leads/${leadId}`, '/providers', '/sandbox/phones/reply']) {
      const preflight = await fetch(new URL(route, stack.url), {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5555',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'content-type',
        },
      });
      await preflight.arrayBuffer();
      expect(corsHeaders(preflight.headers), route).toEqual([]);
    }
  });

  it('after a restart on the same database, the phones show the same threads, and the session still holds', async () => {
    onTestFailed(() =>
      console.error(`--- local stack output ---
${stack.output().slice(-8_000)}`),
    );
    // A provider without a saved card opens a pay link before the restart, and pays after it.
    const code = await plumbingInquiry('Ria Restart', '512-555-0177', 'Dripping faucet in the bathroom');
    type Listed = { id: string; phone: string; savedCard: boolean };
    const admin = { authorization: `Bearer ${stack.keys.adminApiKey}` };
    const listed = ((await call('GET', '/providers', undefined, admin)).json as { providers: Listed[] })
      .providers;
    const teased = (await phones()).filter((p) => p.messages.some((m) => m.text.includes(`YES ${code}`)));
    const payer = teased.find((p) => !listed.find((l) => l.id === p.providerId)!.savedCard)!;
    expect(payer, 'a teased provider without a saved card').toBeDefined();
    await call('POST', '/sandbox/phones/reply', { phone: payer.phone, text: `YES ${code}` });
    const linkText = (await phones()).find((p) => p.providerId === payer.providerId)!.messages.at(-1)!.text;
    const link = /http:\/\/localhost:\d+\/p\/[A-Za-z0-9_-]+/.exec(linkText)![0];
    const opened = await fetch(link);
    await opened.arrayBuffer();
    expect(opened.url.startsWith(`${stack.stripe!.url}/pay/`)).toBe(true);

    const before = await phones();
    expect(before.some((p) => p.messages.length >= 4)).toBe(true);
    await stack.stop();
    stack = await start();
    // The stand-ins started empty: what the phones show comes from what the API stored.
    expect(stack.textmagic!.sent).toEqual([]);

    // The stand-in forgot the session and the customer: the same link opens a new Checkout.
    const page = await fetch(link.replace(/^http:\/\/localhost:\d+/, stack.url));
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(page.url.startsWith(`${stack.stripe!.url}/pay/`)).toBe(true);
    expect(html).toContain(`Lead ${code}: plumbing, 78701`);
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const paid = await fetch(new URL(action, page.url), { method: 'POST', redirect: 'manual' });
    await paid.arrayBuffer();
    expect(paid.headers.get('x-webhook-status')).toBe('200');
    const paidThread = (await phones()).find((p) => p.providerId === payer.providerId)!.messages;
    expect(paidThread.at(-1)!.text).toContain('Ria Restart');
    const after = (await phones()).map((p) =>
      p.providerId === payer.providerId ? { ...p, messages: p.messages.slice(0, -1) } : p,
    );
    expect(after).toEqual(before);
    // And a reply after the restart joins its thread.
    const buyer = after.find((p) => p.messages.length >= 4)!;
    const res = await call('POST', '/sandbox/phones/reply', { phone: buyer.phone, text: 'HELP' });
    expect(res.status, res.text).toBe(200);
    const thread = (await phones()).find((p) => p.providerId === buyer.providerId)!.messages;
    expect(thread.slice(0, buyer.messages.length)).toEqual(buyer.messages);
    expect(thread[buyer.messages.length]).toMatchObject({ direction: 'in', text: 'HELP' });
  }, 180_000);
});
