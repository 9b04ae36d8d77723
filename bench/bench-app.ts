/**
 * What the request benchmarks share: the round-trip counter, the handlers called in-process with
 * API Gateway events against a real Postgres and the Stripe/TextMagic stand-ins, and the API a
 * bench drives (providers, leads, replies, pay links, webhooks).
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Context } from 'aws-lambda';
import { v1Event } from '../emulators/events';
import type { FakeStripe } from '../emulators/fake-stripe';
import type { FakeTextMagic } from '../emulators/fake-textmagic';
import { fakeServicesEnv } from '../emulators/fake-env';
import { distinctClient, lead } from '../emulators/lead-body';

// ---------------------------------------------------------------------------------------------
// The round-trip counter: every statement any pg.Client sends (BEGIN/COMMIT included), except
// those of the bench's own bookkeeping client.

let statements = 0;
export const uncounted = new WeakSet<object>();
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (!uncounted.has(this)) statements++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

export async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const before = statements;
  const value = await fn();
  return { value, statements: statements - before };
}

/** A valid US number no other provider of this process has (random ones collided in 1 of 60 bursts). */
let phoneSeq = randomInt(0, 1_000_000);
export const PROVIDER_PHONE = () => {
  phoneSeq = (phoneSeq + 1) % 8_000_000;
  return `+1512${2 + Math.floor(phoneSeq / 1_000_000)}${String(phoneSeq % 1_000_000).padStart(6, '0')}`;
};
export const digits = (e164: string) => e164.replace(/\D/g, '');

export type Reply = { status: number; headers: Record<string, string>; json: any; text: string };
export type Handler = (event: never, context: Context) => Promise<unknown>;

export async function call(handler: Handler, input: Parameters<typeof v1Event>[0]): Promise<Reply> {
  const r = (await handler(v1Event(input) as never, {} as Context)) as {
    statusCode: number;
    headers?: Record<string, string>;
    body: string;
  };
  let json: unknown;
  try {
    json = JSON.parse(r.body);
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, headers: r.headers ?? {}, json, text: r.body };
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** Runs `tasks` with at most `concurrency` in flight; returns each task's latency in ms. */
export async function timed(concurrency: number, tasks: Array<() => Promise<unknown>>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        const t0 = performance.now();
        await task();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - started;
  return { latencies, wallMs, perSecond: (tasks.length / wallMs) * 1000 };
}

export const KEYS = { lead: 'bench-lead-key', admin: 'bench-admin-key', sms: 'bench-sms-token' };
/** The brand and support contact the bench's SMS speak as (a deployed stage sends none without). */
export const BENCH_SENDER = { brand: 'Austin Home Pros', support: 'help.example.com' };

/** The functions, under the bench's environment (database `url`, the stand-ins), and their API. */
export async function startBenchApp(url: string, stripe: FakeStripe, textmagic: FakeTextMagic, q: pg.Client) {
  Object.assign(process.env, {
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    DATABASE_URL: url,
    DATABASE_DRIVER: 'pg',
    DATABASE_POOL_MAX: '8',
    ...fakeServicesEnv(stripe, textmagic),
    LEAD_API_KEY: KEYS.lead,
    ADMIN_API_KEY: KEYS.admin,
    INBOUND_SMS_TOKEN: KEYS.sms,
    SMS_BRAND_NAME: BENCH_SENDER.brand,
    SUPPORT_CONTACT: BENCH_SENDER.support,
    PUBLIC_BASE_URL: 'https://leads.example.test',
    LEAD_MAX_OFFERS: '16',
    // Teasers at once whatever the hour the bench runs: the figures are those of a lead in the day.
    TEASER_HOURS: '00:00-24:00',
  });
  // The catalogue the bench's leads and providers are in (a fresh install has none).
  await q.query(
    `insert into categories (slug, name, price_cents, max_unlocks, ttl_hours)
     values ('plumbing', 'Plumbing', 1500, 3, 72) on conflict do nothing`,
  );
  const { resetConfig } = await import('../lib/config');
  const { closeDb, getDb } = await import('../lib/db/client');
  const fn = {
    health: (await import('../functions/health')).handler as Handler,
    createLead: (await import('../functions/create-lead')).handler as Handler,
    providers: (await import('../functions/providers')).handler as Handler,
    inbound: (await import('../functions/inbound-sms')).handler as Handler,
    payLink: (await import('../functions/pay-link')).handler as Handler,
    webhook: (await import('../functions/stripe-webhook')).handler as Handler,
    dispatcher: (await import('../functions/sms-dispatcher')).handler as unknown as (
      event?: unknown,
    ) => Promise<unknown>,
  };

  let inboundId = 1;
  let leadBodies = 0;
  const api = {
    async provider(zip: string) {
      const phone = PROVIDER_PHONE();
      const r = await call(fn.providers, {
        method: 'POST',
        path: '/providers',
        headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Pat Plumber', phone, categories: ['plumbing'], zipCodes: [zip] }),
      });
      if (r.status !== 201) throw new Error(`provider: ${r.status} ${r.text}`);
      return r.json as { id: string; phone: string };
    },
    leadBody: (zip: string, extra: Record<string, unknown> = {}) =>
      lead({
        category: 'plumbing',
        zipCode: zip,
        description: `Leaking kitchen sink, water under the cabinet. Need someone this week. #${++leadBodies}`,
        // A client of its own per lead: the same client again would be a duplicate lead, offered
        // only to providers not offered the first, which is not what is measured.
        ...distinctClient(),
        ...extra,
      }),
    lead: (body: Record<string, unknown>, key?: string) =>
      call(fn.createLead, {
        method: 'POST',
        path: '/leads',
        headers: {
          'x-api-key': KEYS.lead,
          'content-type': 'application/json',
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: JSON.stringify(body),
      }),
    reply: (phone: string, text: string) =>
      call(fn.inbound, {
        method: 'POST',
        path: '/sms/inbound',
        query: { token: KEYS.sms },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          id: String(inboundId++),
          sender: digits(phone),
          receiver: '15125550000',
          messageTime: new Date().toISOString(),
          text,
        }).toString(),
      }),
    payLink: (token: string) =>
      call(fn.payLink, { method: 'GET', path: `/p/${token}`, pathParams: { token } }),
    webhook(event: ReturnType<typeof stripe.completeSession>) {
      const { payload, header } = stripe.sign(event);
      return call(fn.webhook, {
        method: 'POST',
        path: '/stripe/webhook',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
      });
    },
  };
  const linkFor = (phone: string) => {
    const sent = textmagic.sent.filter((m) => m.phones.includes(digits(phone))).at(-1)!;
    return /\/p\/([A-Za-z0-9_-]+)/.exec(sent.text)![1]!;
  };
  const ok = (r: Reply, status: number, what: string) => {
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r;
  };
  let zipSeq = 10_000;
  const newZip = () => String(++zipSeq);

  return { fn, api, linkFor, ok, newZip, resetConfig, closeDb, getDb, stripe, textmagic, q };
}

export type BenchApp = Awaited<ReturnType<typeof startBenchApp>>;
