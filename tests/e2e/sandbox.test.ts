// The sandbox end to end, as a newcomer clicks through it but over HTTP: startLocalStack (the
// same stack `npm start` runs) on free ports against this file's database, with the Stripe and
// TextMagic stand-ins. Seed, an inquiry, the teaser in two phones, a YES reply, the pay link to
// the local checkout page, its Pay form, the details SMS in that phone, the lead unlocked.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { useTestDatabase } from '../support/database';
import { freePort } from '../../scripts/embedded-postgres';
import { startLocalStack, type LocalStack } from '../../scripts/local-stack';

const db = useTestDatabase();
let stack: LocalStack;

beforeAll(async () => {
  // The default teaser hours (08:00-21:00), as `npm start` has them, not the suite's all-day ones:
  // the walk-through must work at any hour the newcomer tries it.
  stack = await startLocalStack({
    port: await freePort(),
    databaseUrl: db.url,
    isolated: true,
    env: { TEASER_HOURS: '' },
  });
}, 150_000);

afterAll(async () => {
  await stack?.stop();
}, 30_000);

type Res = { status: number; headers: Headers; text: string; json: any };

async function call(
  method: string,
  route: string,
  json?: unknown,
  headers: Record<string, string> = {},
): Promise<Res> {
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
    for (const p of withTeaser) expect(p.messages).toEqual([expect.objectContaining({ direction: 'out' })]);
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
    expect((await phones()).find((p) => p.providerId === buyer.providerId)!.messages).toHaveLength(1);

    const reply = await call('POST', '/sandbox/phones/reply', { phone: buyer.phone, text: `YES ${code}` });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({
      phone: buyer.phone,
      message: { direction: 'in', text: `YES ${code}` },
    });
    const thread = (await phones()).find((p) => p.providerId === buyer.providerId)!.messages;
    expect(thread.map((m) => m.direction)).toEqual(['out', 'in', 'out']);
    const link = /http:\/\/localhost:\d+\/p\/[A-Za-z0-9_-]+/.exec(thread[2]!.text)?.[0];
    expect(link, thread[2]!.text).toBeDefined();
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
    expect(after).toHaveLength(4);
    expect(after[3]).toMatchObject({ direction: 'out' });
    expect(after[3]!.text).toContain('Jane <img src=x onerror=alert(1)>');
    expect(after[3]!.text).toContain('+15125550142');
    expect(after[3]!.text).toContain('jane@example.com');
    const other = withTeaser[1]!;
    expect((await phones()).find((p) => p.providerId === other.providerId)!.messages).toHaveLength(1);

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

    const inquiry = await call('POST', '/sandbox/inquiry', {
      name: 'Sam Second',
      phone: '512-555-0199',
      category: 'plumbing',
      zipCode: '78701',
      description: 'Water heater leaking in the garage',
    });
    expect(inquiry.status, inquiry.text).toBe(201);
    const { code } = inquiry.json as { code: string };
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
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });
});
