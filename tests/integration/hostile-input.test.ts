/**
 * Hostile input, property-based (fast-check): every public route called in-process with random
 * JSON, form and multipart bodies, wrong content types, huge and deeply nested bodies, unicode
 * and NUL characters, SQL and template metacharacters, odd phone formats, as REST (v1) and HTTP
 * API (v2, base64 body) events. Whatever comes in: never a 5xx, every JSON error has the
 * contract's shape, a refused request (4xx) writes no row and sends no SMS, and an accepted one
 * (2xx) stored what was sent after the documented normalisation (tests/support/stored-as-sent).
 */
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as consoleFn } from '../../functions/console';
import { handler as createLead } from '../../functions/create-lead';
import { handler as health } from '../../functions/health';
import { handler as intake } from '../../functions/intake';
import { handler as integrationHealth } from '../../functions/integration-health';
import { handler as smsAdmin } from '../../functions/sms-admin';
import { handler as stripeFollowUps } from '../../functions/stripe-follow-ups';
import { handler as inboundSms } from '../../functions/inbound-sms';
import { handler as leadRoute } from '../../functions/lead';
import { handler as payLink } from '../../functions/pay-link';
import { handler as providers } from '../../functions/providers';
import { handler as returnsFn } from '../../functions/returns';
import { handler as smsStatus } from '../../functions/sms-status';
import { handler as statsRoute } from '../../functions/stats';
import { handler as stripeWebhook } from '../../functions/stripe-webhook';
import { KEYS, phoneNumber, tmDigits, useApp } from '../support/app';
import { SESSION_COOKIE } from '../../lib/console/session';
import { cookieValues } from '../../lib/http/session-token';
import { handlerFile, ROUTES, routeKey, type Caller, type RouteSpec } from '../../lib/http/routes';
import { invoke, type EventInput, type Reply } from '../../emulators/events';
import { distinctClient } from '../../emulators/lead-body';
import { formStamp } from '../../lib/intake/form-stamp';
import { api, lead, linkToken } from '../support/flow';
import { buyByLink, deliverEvent, failedSms, purchase, uniqueZip } from '../support/market';
import { rowCounts } from '../support/writes';
import { createCategory } from '../../lib/catalogue/categories';
import { PORTAL_COOKIE } from '../../lib/portal/session';
import { portalCookieFor, portalLinkToken } from '../support/portal';
import { as, invite, inviteToken, newEmail, operatorWithRole, type TestOperator } from '../support/operators';
import { totpAt } from '../../lib/operators/totp';
import {
  expectInboundAsSent,
  expectLeadAsSent,
  expectPatchApplied,
  expectProviderAsSent,
  expectReportAsSent,
  providerRow,
  sentFields,
  utf8,
} from '../support/stored-as-sent';

const app = useApp();
/** PUBLIC_BASE_URL's origin (tests/support/app.ts): the console's own for an Origin check. */
const PUBLIC_ORIGIN = 'https://leads.example.test';
const NUM_RUNS = Number(process.env.HOSTILE_RUNS ?? 120);
const TIMEOUT = 90_000;

let existing: { providerId: string; phone: string; leadId: string; code: string; token: string };

beforeAll(async () => {
  const p = await api.addProvider({ zipCodes: ['78701', '10001'] });
  const created = await api.postLead(lead({ zipCode: '78701' }));
  expect(created.status).toBe(201);
  const before = app.textmagic.sent.length;
  await api.reply(p.phone, `YES ${created.json.code}`);
  const token = linkToken(app.textmagic.sent.slice(before).at(-1)!.text);
  existing = { providerId: p.id, phone: p.phone, leadId: created.json.id, code: created.json.code, token };
});

// ------------------------------------------------------------------------------------------
// Values

const NASTY = [
  "'; drop table leads; --",
  "' or '1'='1",
  '1; select pg_sleep(5)',
  '$1',
  '$$',
  '\\',
  '%',
  '%s%n%x',
  '_',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../etc/passwd',
  '__proto__',
  'constructor',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  '\uFEFF',
  '\u202Eevil',
  '🙂👍🏽🇺🇸',
  'ﷺ',
  'Ω≈ç√∫',
  '€[]{}^~|\\',
  '\r\n\r\nX-Injected: 1',
  '',
  ' ',
  'null',
  'true',
  '1e309',
  '-0',
  'NaN',
  'YES',
  'YES 4821',
  'STOP',
  'HELP',
  'BAD 4821 wrong area',
  'malo 4821 \u0000 zona',
];
const PHONES = [
  '(512) 555-0142',
  '+1 512 555 0142',
  '15125550142',
  '+15125550142',
  '512.555.0142',
  '0015125550142',
  '+44 20 7946 0958',
  '+999999999999999',
  '+1',
  '+',
  '0',
  '١٢٣٤٥٦٧٨٩٠',
  '５１２５５５０１４２',
  '+1 (512) 555-0142 ext. 99',
  '512555014251255501425125550142',
  'tel:+15125550142',
  '+1-800-FLOWERS',
];
const HEADER_CHARS = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.constantFrom(...PHONES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => `${s}\u0000${s}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('x', 'é', '🙂', '€', '\u0000'), fc.integer({ min: 150, max: 6000 }))
      .map(([c, n]) => c.repeat(n)),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^\+?\d{7,15}$/) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, 0, -1, 2 ** 53, 1e308, 50, 1_000_001),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Bodies that often pass most fields, so the hostile ones reach deep validation and the database. */
function fields(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(valid);
  const mixed = fc
    .tuple(
      fc.subarray(keys),
      fc.dictionary(fc.constantFrom(...keys), hostileValue, { maxKeys: keys.length }),
      fc.dictionary(hostileString, hostileValue, { maxKeys: 2 }),
    )
    .map(([kept, override, extra]) => {
      const out: Record<string, unknown> = { ...extra };
      for (const k of kept) out[k] = valid[k];
      return { ...out, ...override };
    });
  // Often a valid body with one hostile string in it, so it gets as far as the database.
  const oneBadString = fc
    .tuple(fc.constantFrom(...keys), hostileString)
    .map(([k, v]) => ({ ...valid, [k]: v }));
  // And sometimes the valid body itself: with many optional fields, `mixed` alone keeps every
  // field valid too rarely for each run to see an accepted request on every route.
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(valid) },
    { weight: 2, arbitrary: oneBadString },
    { weight: 3, arbitrary: mixed },
  );
}

// ------------------------------------------------------------------------------------------
// Bodies and events

type Body = { contentType?: string; body?: string | Buffer };

const CONTENT_TYPES = [
  undefined,
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=zzz',
  'application/octet-stream',
  '*/*',
  ';;;',
  'application/json\u00ff',
];

/** encodeURIComponent that takes lone surrogates (as a sender's broken encoder would send U+FFFD). */
const enc = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\uFFFD'));

const toForm = (f: Record<string, unknown>) =>
  Object.entries(f)
    .map(([k, v]) => `${enc(k)}=${enc(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`)
    .join('&');

function toMultipart(f: Record<string, unknown>, boundary: string, broken: boolean): Buffer {
  const parts = Object.entries(f).map(
    ([k, v]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '')}"\r\n\r\n${
        typeof v === 'string' ? v : JSON.stringify(v)
      }\r\n`,
  );
  return Buffer.from(parts.join('') + (broken ? `--${boundary}` : `--${boundary}--\r\n`));
}

const deepJson = fc
  .tuple(fc.integer({ min: 100, max: 12_000 }), fc.constantFrom('array', 'object', 'field'))
  .map(([depth, kind]): Body => {
    const inner =
      kind === 'array'
        ? '['.repeat(depth) + ']'.repeat(depth)
        : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    return {
      contentType: 'application/json',
      // `field`: a deep value beside otherwise plausible fields, so it gets past the first checks.
      body:
        kind === 'field'
          ? `{"id":"deep-${depth}","status":"d","sender":"15125550100","text":"hi","name":"x","deep":${inner}}`
          : inner,
    };
  });

const hugeBody = fc
  .tuple(fc.integer({ min: 60_000, max: 70_000 }), fc.constantFrom('json', 'form', 'raw'))
  .map(([n, kind]): Body => {
    if (kind === 'json')
      return { contentType: 'application/json', body: JSON.stringify({ description: 'x'.repeat(n) }) };
    if (kind === 'form')
      return { contentType: 'application/x-www-form-urlencoded', body: `text=${'y'.repeat(n)}` };
    return { contentType: 'application/octet-stream', body: Buffer.alloc(n, 0) };
  });

function bodies(valid: Record<string, unknown>): fc.Arbitrary<Body> {
  const f = fields(valid);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: f.map((x): Body => ({ contentType: 'application/json', body: JSON.stringify(x) })),
    },
    {
      weight: 3,
      arbitrary: f.map((x): Body => ({ contentType: 'application/x-www-form-urlencoded', body: toForm(x) })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(f, fc.stringMatching(/^[A-Za-z0-9'()+_,-]{1,40}$/), fc.boolean())
        .map(([x, b, broken]): Body => ({
          contentType: `multipart/form-data; boundary=${b}`,
          body: toMultipart(x, b, broken),
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...CONTENT_TYPES),
          fc.oneof(
            hostileValue.map((v) => JSON.stringify(v) ?? ''),
            f.map((x) => JSON.stringify(x)),
          ),
        )
        .map(([contentType, body]): Body => ({ contentType, body })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), fc.uint8Array({ maxLength: 300 }))
        .map(([contentType, bytes]): Body => ({ contentType, body: Buffer.from(bytes) })),
    },
    { weight: 1, arbitrary: fc.constant<Body>({ contentType: 'application/json', body: undefined }) },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: hugeBody },
  );
}

const version = fc.constantFrom<'v1' | 'v2'>('v1', 'v2');

// ------------------------------------------------------------------------------------------
// What must hold

type Counts = Record<string, number>;
const counts = (): Promise<Counts> => rowCounts(app);

function expectContractError(res: Reply) {
  expect(res.headers['content-type'], res.text).toMatch(/^application\/json/);
  expect(Object.keys(res.json ?? {})).toEqual(['error']);
  expect(res.json.error.code).toBeTypeOf('string');
  expect(res.json.error.message).toBeTypeOf('string');
  for (const key of Object.keys(res.json.error)) expect(['code', 'message', 'details']).toContain(key);
  expect(res.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|syntax error|violates|relation "/);
}

const statuses: Record<string, Record<number, number>> = {};
// The generators reach both sides: some requests accepted, some refused, on every route.
afterAll(() => {
  for (const route of ['leads', 'providers', 'sms', 'stripe', 'p', 'admin']) {
    const codes = Object.keys(statuses[route] ?? {}).map(Number);
    expect(
      codes.some((c) => c < 400),
      `${route}: ${JSON.stringify(statuses[route])}`,
    ).toBe(true);
    expect(
      codes.some((c) => c >= 400),
      `${route}: ${JSON.stringify(statuses[route])}`,
    ).toBe(true);
  }
});
type Handler = Parameters<typeof invoke>[0];

/** What a route's 2xx must have stored; `before` and `sms` are the row counts and SMS sent before. */
type Accepted = (res: Reply, ctx: { input: EventInput; before: Counts; sms: number }) => Promise<void>;

/**
 * Calls the route and checks the invariants; `accepted` checks what a 2xx stored, `html` routes
 * answer pages instead of JSON.
 */
async function check(
  handler: Handler,
  input: EventInput,
  accepted: Accepted,
  opts: { html?: boolean } = {},
): Promise<Reply> {
  const before = await counts();
  const sent = app.textmagic.sent.length;
  const res = await invoke(handler, input);
  statuses[input.path.split('/')[1]!] ??= {};
  statuses[input.path.split('/')[1]!]![res.status] =
    (statuses[input.path.split('/')[1]!]![res.status] ?? 0) + 1;
  expect(res.status, `${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    if (!opts.html || res.headers['content-type']?.startsWith('application/json')) expectContractError(res);
    expect(await counts(), `a ${res.status} wrote rows: ${res.text.slice(0, 200)}`).toEqual(before);
    expect(app.textmagic.sent.length).toBe(sent);
  } else {
    await accepted(res, { input, before, sms: sent });
  }
  // A client's contact details never come back from a public route (the admin view excepted).
  expect(res.text).not.toContain('Jane Client');
  expect(res.text).not.toContain('jane.client@example.com');
  return res;
}

const withBody = (
  input: EventInput,
  b: Body,
  v: 'v1' | 'v2',
  extraHeaders: Record<string, string> = {},
): EventInput => ({
  ...input,
  version: v,
  headers: {
    ...input.headers,
    ...(b.contentType === undefined ? {} : { 'content-type': b.contentType }),
    ...extraHeaders,
  },
  body: b.body,
});

const run = (prop: fc.IAsyncProperty<any>, numRuns = NUM_RUNS) => fc.assert(prop, { numRuns });

/** POST /leads: 201 for a new lead, 200 replaying an Idempotency-Key; either way the lead sent. */
const leadAsSent: Accepted = async (res, { input }) => {
  expect([200, 201]).toContain(res.status);
  const row = await expectLeadAsSent(app, res.json.id, await sentFields(input));
  expect(res.json).toMatchObject({ priceCents: row.price_cents, maxUnlocks: row.max_unlocks });
};

const neverAccepted: Accepted = (res) =>
  Promise.reject(new Error(`accepted: ${res.status} ${res.text.slice(0, 200)}`));

// ------------------------------------------------------------------------------------------

const stripeId = (prefix: string) => fc.stringMatching(/^[A-Za-z0-9]{1,40}$/).map((x) => `${prefix}_${x}`);

const UUID_LIKE = fc.oneof(fc.uuid(), hostileString, fc.constant('00000000-0000-0000-0000-000000000000'));

describe('hostile input: never a 5xx, no write on refusal, what was sent stored on acceptance', () => {
  it(
    'POST /leads',
    async () => {
      const valid = lead({
        zipCode: '99999',
        phone: '512-555-0142',
        priceCents: 1500,
        maxUnlocks: 3,
        source: { utmSource: 'google', utmCampaign: 'spring', landingPage: 'https://example.com/?a=1' },
      });
      await run(
        fc.asyncProperty(
          bodies(valid),
          version,
          fc.option(HEADER_CHARS, { nil: undefined }),
          fc.constantFrom(KEYS.lead, KEYS.lead, KEYS.lead, KEYS.lead, KEYS.lead, 'wrong', ''),
          async (b, v, idem, key) => {
            const headers: Record<string, string> = { 'x-api-key': key };
            if (idem !== undefined) headers['idempotency-key'] = idem;
            await check(createLead, withBody({ method: 'POST', path: '/leads' }, b, v, headers), leadAsSent);
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /leads: hostile free text is stored or refused, and no teaser carries contact details',
    async () => {
      let seq = 0;
      await run(
        fc.asyncProperty(
          fc.record({
            name: hostileString,
            description: hostileString,
            city: fc.option(hostileString, { nil: undefined }),
            budget: fc.option(hostileString, { nil: undefined }),
            category: fc.constantFrom('plumbing', 'PLUMBING', ' plumbing '),
          }),
          version,
          async (fieldsIn, v) => {
            const key = `hostile-text-${++seq}-${Date.now()}`;
            const sent = app.textmagic.sent.length;
            const res = await check(
              createLead,
              withBody(
                { method: 'POST', path: '/leads' },
                {
                  contentType: 'application/json',
                  body: JSON.stringify(lead({ ...fieldsIn, zipCode: '78701' })),
                },
                v,
                { 'x-api-key': KEYS.lead, 'idempotency-key': key },
              ),
              leadAsSent,
            );
            expect([201, 400]).toContain(res.status);
            // The contact fields never reach a teaser (what the client typed into the free text
            // itself is shown as typed: see the report on issue 3).
            const freeText = [fieldsIn.description, fieldsIn.city, fieldsIn.budget].join(' ');
            const secrets = ['555-0142', '5125550142', 'jane.client', fieldsIn.name.trim()].filter(
              (x) => x.length >= 8 && !freeText.includes(x),
            );
            for (const m of app.textmagic.sent.slice(sent)) {
              for (const x of secrets) expect(m.text).not.toContain(x);
            }
          },
        ),
        60,
      );
    },
    TIMEOUT,
  );

  it(
    'POST /providers',
    async () => {
      const valid = {
        name: 'Hostile Plumber',
        phone: '(512) 555-0199',
        email: 'h@example.com',
        categories: ['plumbing'],
        zipCodes: ['99999'],
        active: false,
        weeklySpendCapCents: 1_000_000,
        dailyLeadCap: 100,
        timeZone: 'Europe/Berlin',
        teaserHours: '22:00-06:00',
      };
      await run(
        fc.asyncProperty(bodies(valid), version, async (b, v) => {
          // A new phone each time, so a valid body is not refused only for being a duplicate.
          const body = typeof b.body === 'string' ? b.body.replace('(512) 555-0199', phoneNumber()) : b.body;
          await check(
            providers,
            withBody(
              { method: 'POST', path: '/providers', headers: { authorization: `Bearer ${KEYS.admin}` } },
              { ...b, body },
              v,
            ),
            async (res, { input }) => {
              expect(res.status).toBe(201);
              await expectProviderAsSent(app, res.json.id, await sentFields(input));
            },
          );
        }),
      );
    },
    TIMEOUT,
  );

  it(
    'PATCH /providers/{id}',
    async () => {
      const valid = {
        name: 'Renamed',
        active: true,
        categories: ['plumbing'],
        zipCodes: ['78701', '10001'],
        weeklySpendCapCents: 1_000_000,
        dailyLeadCap: 100,
        timeZone: 'Europe/Berlin',
        teaserHours: '22:00-06:00',
      };
      await run(
        fc.asyncProperty(
          bodies(valid),
          version,
          fc.oneof(fc.constant('existing'), UUID_LIKE),
          async (b, v, id) => {
            const pid = id === 'existing' ? existing.providerId : id;
            // Only the existing provider can be changed: its row before, to compare with after.
            const prior = pid === existing.providerId ? await providerRow(app, pid) : undefined;
            await check(
              providers,
              withBody(
                {
                  method: 'PATCH',
                  path: `/providers/${enc(pid)}`,
                  pathParams: { id: pid },
                  headers: { authorization: `Bearer ${KEYS.admin}` },
                },
                b,
                v,
              ),
              async (res, { input }) => {
                expect(res.status).toBe(200);
                expect(prior, `a 2xx for provider ${pid}, not the existing one`).toBeDefined();
                await expectPatchApplied(app, prior!, await sentFields(input));
              },
            );
            // A cap of 0 is valid, and would refuse the existing provider's pay link in the tests
            // below: the budgets go back to none after each run.
            await app.db.query(
              'update providers set weekly_spend_cap_cents = null, daily_lead_cap = null where id = $1',
              [existing.providerId],
            );
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /sms/inbound',
    async () => {
      let seq = 0;
      const valid = {
        id: 'x',
        sender: tmDigits(phoneNumber()),
        receiver: '15125550000',
        messageTime: '2026-11-26 10:00:00',
        text: 'YES 4821',
      };
      await run(
        fc.asyncProperty(
          bodies(valid),
          version,
          fc.boolean(),
          fc.constantFrom(KEYS.sms, KEYS.sms, KEYS.sms, 'wrong'),
          async (b, v, asProvider, token) => {
            // Fresh TextMagic ids, and sometimes the known provider as sender, so replies get answered.
            let body = b.body;
            if (typeof body === 'string') {
              body = body.replace(/"id":"x"|\bid=x\b/, (m) =>
                m.replace('x', `hostile-${Date.now()}-${++seq}`),
              );
              if (asProvider) body = body.replace(valid.sender, tmDigits(existing.phone));
            }
            await check(
              inboundSms,
              withBody({ method: 'POST', path: '/sms/inbound', query: { token } }, { ...b, body }, v),
              async (res, { input, before }) => {
                expect(res.status).toBe(200);
                expect(res.json).toEqual({ status: 'accepted', outcome: expect.any(String) });
                const fields = await sentFields(input);
                await expectInboundAsSent(app, res.json.outcome, fields, before, await counts());
              },
            );
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /sms/status',
    async () => {
      const valid = {
        id: '12345',
        status: 'd',
        receiver: tmDigits(existing?.phone ?? '+15125550100'),
        sessionId: '777',
      };
      await run(
        fc.asyncProperty(bodies(valid), version, async (b, v) => {
          await check(
            smsStatus,
            withBody({ method: 'POST', path: '/sms/status', query: { token: KEYS.sms } }, b, v),
            async (res, { input }) => {
              expect(res.status).toBe(200);
              expect(res.json).toEqual({ status: 'recorded', matched: expect.any(Boolean) });
              await expectReportAsSent(app, await sentFields(input));
            },
          );
        }),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /stripe/webhook (unsigned, forged and mangled)',
    async () => {
      const valid = { id: 'evt_1', type: 'checkout.session.completed', data: { object: { id: 'cs_1' } } };
      await run(
        fc.asyncProperty(
          bodies(valid),
          version,
          fc.oneof(
            fc.constant(undefined),
            HEADER_CHARS,
            fc.constant('t=1,v1=00'),
            fc.constant(`t=${Math.floor(Date.now() / 1000)},v1=${'a'.repeat(64)}`),
          ),
          async (b, v, signature) => {
            const headers: Record<string, string> =
              signature === undefined ? {} : { 'stripe-signature': signature };
            const res = await check(
              stripeWebhook,
              withBody({ method: 'POST', path: '/stripe/webhook' }, b, v, headers),
              neverAccepted,
            );
            expect(res.status).toBeGreaterThanOrEqual(400);
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /stripe/webhook (correctly signed, odd contents: 2xx or 4xx, never 5xx)',
    async () => {
      let seq = 0;
      const object = fc.record(
        {
          // Stripe's own ids and codes are plain ASCII; the shape around them varies.
          id: stripeId('cs'),
          object: fc.constant('checkout.session'),
          payment_status: fc.constantFrom('paid', 'unpaid', 'no_payment_required', undefined),
          payment_intent: fc.oneof(stripeId('pi'), fc.constant(null), fc.record({ id: stripeId('pi') })),
          amount_total: fc.oneof(fc.nat({ max: 10_000_000 }), fc.constant(null)),
          currency: fc.constantFrom('usd', 'eur', 'gbp', null),
          metadata: fc.oneof(
            fc.constant(null),
            fc.record(
              {
                // Our own metadata (UUIDs) as Stripe hands it back: ours, or unknown to us.
                leadId: fc.oneof(fc.uuid(), fc.constant('existing')),
                offerId: fc.uuid(),
                providerId: fc.oneof(fc.uuid(), fc.constant('existing')),
                // A saved card's off-session charge (payment_intent.* events).
                offSession: fc.constantFrom('true', 'false'),
                chargeAttempt: fc.oneof(fc.constantFrom('1', '2', '0', '-1', '1e9', 'x'), hostileString),
              },
              { requiredKeys: [] },
            ),
            fc.dictionary(
              hostileString.filter(
                (k) => !['leadId', 'offerId', 'providerId', 'offSession', 'chargeAttempt'].includes(k),
              ),
              hostileValue,
              {
                maxKeys: 3,
              },
            ),
          ),
        },
        { requiredKeys: ['id'] },
      );
      await run(
        fc.asyncProperty(
          fc.constantFrom(
            'checkout.session.completed',
            'checkout.session.async_payment_succeeded',
            'checkout.session.expired',
            'charge.refunded',
            'payment_intent.succeeded',
            'payment_intent.payment_failed',
            'payment_method.detached',
            'customer.created',
          ),
          object,
          version,
          async (type, obj, v) => {
            const md = obj.metadata;
            if (md && md.leadId === 'existing') md.leadId = existing.leadId;
            if (md && md.providerId === 'existing') md.providerId = existing.providerId;
            const event = app.stripe.event(type, obj);
            event.id = `evt_hostile_${++seq}_${Date.now()}`;
            const { payload, header } = app.stripe.sign(event);
            await check(
              stripeWebhook,
              {
                method: 'POST',
                path: '/stripe/webhook',
                headers: { 'content-type': 'application/json', 'stripe-signature': header },
                body: payload,
                version: v,
              },
              async (res, { before, sms }) => {
                expect(res.status).toBe(200);
                expect(res.json).toEqual({ received: true, outcome: expect.any(String) });
                // Recorded once, so Stripe's retry is a duplicate.
                const seen = await app.db.query('select type from stripe_events where id = $1', [event.id]);
                expect(seen).toEqual([{ type }]);
                // No offer of ours is named (random offer ids): nothing bought, refunded or sent.
                const after = await counts();
                for (const table of ['unlocks', 'offers', 'sms_messages', 'stripe_tasks', 'leads'])
                  expect(after[table], table).toBe(before[table]);
                expect(app.textmagic.sent.length).toBe(sms);
              },
            );
          },
        ),
      );
    },
    TIMEOUT,
  );

  // A signed session whose metadata ids are not UUIDs (another integration on the same Stripe
  // account) must be ignored, not a 500 that Stripe retries for days.
  it('POST /stripe/webhook: a signed session with foreign (non-UUID) metadata is not a 5xx', async () => {
    for (const type of ['checkout.session.completed', 'checkout.session.expired']) {
      const event = app.stripe.event(type, {
        id: `cs_foreign_${type}`,
        object: 'checkout.session',
        payment_status: 'paid',
        metadata: { leadId: 'order-17', offerId: 'order-17', providerId: 'shop-3' },
      });
      const { payload, header } = app.stripe.sign(event);
      const res = await api.webhook(payload, header);
      expect(res.status, res.text).toBeLessThan(500);
    }
  });

  it(
    'GET /p/{token}',
    async () => {
      await run(
        fc.asyncProperty(
          fc.oneof(
            hostileString,
            fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
            fc.constant('existing'),
            fc.constant(''),
          ),
          version,
          fc.option(bodies({ x: 1 }), { nil: undefined }),
          async (token, v, b) => {
            const t = token === 'existing' ? existing.token : token;
            const res = await check(
              payLink,
              withBody({ method: 'GET', path: `/p/${enc(t)}`, pathParams: { token: t } }, b ?? {}, v),
              async (res) => {
                // Only the existing offer's link opens Checkout: its own session, still open.
                expect(res.status).toBe(303);
                expect(t).toBe(existing.token);
                const [offer] = await app.db.query<{ checkout_url: string; checkout_session_id: string }>(
                  'select checkout_url, checkout_session_id from offers where pay_token = $1',
                  [t],
                );
                expect(res.headers.location).toBe(offer!.checkout_url);
                expect(app.stripe.sessions.get(offer!.checkout_session_id)).toMatchObject({
                  url: offer!.checkout_url,
                  status: 'open',
                });
              },
              { html: true },
            );
            expect([200, 303, 404, 410, 413]).toContain(res.status);
            if (res.status !== 303 && res.status !== 413) {
              expect(res.headers['content-type']).toMatch(/^text\/html/);
              expect(res.headers['content-security-policy']).toBeDefined();
            }
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'GET /leads/{id}',
    async () => {
      let shown = 0;
      await run(
        fc.asyncProperty(
          fc.oneof(UUID_LIKE, fc.constant('existing')),
          version,
          fc.constantFrom(
            `Bearer ${KEYS.admin}`,
            `Bearer ${KEYS.lead}`,
            '',
            'Bearer',
            `bearer  ${KEYS.admin} `,
          ),
          async (id, v, authorization) => {
            const lid = id === 'existing' ? existing.leadId : id;
            const before = await counts();
            const res = await invoke(leadRoute, {
              method: 'GET',
              path: `/leads/${enc(lid)}`,
              pathParams: { id: lid },
              headers: authorization ? { authorization } : {},
              version: v,
            });
            expect(res.status, res.text).toBeLessThan(500);
            if (res.status >= 400) expectContractError(res);
            if (authorization.includes(KEYS.lead) || !authorization.includes(KEYS.admin)) {
              // A wrong key is forbidden; no key at all (or `Bearer` alone) is unauthorised.
              expect(res.status).toBe(authorization.includes(KEYS.lead) ? 403 : 401);
            }
            // The admin view answers for the existing lead only, with that lead.
            if (res.status < 400) {
              expect(res.json.id).toBe(existing.leadId);
              shown++;
            }
            expect(await counts()).toEqual(before);
          },
        ),
      );
      expect(shown, 'no request reached the lead view').toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  // Query parameters the console's forms send, valid ones mixed with hostile values and keys.
  const queryOf = (valid: Record<string, fc.Arbitrary<string>>) =>
    fc
      .tuple(
        fc.record(
          Object.fromEntries(
            Object.entries(valid).map(([k, a]) => [
              k,
              fc.oneof({ weight: 8, arbitrary: a }, { weight: 1, arbitrary: hostileString }),
            ]),
          ),
          { requiredKeys: [] },
        ),
        fc.dictionary(hostileString, hostileString, { maxKeys: 2 }),
      )
      .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, string>);
  const isoDate = fc
    .date({ min: new Date('1969-12-01'), max: new Date('2027-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const isoInstant = fc.oneof(
    isoDate,
    fc
      .date({ min: new Date('1969-12-01'), max: new Date('2027-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.constantFrom(
      '2026-02-30',
      '2026-03-10T24:00:00Z',
      '2026-03-10T10:00:00+14:00',
      '9999-12-31T23:59:59Z',
    ),
  );
  const adminAuth = fc.constantFrom(
    `Bearer ${KEYS.admin}`,
    `Bearer ${KEYS.admin}`,
    `Bearer ${KEYS.admin}`,
    `Bearer ${KEYS.lead}`,
    '',
    'Bearer',
  );

  /** A GET: never a 5xx, a contract error or a 200, 401/403 by the key, and nothing written. */
  async function checkReport(
    handler: Handler,
    path: string,
    query: Record<string, string>,
    v: 'v1' | 'v2',
    authorization: string,
  ) {
    const before = await counts();
    const sent = app.textmagic.sent.length;
    const res = await invoke(handler, {
      method: 'GET',
      path,
      query,
      headers: authorization ? { authorization } : {},
      version: v,
    });
    statuses[path.slice(1)] ??= {};
    statuses[path.slice(1)]![res.status] = (statuses[path.slice(1)]![res.status] ?? 0) + 1;
    expect(res.status, `${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
    if (res.status >= 400) expectContractError(res);
    if (authorization !== `Bearer ${KEYS.admin}`) {
      expect(res.status).toBe(authorization.includes(KEYS.lead) ? 403 : 401);
    } else {
      expect([200, 400]).toContain(res.status);
    }
    if (res.status === 400) expect(res.json.error.details?.length ?? 0, res.text).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
    expect(app.textmagic.sent.length).toBe(sent);
    expect(res.text).not.toContain('jane.client@example.com');
    return res;
  }

  it(
    'GET /leads (hostile query strings: filters, cursors, limits)',
    async () => {
      const cursor = fc.oneof(
        fc.constant('existing'),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
        fc
          .tuple(fc.bigInt({ min: 0n, max: 10n ** 17n }), fc.oneof(fc.uuid(), hostileString))
          .map(([n, id]) => Buffer.from(`${n}.${id}`).toString('base64url')),
      );
      await run(
        fc.asyncProperty(
          queryOf({
            cursor,
            limit: fc.oneof(
              fc.integer({ min: -5, max: 150 }).map(String),
              fc.constantFrom('1e2', '0x10', '50.0'),
            ),
            status: fc.constantFrom('open', 'full', 'expired', 'OPEN', ''),
            category: fc.constantFrom('plumbing', ' Plumbing ', ''),
            zipCode: fc.constantFrom('78701', '10001', ''),
            from: isoInstant,
            to: isoInstant,
            q: fc.oneof(fc.constant(existing.code), fc.constantFrom('jane', 'Client', '%', '_', '\\')),
          }),
          version,
          adminAuth,
          async (query, v, authorization) => {
            if (query.cursor === 'existing') {
              const first = await invoke(leadRoute, {
                method: 'GET',
                path: '/leads',
                query: { limit: '1' },
                headers: { authorization: `Bearer ${KEYS.admin}` },
              });
              query.cursor = first.json.nextCursor ?? '';
            }
            const res = await checkReport(leadRoute, '/leads', query, v, authorization);
            if (res.status === 200) {
              expect(Object.keys(res.json)).toEqual(['leads', 'nextCursor']);
              expect(res.json.leads.length).toBeLessThanOrEqual(100);
            }
          },
        ),
      );
      // A run may draw no query the list accepts: one plain request, so its 200 is checked every run.
      const plain = await checkReport(leadRoute, '/leads', {}, 'v2', `Bearer ${KEYS.admin}`);
      expect(plain.status).toBe(200);
      expect(Object.keys(plain.json)).toEqual(['leads', 'nextCursor']);
    },
    TIMEOUT,
  );

  it(
    'GET /stats (hostile query strings: ranges and groupings)',
    async () => {
      await run(
        fc.asyncProperty(
          queryOf({
            from: isoDate,
            to: isoDate,
            groupBy: fc.constantFrom('day', 'category', 'DAY', 'week', ''),
          }),
          version,
          adminAuth,
          async (query, v, authorization) => {
            const res = await checkReport(statsRoute, '/stats', query, v, authorization);
            if (res.status === 200) {
              expect(Object.keys(res.json)).toEqual([
                'from',
                'to',
                'groupBy',
                'groups',
                'total',
                'unmatched',
                'aged',
              ]);
              if (res.json.groupBy === 'day') expect(res.json.groups.length).toBeLessThanOrEqual(366);
            }
          },
        ),
        Math.ceil(NUM_RUNS / 2),
      );
      // A run may draw no query the report accepts: one plain request, so its 200 is checked every run.
      const plain = await checkReport(statsRoute, '/stats', {}, 'v2', `Bearer ${KEYS.admin}`);
      expect(plain.status).toBe(200);
      expect(Object.keys(plain.json)).toEqual([
        'from',
        'to',
        'groupBy',
        'groups',
        'total',
        'unmatched',
        'aged',
      ]);
    },
    TIMEOUT,
  );

  it(
    'GET /providers and GET /health (hostile headers and query strings)',
    async () => {
      await run(
        fc.asyncProperty(
          fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), hostileString, { maxKeys: 4 }),
          fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
          version,
          fc.constantFrom(
            `Bearer ${KEYS.admin}`,
            `Bearer ${KEYS.lead}`,
            '',
            'Bearer',
            `Bearer ${KEYS.admin}x`,
          ),
          async (headers, query, v, authorization) => {
            const before = await counts();
            const list = await invoke(providers, {
              method: 'GET',
              path: '/providers',
              headers: { ...headers, ...(authorization ? { authorization } : {}) },
              query,
              version: v,
            });
            expect(list.status, list.text).toBeLessThan(500);
            if (authorization === `Bearer ${KEYS.admin}`) {
              expect(list.status).toBe(200);
              expect(Array.isArray(list.json.providers)).toBe(true);
            } else {
              expect([401, 403]).toContain(list.status);
              expectContractError(list);
            }
            const up = await invoke(health, { method: 'GET', path: '/health', headers, query, version: v });
            expect(up.status, up.text).toBe(200);
            expect(up.json.status).toBe('ok');
            expect(await counts()).toEqual(before);
          },
        ),
        Math.ceil(NUM_RUNS / 4),
      );
    },
    TIMEOUT,
  );
  it(
    'GET /admin/{proxy+} and GET /admin (hostile paths, headers and query strings)',
    async () => {
      const shell = (await invoke(consoleFn, { method: 'GET', path: '/admin' })).text;
      await run(
        fc.asyncProperty(
          fc.oneof(
            hostileString,
            hostileString.map((s) => `assets/${s}`),
            fc.constantFrom(
              '',
              'assets',
              'assets/',
              'leads',
              'providers/x',
              'assets/__proto__',
              'assets/../../x',
              'session',
            ),
          ),
          fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), hostileString, { maxKeys: 4 }),
          fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
          version,
          async (proxy, headers, query, v) => {
            const res = await check(
              consoleFn,
              {
                method: 'GET',
                path: proxy ? `/admin/${enc(proxy)}` : '/admin',
                pathParams: proxy ? { proxy } : undefined,
                headers,
                query,
                version: v,
              },
              async (res) => {
                expect(res.status).toBe(200);
                // The shell, or one of its hashed files.
                if (res.text !== shell)
                  expect(shell).toContain(res.headers['content-type']!.includes('css') ? '.css' : '.js');
                return Promise.resolve();
              },
              { html: true },
            );
            // 401: GET /admin/session without a session.
            expect([200, 401, 404, 413]).toContain(res.status);
            expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
            expect(res.headers['x-frame-options']).toBe('DENY');
          },
        ),
        Math.ceil(NUM_RUNS / 2),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /admin/sign-in',
    async () => {
      await run(
        fc.asyncProperty(
          bodies({ key: KEYS.admin }),
          version,
          fc.constantFrom(undefined, 'https://evil.example', 'null', PUBLIC_ORIGIN, ''),
          async (b, v, origin) => {
            // Each run from a clean count, so the key is checked and not only counted.
            await app.db.query('delete from sign_in_failures');
            const headers: Record<string, string> = origin === undefined ? {} : { origin };
            const res = await check(
              consoleFn,
              withBody({ method: 'POST', path: '/admin/sign-in' }, b, v, headers),
              async (res, { input }) => {
                // Only the admin key signs in, and what it gets is a session that opens the console.
                expect(res.status).toBe(200);
                expect((await sentFields(input)).key).toBe(KEYS.admin);
                const [value] = cookieValues(res.headers['set-cookie']!.split(';')[0], SESSION_COOKIE);
                const session = await invoke(consoleFn, {
                  method: 'GET',
                  path: '/admin/session',
                  headers: { cookie: `${SESSION_COOKIE}=${value}` },
                });
                expect(session.status, session.text).toBe(200);
              },
            );
            expect([200, 400, 403, 413, 415]).toContain(res.status);
            if (res.status !== 200) expect(res.headers['set-cookie']).toBeUndefined();
            expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /admin/sign-out',
    async () => {
      await run(
        fc.asyncProperty(
          fc.option(bodies({ x: 1 }), { nil: undefined }),
          version,
          fc.constantFrom(undefined, 'https://evil.example', PUBLIC_ORIGIN),
          fc.option(HEADER_CHARS, { nil: undefined }),
          async (b, v, origin, cookie) => {
            const headers: Record<string, string> = {};
            if (origin !== undefined) headers.origin = origin;
            if (cookie !== undefined) headers.cookie = cookie;
            const res = await check(
              consoleFn,
              withBody({ method: 'POST', path: '/admin/sign-out' }, b ?? {}, v, headers),
              async (res) => {
                expect(res.status).toBe(200);
                expect(res.headers['set-cookie']).toMatch(/^lu_session=; Max-Age=0;/);
                return Promise.resolve();
              },
            );
            expect([200, 403, 413]).toContain(res.status);
          },
        ),
        Math.ceil(NUM_RUNS / 2),
      );
    },
    TIMEOUT,
  );
});

describe('hostile input on the admin console routes: never a 5xx, never a change', () => {
  const AUTHS = [
    `Bearer ${KEYS.admin}`,
    `Bearer ${KEYS.admin}`,
    `Bearer ${KEYS.lead}`,
    '',
    'Bearer',
    `Bearer ${KEYS.admin}x`,
  ];
  /** What the routes could change: the outbox's state, the follow-ups, and every table's rows. */
  const state = async () => ({
    counts: await counts(),
    sms: await app.db.query(
      'select id, status, attempts, retried_at, next_attempt_at from sms_messages order by id',
    ),
    tasks: await app.db.query('select id, status, attempts from stripe_tasks order by id'),
  });
  const authorised = (authorization: string) => authorization === `Bearer ${KEYS.admin}`;
  const expectAuth = (res: Reply, authorization: string) => {
    // The 64 KiB limit is checked before the key (lib/http/raw-body.ts).
    if (!authorised(authorization)) {
      expect([401, 403, 413], res.text).toContain(res.status);
      expectContractError(res);
    }
  };
  const query = fc.dictionary(
    fc.oneof(fc.constantFrom('status', 'cursor', 'limit'), hostileString),
    fc.oneof(hostileString, fc.constantFrom('failed', 'attention', 'pending', '1', '100', 'MQ')),
    { maxKeys: 4 },
  );

  it(
    'GET /providers/{id} and GET /providers/{id}/sms (hostile ids and query strings)',
    async () => {
      const shown = { page: 0, thread: 0 };
      const threadQuery = fc.dictionary(
        fc.oneof(fc.constantFrom('cursor', 'limit'), hostileString),
        fc.oneof(hostileString, fc.constantFrom('1', '100', '0', 'MQ', 'MTIzLm86MQ')),
        { maxKeys: 3 },
      );
      await run(
        fc.asyncProperty(
          fc.oneof(UUID_LIKE, fc.constant('existing')),
          fc.option(threadQuery, { nil: undefined }),
          version,
          fc.constantFrom(...AUTHS),
          async (id, q, v, authorization) => {
            const pid = id === 'existing' ? existing.providerId : id;
            const before = await state();
            const res = await invoke(providers, {
              method: 'GET',
              path: `/providers/${enc(pid)}${q === undefined ? '' : '/sms'}`,
              pathParams: { id: pid },
              query: q,
              headers: authorization ? { authorization } : {},
              version: v,
            });
            expect(res.status, res.text).toBeLessThan(500);
            expectAuth(res, authorization);
            if (res.status >= 400) expectContractError(res);
            else if (q === undefined) {
              expect(res.json.provider.id).toBe(existing.providerId);
              shown.page++;
            } else {
              expect(Array.isArray(res.json.messages), res.text).toBe(true);
              shown.thread++;
            }
            expect(await state()).toEqual(before);
          },
        ),
        Math.ceil(NUM_RUNS / 2),
      );
      // One plain request each way, whatever the generator drew.
      for (const path of ['', '/sms']) {
        const plain = await invoke(providers, {
          method: 'GET',
          path: `/providers/${existing.providerId}${path}`,
          pathParams: { id: existing.providerId },
          headers: { authorization: `Bearer ${KEYS.admin}` },
        });
        expect(plain.status, plain.text).toBe(200);
      }
      expect(shown.page + shown.thread, 'no request reached the provider page or thread').toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'GET /returns, POST /returns/{id}/approve, POST /returns/{id}/decline, POST /unlocks/{id}/return (garbage ids, bodies and queries: nothing changes)',
    async () => {
      const ROUTES = ['list', 'approve', 'decline', 'open'] as const;
      await run(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          UUID_LIKE,
          query,
          fc.option(bodies({ note: 'Spoke to the client', reason: 'other', text: 'x' }), { nil: undefined }),
          version,
          fc.constantFrom(...AUTHS),
          async (route, id, q, b, v, authorization) => {
            const before = await state();
            const headers: Record<string, string> = authorization ? { authorization } : {};
            const input: EventInput =
              route === 'list'
                ? { method: 'GET', path: '/returns', query: q, headers, version: v }
                : withBody(
                    {
                      method: 'POST',
                      path: route === 'open' ? `/unlocks/${enc(id)}/return` : `/returns/${enc(id)}/${route}`,
                      pathParams: { id },
                      headers,
                    },
                    b ?? {},
                    v,
                  );
            const res = await invoke(returnsFn, input);
            expect(res.status, res.text).toBeLessThan(500);
            expectAuth(res, authorization);
            if (res.status >= 400) expectContractError(res);
            else {
              // No generated id names a return or a purchase: only the list answers 2xx.
              expect(route, res.text).toBe('list');
              expect(Array.isArray(res.json.returns)).toBe(true);
            }
            expect(await state()).toEqual(before);
          },
        ),
        Math.ceil(NUM_RUNS / 2),
      );
      // A run may draw no list request with the right key and a valid query: one, so the queue's
      // 2xx branch is checked on every run.
      const before = await state();
      const plain = await invoke(returnsFn, {
        method: 'GET',
        path: '/returns',
        headers: { authorization: `Bearer ${KEYS.admin}` },
      });
      expect(plain.status, plain.text).toBe(200);
      expect(Array.isArray(plain.json.returns)).toBe(true);
      expect(await state()).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    'POST /unlocks/{id}/return and POST /returns/{id}/decline on a real purchase: hostile text refused, or stored as sent, once',
    async () => {
      const zip = uniqueZip();
      const p = await api.addProvider({ zipCodes: [zip], autoPay: false });
      const created = await api.postLead(lead({ zipCode: zip }));
      const sent = app.textmagic.sent.length;
      await api.reply(p.phone, `YES ${created.json.code}`);
      const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(sent).at(-1)!.text));
      const session = [...app.stripe.sessions.values()].find((x) => x.url === pay.headers.location)!;
      await deliverEvent(app, app.stripe.completeSession(session.id));
      const [unlock] = await app.db.query<{ id: string }>(
        'select id from unlocks where checkout_session_id = $1',
        [session.id],
      );
      const admin = { authorization: `Bearer ${KEYS.admin}` };
      const accepted: Record<string, number> = { open: 0, decline: 0 };
      const VALID = {
        open: { reason: 'wrong_area', text: 'far away' },
        decline: { note: 'Spoke to the client' },
      };
      /** The purchase to open a return of, or the return to decline (none yet: an unknown id). */
      const idFor = async (route: 'open' | 'decline') => {
        const [r] = await app.db.query<{ id: string }>('select id from lead_returns where unlock_id = $1', [
          unlock!.id,
        ]);
        return route === 'open' ? unlock!.id : (r?.id ?? '00000000-0000-4000-8000-000000000000');
      };
      const pathOf = (route: 'open' | 'decline', id: string) =>
        route === 'open' ? `/unlocks/${id}/return` : `/returns/${id}/decline`;
      for (const route of ['open', 'decline'] as const) {
        await run(
          fc.asyncProperty(bodies(VALID[route]), version, async (b, v) => {
            const id = await idFor(route);
            const before = await state();
            const res = await invoke(
              returnsFn,
              withBody(
                {
                  method: 'POST',
                  path: pathOf(route, id),
                  pathParams: { id },
                  headers: admin,
                },
                b,
                v,
              ),
            );
            expect(res.status, res.text).toBeLessThan(500);
            if (res.status >= 300) {
              expect([400, 404, 409, 413, 415], res.text).toContain(res.status);
              expectContractError(res);
              expect(await state()).toEqual(before);
              return;
            }
            accepted[route]!++;
            const fields = JSON.parse(String(b.body)) as Record<string, unknown>;
            const [row] = await app.db.query<{
              reason: string;
              reason_text: string | null;
              note: string | null;
            }>('select reason, reason_text, note from lead_returns where unlock_id = $1', [unlock!.id]);
            if (route === 'open') {
              expect(res.status).toBe(201);
              expect(row!.reason).toBe(fields.reason);
              const text = typeof fields.text === 'string' ? fields.text.trim() : '';
              // As Postgres keeps text: a lone surrogate is U+FFFD (stored-as-sent.ts).
              expect(row!.reason_text).toBe(text === '' ? null : utf8(text));
            } else {
              expect(res.status).toBe(200);
              expect(row!.note).toBe(utf8(String(fields.note).trim()));
            }
          }),
          Math.ceil(NUM_RUNS / 4),
        );
        if (accepted[route] === 0) {
          // A run may draw no body the route accepts: the plain one, so that acceptance (and the
          // decline after it) is checked on every run.
          const id = await idFor(route);
          const res = await invoke(returnsFn, {
            method: 'POST',
            path: pathOf(route, id),
            pathParams: { id },
            headers: { ...admin, 'content-type': 'application/json' },
            body: JSON.stringify(VALID[route]),
          });
          expect(res.status, res.text).toBe(route === 'open' ? 201 : 200);
          accepted[route]++;
        }
      }
      // Each is accepted once: the purchase has one return, decided once.
      expect(accepted).toEqual({ open: 1, decline: 1 });
    },
    TIMEOUT,
  );

  it(
    'GET /sms (hostile query strings)',
    async () => {
      await run(
        fc.asyncProperty(query, version, fc.constantFrom(...AUTHS), async (q, v, authorization) => {
          const before = await state();
          const res = await invoke(smsAdmin, {
            method: 'GET',
            path: '/sms',
            query: q,
            headers: authorization ? { authorization } : {},
            version: v,
          });
          expect(res.status, res.text).toBeLessThan(500);
          expectAuth(res, authorization);
          if (res.status >= 400) expectContractError(res);
          else {
            expect(Array.isArray(res.json.sms)).toBe(true);
            for (const m of res.json.sms) expect(m).not.toHaveProperty('body');
          }
          expect(await state()).toEqual(before);
        }),
        Math.ceil(NUM_RUNS / 2),
      );
    },
    TIMEOUT,
  );

  it(
    'POST /sms/{id}/retry (garbage ids and bodies: nothing changes but a failed SMS named, queued once)',
    async () => {
      const [sent] = await app.db.query<{ id: string }>(
        "select id::text from sms_messages where status <> 'failed' limit 1",
      );
      await run(
        fc.asyncProperty(
          fc.oneof(hostileString, fc.stringMatching(/^\d{1,25}$/), fc.constant(sent!.id)),
          version,
          fc.constantFrom(...AUTHS),
          fc.option(bodies({ id: 1 }), { nil: undefined }),
          async (id, v, authorization, b) => {
            const before = await state();
            const res = await invoke(
              smsAdmin,
              withBody(
                {
                  method: 'POST',
                  path: `/sms/${enc(id)}/retry`,
                  pathParams: { id },
                  headers: authorization ? { authorization } : {},
                },
                b ?? {},
                v,
              ),
            );
            expect(res.status, res.text).toBeLessThan(500);
            expectAuth(res, authorization);
            const failed = before.sms.some(
              (m) =>
                String((m as { id: unknown }).id) === id && (m as { status: string }).status === 'failed',
            );
            if (failed && res.status === 202) {
              // A failed SMS the generators happened to name: queued again, that row only.
              expect(res.json).toMatchObject({ retried: true, sms: { status: 'queued', attempts: 0 } });
              return;
            }
            expect([200, 401, 403, 404, 409, 413], res.text).toContain(res.status);
            if (res.status === 200) expect(res.json.retried).toBe(false);
            else expectContractError(res);
            expect(await state()).toEqual(before);
          },
        ),
        Math.ceil(NUM_RUNS / 2),
      );
    },
    TIMEOUT,
  );

  it(
    'GET /stripe/tasks and GET /health/integrations (hostile headers and query strings)',
    async () => {
      await run(
        fc.asyncProperty(
          fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), hostileString, { maxKeys: 4 }),
          query,
          version,
          fc.constantFrom(...AUTHS),
          async (headers, q, v, authorization) => {
            const before = await state();
            const h = { ...headers, ...(authorization ? { authorization } : {}) };
            const tasks = await invoke(stripeFollowUps, {
              method: 'GET',
              path: '/stripe/tasks',
              headers: h,
              query: q,
              version: v,
            });
            expect(tasks.status, tasks.text).toBeLessThan(500);
            expectAuth(tasks, authorization);
            if (tasks.status >= 400) expectContractError(tasks);
            else expect(Array.isArray(tasks.json.tasks)).toBe(true);
            const up = await invoke(integrationHealth, {
              method: 'GET',
              path: '/health/integrations',
              headers: h,
              query: q,
              version: v,
            });
            expect(up.status, up.text).toBeLessThan(500);
            expectAuth(up, authorization);
            if (authorised(authorization)) {
              expect(up.status).toBe(200);
              expect(up.json.stripe.ok).toBe(true);
              expect(up.text).not.toContain(app.stripe.secretKey);
            }
            expect(await state()).toEqual(before);
          },
        ),
        Math.ceil(NUM_RUNS / 4),
      );
    },
    TIMEOUT,
  );
});

// ------------------------------------------------------------------------------------------
// Every route of lib/http/routes.ts, around its example: a route added to the table is fuzzed
// here with no other change (the properties above go deeper on each).

describe('every route of the route table: its example accepted, mangled never a 5xx, refused without a change', () => {
  const ALL: readonly RouteSpec[] = ROUTES;
  let seq = 0;
  /** A purchase paid by link (a provider of its own, who does not pay by saved card). */
  const bought = async () => (await purchase(app)).unlockId;
  /** What an example's `{name}` stands for: made anew for each route that names it. */
  const FIXTURES: Record<string, () => Promise<string>> = {
    provider: async () => (await api.addProvider({ zipCodes: [uniqueZip()] })).id,
    lead: async () => ((await api.postLead(lead({ zipCode: uniqueZip() }))).json as { id: string }).id,
    payToken: async () => {
      const zip = uniqueZip();
      const p = await api.addProvider({ zipCodes: [zip], autoPay: false });
      const created = await api.postLead(lead({ zipCode: zip }));
      const before = app.textmagic.sent.length;
      await api.reply(p.phone, `YES ${created.json.code}`);
      return linkToken(app.textmagic.sent.slice(before).at(-1)!.text);
    },
    // A fresh portal sign-in link, as ACCOUNT by SMS gives it.
    portalLink: async () => {
      const p = await api.addProvider({ zipCodes: [uniqueZip()] });
      const before = app.textmagic.sent.length;
      await api.reply(p.phone, 'ACCOUNT');
      return portalLinkToken(app.textmagic.sent.slice(before).at(-1)!.text);
    },
    purchase: bought,
    openReturn: async () => {
      const id = await bought();
      const res = await invoke(returnsFn, {
        method: 'POST',
        path: `/unlocks/${id}/return`,
        pathParams: { id },
        headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'wrong_area' }),
      });
      expect(res.status, res.text).toBe(201);
      return (res.json as { return: { id: string } }).return.id;
    },
    failedSms: () => failedSms(app),
    adminKey: () => Promise.resolve(KEYS.admin),
    // A form tool's source, mapped as PUT /intake/sources/{source}'s example maps it; its token
    // is the form tool's credential (withCredential).
    intakeSource: async () => {
      const put = ALL.find((r) => r.method === 'PUT' && r.path === '/intake/sources/{source}')!;
      const res = await invoke(intake, {
        method: 'PUT',
        path: '/intake/sources/example-site',
        pathParams: { source: 'example-site' },
        headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(put.example.body),
      });
      expect(res.status, res.text).toBe(200);
      intakeToken = (res.json as { token: string }).token;
      return 'example-site';
    },
    // The hosted form's stamp, from a page served long enough ago.
    formStamp: () => Promise.resolve(formStamp(KEYS.form, Date.now() - 10_000)),
    // An open offer to the portal's signed-in provider, and the offer id of a lead they bought
    // (paid by link), each of a client of its own: only their own views may show its details.
    portalOffer: async () => (await portalLead()).offerId,
    portalPurchase: async () => {
      const { code, offerId, phone } = await portalLead();
      await buyByLink(app, phone, code);
      return offerId;
    },
    category: async () =>
      (await createCategory({ slug: `routes-${++seq}`, name: 'Routes', synonyms: [], active: true })).slug,
    // An operator invited, not yet signed up; an invite link's token not yet used.
    operator: async () => (await invite('staff')).id,
    inviteToken: async () => inviteToken((await invite('staff')).inviteUrl),
    // A code for the signed-in operator's second factor: from a secret just started (confirm), or
    // the next step's of the one in force, turned on first when it is not (off).
    totpCode: async () => {
      const op = await operatorCaller();
      const [row] = await app.db.query<{ totp_secret: string | null }>(
        'select totp_secret from operators where id = $1',
        [op.id],
      );
      if (row!.totp_secret) return totpAt(row!.totp_secret, Date.now() / 1000 + 30);
      const started = await invoke(consoleFn, {
        method: 'POST',
        path: '/admin/account/totp',
        headers: as(op),
      });
      expect(started.status, started.text).toBe(200);
      return totpAt((started.json as { secret: string }).secret, Date.now() / 1000);
    },
  };
  /** The operator signed in to the console for the `operator` routes (their own account). */
  let operatorSession: TestOperator | undefined;
  const operatorCaller = async () => (operatorSession ??= await operatorWithRole('staff'));
  /** The token of the source `{intakeSource}` made last. */
  let intakeToken = '';
  /** Made for each request: a body's own fresh value, as a marker while fast-check mangles it. */
  const FRESH: Record<string, () => string> = {
    newPhone: () => phoneNumber(),
    newTextMagicId: () => `routes-${++seq}-${Date.now()}`,
    newEventId: () => `evt_routes_${++seq}_${Date.now()}`,
    newSlug: () => `new-${++seq}-${Date.now()}`,
    newEmail: () => newEmail(`routes${++seq}`),
  };
  const marker = (name: string) => `fresh0${name}0marker`;
  const fresh = (text: string) =>
    Object.entries(FRESH).reduce((t, [name, make]) => t.replaceAll(marker(name), make()), text);

  /** The example with each `{name}` made (fresh ones as markers). */
  async function resolve(value: unknown): Promise<unknown> {
    if (typeof value === 'string') {
      const name = /^\{(\w+)\}$/.exec(value)?.[1];
      if (name === undefined) return value;
      if (FRESH[name]) return marker(name);
      expect(FIXTURES[name], `${value}: no such fixture (lib/http/routes.ts, Example)`).toBeDefined();
      return FIXTURES[name]!();
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolve));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await resolve(v);
      return out;
    }
    return value;
  }

  type Credential = 'right' | 'wrong' | 'none';
  const KEYED: Partial<Record<Caller, { none: number; wrong: number }>> = {
    admin: { none: 401, wrong: 403 },
    'lead key': { none: 401, wrong: 403 },
    TextMagic: { none: 401, wrong: 403 },
    Stripe: { none: 400, wrong: 400 },
    // An unknown source and a wrong or missing token are answered alike.
    'form tool': { none: 401, wrong: 401 },
    // No session cookie, or one naming no live session.
    portal: { none: 401, wrong: 401 },
    operator: { none: 401, wrong: 401 },
  };
  /** The provider signed in to the portal for the `portal` routes, and their session's cookie. */
  let portal: { providerId: string; cookie: string } | undefined;
  const portalProvider = async () => {
    // A route whose example ends the session (POST /portal/api/stop opts out) leaves the routes
    // after it a provider of their own.
    const live =
      portal &&
      (await app.db
        .query('select 1 from portal_sessions where provider_id = $1 and expires_at > now()', [
          portal.providerId,
        ])
        .then((r) => r.length > 0));
    if (!live) {
      const { id } = await api.addProvider({ zipCodes: [uniqueZip()], autoPay: false });
      portal = { providerId: id, cookie: await portalCookieFor(id) };
    }
    return portal;
  };

  /** A new lead in the portal provider's zip, offered to them, from a client no other lead has. */
  const portalLead = async () => {
    const [p] = await app.db.query<{ phone: string; zip: string }>(
      'select phone, zip_codes[1] as zip from providers where id = $1',
      [portal!.providerId],
    );
    const created = await api.postLead(
      lead({ zipCode: p!.zip, name: 'Portal Own Client', ...distinctClient() }),
    );
    expect(created.status, created.text).toBe(201);
    const [offer] = await app.db.query<{ id: string }>(
      'select id from offers where lead_id = $1 and provider_id = $2',
      [created.json.id, portal!.providerId],
    );
    return { code: created.json.code as string, offerId: offer!.id, phone: p!.phone };
  };

  /** The request with the caller's credential, or a wrong one, or none. */
  function withCredential(r: RouteSpec, input: EventInput, credential: Credential): EventInput {
    // Only the credential drawn: none that the hostile headers or query happened to name.
    const headers = Object.fromEntries(
      Object.entries(input.headers ?? {}).filter(
        ([k]) => !['authorization', 'x-api-key', 'stripe-signature'].includes(k),
      ),
    );
    const query = Object.fromEntries(Object.entries(input.query ?? {}).filter(([k]) => k !== 'token'));
    const raw = input.body === undefined ? '' : String(input.body);
    if (r.who === 'admin' && credential !== 'none')
      headers.authorization = `Bearer ${credential === 'right' ? KEYS.admin : KEYS.lead}`;
    if (r.who === 'lead key' && credential !== 'none')
      headers['x-api-key'] = credential === 'right' ? KEYS.lead : 'wrong';
    if (r.who === 'TextMagic' && credential !== 'none')
      query.token = credential === 'right' ? KEYS.sms : 'wrong';
    if (r.who === 'form tool' && credential !== 'none')
      query.token = credential === 'right' ? intakeToken : 'wrong';
    if (r.who === 'portal') {
      delete headers.cookie;
      if (credential !== 'none')
        headers.cookie = credential === 'right' ? portal!.cookie : `${PORTAL_COOKIE}=${'x'.repeat(43)}`;
      if (r.method !== 'GET') headers.origin = PUBLIC_ORIGIN;
    }
    if (r.who === 'operator') {
      delete headers.cookie;
      if (credential !== 'none')
        headers.cookie =
          credential === 'right' ? operatorSession!.cookie : `${SESSION_COOKIE}=${'x'.repeat(43)}`;
      if (r.method !== 'GET') headers.origin = PUBLIC_ORIGIN;
    }
    if (r.who === 'Stripe' && credential !== 'none') {
      headers['stripe-signature'] =
        credential === 'right'
          ? Stripe.webhooks.generateTestHeaderString({ payload: raw, secret: app.stripe.webhookSecret })
          : 't=1,v1=00';
    }
    return { ...input, headers, query };
  }

  const pathOf = (r: RouteSpec, params: Record<string, string>) =>
    r.path.replace(/\{(\w+)\+?\}/g, (_, name: string) => enc(params[name]!));

  /** A value of the example's, or a hostile one in its place, or a hostile key beside them. */
  const queryAround = (valid: Record<string, string>) =>
    fc
      .tuple(
        fc.record(
          Object.fromEntries(
            Object.entries(valid).map(([k, v]) => [
              k,
              fc.oneof({ weight: 4, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: hostileString }),
            ]),
          ),
          { requiredKeys: [] },
        ),
        fc.dictionary(hostileString, hostileString, { maxKeys: 2 }),
      )
      .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, string>);

  for (const r of ALL) {
    const key = routeKey(r);
    it(
      key,
      async () => {
        const { handler } = (await import(/* @vite-ignore */ `../../${handlerFile(r.fn)}`)) as {
          handler: Handler;
        };
        if (r.who === 'portal') await portalProvider();
        if (r.who === 'operator') await operatorCaller();
        const example = (await resolve(r.example)) as {
          params?: Record<string, string>;
          query?: Record<string, string>;
          body?: Record<string, unknown>;
        };
        const params = example.params ?? {};
        const html = r.who === 'provider' || r.who === 'browser' || r.who === 'client';
        // Each route from a clean count of wrong sign-in keys (five from one address answer 429).
        await app.db.query('delete from sign_in_failures');

        // The example itself, from its caller: accepted.
        const plainBody = example.body === undefined ? undefined : fresh(JSON.stringify(example.body));
        const plain = await invoke(
          handler,
          withCredential(
            r,
            {
              method: r.method,
              path: pathOf(r, params),
              pathParams: params,
              query: example.query,
              headers: plainBody === undefined ? {} : { 'content-type': 'application/json' },
              body: plainBody,
            },
            'right',
          ),
        );
        expect(plain.status, `${key}, its example: ${plain.text.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
        expect(plain.status, `${key}, its example: ${plain.text.slice(0, 300)}`).toBeLessThan(400);
        // An admin change is in the audit trail: the newest entry names it, who made it, and that it ended.
        if (r.audit) {
          const [entry] = await app.db.query<Record<string, string>>(
            `select actor_type, actor_id, action, route, outcome from audit_entries order by at desc, id desc limit 1`,
          );
          expect(entry, key).toEqual({
            actor_type: 'api_key',
            actor_id: 'admin',
            action: r.audit,
            route: key,
            outcome: expect.stringMatching(/^(done|unchanged)$/),
          });
        }

        // Mangled: hostile ids, queries, bodies, headers and credentials.
        const paramArb = fc.record(
          Object.fromEntries(
            Object.entries(params).map(([k, v]) => [
              k,
              fc.oneof({ weight: 3, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: UUID_LIKE }),
            ]),
          ),
        );
        const bodyArb =
          example.body === undefined ? fc.option(bodies({ x: 1 }), { nil: undefined }) : bodies(example.body);
        const queryArb =
          example.query === undefined
            ? fc.option(fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), { nil: undefined })
            : queryAround(example.query);
        await run(
          fc.asyncProperty(
            paramArb,
            queryArb,
            bodyArb,
            fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), hostileString, { maxKeys: 2 }),
            version,
            fc.constantFrom<Credential>('right', 'right', 'right', 'wrong', 'none'),
            async (ps, query, b, headers, v, credential) => {
              const body =
                b?.body === undefined
                  ? undefined
                  : Buffer.isBuffer(b.body)
                    ? Buffer.from(fresh(b.body.toString('latin1')), 'latin1')
                    : fresh(b.body);
              const input = withCredential(
                r,
                withBody(
                  { method: r.method, path: pathOf(r, ps), pathParams: ps, query, headers },
                  { contentType: b?.contentType, body },
                  v,
                ),
                credential,
              );
              const before = await counts();
              const sent = app.textmagic.sent.length;
              const res = await invoke(handler, input);
              expect(res.status, `${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
              const refusal = KEYED[r.who];
              if (refusal && credential !== 'right') {
                expect([refusal[credential], 413], res.text.slice(0, 300)).toContain(res.status);
              }
              if (res.status >= 400) {
                if (!html || res.headers['content-type']?.startsWith('application/json'))
                  expectContractError(res);
                expect(await counts(), `a ${res.status} wrote rows: ${res.text.slice(0, 200)}`).toEqual(
                  before,
                );
                expect(app.textmagic.sent.length).toBe(sent);
              } else if (r.audit) {
                expect((await counts()).audit_entries, `${key}: one audit entry per change`).toBe(
                  before.audit_entries! + 1,
                );
              }
              // Only the admin views show a client's contact details (and the hosted form the
              // client's own, typed back to them beside an error).
              if (r.who !== 'admin' && r.who !== 'client') {
                expect(res.text).not.toContain('Jane Client');
                expect(res.text).not.toContain('jane.client@example.com');
              }
            },
          ),
          Math.ceil(NUM_RUNS / 6),
        );
      },
      TIMEOUT,
    );
  }
});
