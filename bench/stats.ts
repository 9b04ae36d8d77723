/**
 * `GET /stats` and `GET /leads` at 100,000 leads: a database of its own filled in SQL
 * (generate_series) with a year of leads, their offers, YES replies, links opened, checkouts,
 * unlocks, refunds and teaser, pay-link and details SMS, then the routes timed in-process
 * against a baseline measured in the same rounds (`select count(*) from leads`, a full pass over
 * the table the reports read).
 */
import path from 'node:path';
import pg from 'pg';
import type { Context } from 'aws-lambda';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { runMigrations } from '../lib/db/migrate';
import { v1Event } from '../emulators/events';
import { median } from './cold-start';

export const STATS_BUDGET_MS = 200;
const KEY = 'bench-admin-key';

/** The generated market: sizes and rates, deterministic (each choice a hash of the row's number). */
export const MARKET = {
  leads: 100_000,
  days: 365,
  providers: 600,
  categories: ['plumbing', 'electrical', 'hvac', 'roofing', 'moving', 'cleaning', 'landscaping', 'painting'],
  zips: 150,
  maxOffers: 10,
};

/**
 * One statement per table. `h(n, salt)`: a stable pseudo-random number in [0, 1) for row n, so
 * that a run's data is the same every time. Rates: 97% of teasers sent; 30% of offers answered
 * YES, 85% of those open the link, 90% of those create a checkout, 65% of those pay (at most
 * max_unlocks per lead); 4% of unlocks refunded; 1 lead in 10 priced in eur.
 */
export function generation(): string[] {
  const m = MARKET;
  const cats = `array[${m.categories.map((c) => `'${c}'`).join(',')}]`;
  return [
    // A bulk load, as pg_restore does it: no foreign-key triggers (every reference is made here).
    `set session_replication_role = replica`,
    `create or replace function pg_temp.h(n bigint, salt int) returns float8 language sql immutable as
       $$ select ((hashint8(n * 7919 + salt)::bigint & 2147483647)::float8 / 2147483648) $$`,
    // Ids in insertion order, so that each primary key grows at its end.
    `create or replace function pg_temp.id(n bigint) returns uuid language sql immutable as
       $$ select lpad(to_hex(n), 32, '0')::uuid $$`,
    // The indexes that back no constraint are dropped, and built again from their own definitions
    // once the rows are in (a sort each, instead of 550,000 inserts into random places).
    `create temp table bench_indexes as
       select indexname, indexdef from pg_indexes i
       where schemaname = 'public' and tablename in ('leads', 'offers', 'unlocks', 'sms_messages')
         and not exists (select from pg_constraint c where c.conname = i.indexname)`,
    `do $$ declare r record; begin
       for r in select indexname from bench_indexes loop execute 'drop index ' || quote_ident(r.indexname); end loop;
     end $$`,
    `insert into providers (id, name, phone, categories, zip_codes, created_at, updated_at)
     select pg_temp.id(i), 'Bench Provider ' || i, '+1555' || lpad(i::text, 7, '0'),
       array[(${cats})[1 + i % ${m.categories.length}], (${cats})[1 + (i / ${m.categories.length}) % ${m.categories.length}]],
       array[lpad((10000 + i % ${m.zips})::text, 5, '0')], now() - interval '400 days', now() - interval '400 days'
     from generate_series(0, ${m.providers - 1}) i`,
    `insert into leads (id, code, code_active, name, phone, email, category, zip_code, city, description,
       price_cents, currency, max_unlocks, unlock_count, expires_at, created_at)
     select pg_temp.id(i), lpad((i % 1000000)::text, 6, '0'), false, 'Bench Client ' || i,
       '+1555' || lpad((i % 10000000)::text, 7, '0'), 'client' || i || '@example.com',
       (${cats})[1 + floor(pg_temp.h(i, 1) * ${m.categories.length})::int],
       lpad((10000 + floor(pg_temp.h(i, 2) * ${m.zips})::int)::text, 5, '0'), 'Austin',
       'Generated inquiry number ' || i, case when pg_temp.h(i, 3) < 0.1 then 2500 else 1500 end,
       case when pg_temp.h(i, 3) < 0.1 then 'eur' else 'usd' end, 3, 0,
       c + interval '72 hours', c
     from generate_series(1, ${m.leads}) i,
       lateral (select now() - pg_temp.h(i, 4) * interval '${m.days} days' as c) t`,
    // 1..10 offers a lead, to distinct providers; the funnel steps a few seconds to hours apart.
    `insert into offers (id, lead_id, provider_id, pay_token, status, accepted_at, link_opened_at,
       checkout_created_at, checkout_session_id, created_at, price_cents)
     select pg_temp.id(n), l.id, pg_temp.id((i * 13 + j) % ${m.providers}), 'bench' || lpad(n::text, 12, '0'), 'offered',
       case when yes then l.created_at + pg_temp.h(n, 11) * interval '2 hours' end,
       case when opened then l.created_at + interval '2 hours' + pg_temp.h(n, 12) * interval '1 hour' end,
       case when checkout then l.created_at + interval '3 hours' + pg_temp.h(n, 13) * interval '10 minutes' end,
       case when checkout then 'cs_bench_' || n end,
       l.created_at, l.price_cents
     from leads l
     cross join lateral (select l.code::int as i) li
     cross join lateral generate_series(0, floor(pg_temp.h(i, 5) * ${m.maxOffers})::int) j
     cross join lateral (select i::bigint * 16 + j as n) k
     cross join lateral (select pg_temp.h(i, 6) < 0.97 and pg_temp.h(n, 7) < 0.30 as yes) y
     cross join lateral (select yes and pg_temp.h(n, 8) < 0.85 as opened) op
     cross join lateral (select opened and pg_temp.h(n, 9) < 0.90 as checkout) ch`,
    `insert into sms_messages (kind, recipients, body, dedupe_key, lead_id, status, attempts, transport, sent_at, created_at, updated_at)
     select 'teaser', array['+15550000000'], 'Bench teaser', 'teaser:' || l.id, l.id,
       case when pg_temp.h(i, 6) < 0.97 then 'sent' else 'failed' end, 1, 'textmagic',
       case when pg_temp.h(i, 6) < 0.97 then l.created_at + interval '2 seconds' end, l.created_at, l.created_at
     from leads l cross join lateral (select l.code::int as i) li`,
    `insert into sms_messages (kind, recipients, body, dedupe_key, lead_id, provider_id, status, attempts, transport, sent_at, created_at, updated_at)
     select 'pay_link', array['+15550000001'], 'Bench pay link', 'pay_link:' || o.id, o.lead_id, o.provider_id,
       'sent', 1, 'textmagic', o.accepted_at, o.accepted_at, o.accepted_at
     from offers o where o.accepted_at is not null`,
    // Paid: 65% of checkouts, the first max_unlocks of a lead by offer number.
    `insert into unlocks (id, offer_id, lead_id, provider_id, checkout_session_id, payment_intent_id,
       amount_cents, currency, refunded_at, created_at)
     select o.id, o.id, o.lead_id, o.provider_id, o.checkout_session_id, 'pi_' || o.checkout_session_id,
       l.price_cents, l.currency,
       case when pg_temp.h(hashtext(o.pay_token), 14) < 0.04 then o.checkout_created_at + interval '2 days' end,
       o.checkout_created_at + pg_temp.h(hashtext(o.pay_token), 15) * interval '20 minutes'
     from (
       select o.*, row_number() over (partition by o.lead_id order by o.pay_token) as r
       from offers o where o.checkout_created_at is not null and pg_temp.h(hashtext(o.pay_token), 16) < 0.65
     ) o join leads l on l.id = o.lead_id
     where o.r <= l.max_unlocks`,
    `update offers o set status = 'unlocked' from unlocks u where u.offer_id = o.id`,
    `update leads l set unlock_count = n from (select lead_id, count(*)::int as n from unlocks group by lead_id) u
     where u.lead_id = l.id`,
    `insert into sms_messages (kind, recipients, body, dedupe_key, lead_id, provider_id, status, attempts, transport, sent_at, created_at, updated_at)
     select 'details', array['+15550000002'], 'Bench details', 'details:' || u.id, u.lead_id, u.provider_id,
       'sent', 1, 'textmagic', u.created_at, u.created_at, u.created_at
     from unlocks u`,
    `do $$ declare r record; begin
       for r in select indexdef from bench_indexes loop execute r.indexdef; end loop;
     end $$`,
    `drop table bench_indexes`,
    // Triggers keep lead_funnels (GET /stats) and are off during this load: built once at the end.
    `select lead_funnels_rebuild()`,
    `set session_replication_role = default`,
  ];
}

type Handler = (event: never, context: Context) => Promise<unknown>;
const call = async (handler: Handler, path: string, query: Record<string, string>) => {
  const r = (await handler(
    v1Event({ method: 'GET', path, query, headers: { authorization: `Bearer ${KEY}` } }) as never,
    {} as Context,
  )) as { statusCode: number; body: string };
  if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
};

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export async function measureStats(opts: { quick?: boolean } = {}) {
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve('.local', `bench-stats-pg-${process.pid}`),
    persistent: false,
  });
  const admin = new pg.Client({ connectionString: server.url() });
  admin.on('error', () => {});
  const q = new pg.Client({ connectionString: server.url('bench_stats') });
  q.on('error', () => {});
  try {
    await admin.connect();
    await admin.query('create database bench_stats');
    const url = server.url('bench_stats');
    await runMigrations(url);
    await q.connect();
    const t0 = performance.now();
    for (const statement of generation()) await q.query(statement);
    await q.query('vacuum analyze');
    const generateSeconds = (performance.now() - t0) / 1000;
    const { rows: sizes } = await q.query<Record<string, string>>(
      `select (select count(*) from leads) as leads, (select count(*) from offers) as offers,
         (select count(*) from unlocks) as unlocks, (select count(*) from sms_messages) as sms`,
    );
    const dataset = Object.fromEntries(Object.entries(sizes[0]!).map(([k, v]) => [k, Number(v)]));

    Object.assign(process.env, {
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      DATABASE_URL: url,
      DATABASE_DRIVER: 'pg',
      DATABASE_POOL_MAX: '2',
      // A slow report is a figure (and a FAIL), not a 503.
      DATABASE_QUERY_TIMEOUT_MS: '60000',
      ADMIN_API_KEY: KEY,
    });
    const { resetConfig } = await import('../lib/config');
    const { closeDb } = await import('../lib/db/client');
    resetConfig();
    await closeDb();
    const statsFn = (await import('../functions/stats')).handler as Handler;
    const leadFn = (await import('../functions/lead')).handler as Handler;

    const today = new Date();
    const day = (offset: number) => isoDay(new Date(today.getTime() + offset * 86_400_000));
    const cases: Array<{ name: string; run: () => Promise<unknown> }> = [
      {
        name: 'GET /stats, last 30 days by day (the default)',
        run: () => call(statsFn, '/stats', {}),
      },
      {
        name: 'GET /stats, last 30 days by category',
        run: () => call(statsFn, '/stats', { groupBy: 'category' }),
      },
      {
        name: `GET /stats, the whole ${MARKET.days} days by day`,
        run: () => call(statsFn, '/stats', { from: day(-MARKET.days), to: day(0) }),
      },
      {
        name: `GET /stats, the whole ${MARKET.days} days by category`,
        run: () => call(statsFn, '/stats', { from: day(-MARKET.days), to: day(0), groupBy: 'category' }),
      },
      {
        name: 'GET /leads, first page (50), status=full',
        run: () => call(leadFn, '/leads', { status: 'full' }),
      },
      {
        name: 'GET /leads, first page (50), category=roofing, zipCode=10007',
        run: () => call(leadFn, '/leads', { category: 'roofing', zipCode: '10007' }),
      },
      {
        name: 'GET /leads, page 2 (cursor), q=client name',
        run: async () => {
          const first = await call(leadFn, '/leads', { q: 'Bench Client 99' });
          return call(leadFn, '/leads', { q: 'Bench Client 99', cursor: String(first.nextCursor) });
        },
      },
    ];
    const baseline = () => q.query('select count(*) from leads');
    const select1 = () => q.query('select 1');
    // Warm: plans cached by the server, pool connected, pages in shared buffers.
    for (const c of cases) {
      const start = performance.now();
      await c.run();
      console.log(`bench stats: ${c.name}: ${(performance.now() - start).toFixed(1)} ms (warm-up)`);
    }
    await baseline();
    const rounds = opts.quick ? 7 : 21;
    const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    const baselineMs: number[] = [];
    const select1Ms: number[] = [];
    const time = async (fn: () => Promise<unknown>) => {
      const start = performance.now();
      await fn();
      return performance.now() - start;
    };
    for (let r = 0; r < rounds; r++) {
      // Interleaved, so that noise from other work on the machine falls on all alike.
      baselineMs.push(await time(baseline));
      select1Ms.push(await time(select1));
      for (const c of cases) samples.get(c.name)!.push(await time(c.run));
    }
    const baselineMedian = median(baselineMs);
    const routes = cases.map((c) => {
      const xs = samples.get(c.name)!;
      const p50 = median(xs);
      return {
        name: c.name,
        n: xs.length,
        p50,
        p95: percentile(xs, 95),
        ratio: p50 / baselineMedian,
        pass: c.name.startsWith('GET /stats') ? p50 <= STATS_BUDGET_MS : undefined,
      };
    });
    await closeDb();
    return {
      dataset,
      generateSeconds,
      rounds,
      baseline: { name: 'select count(*) from leads', p50: baselineMedian, p95: percentile(baselineMs, 95) },
      select1: { p50: median(select1Ms), p95: percentile(select1Ms, 95) },
      budgetMs: STATS_BUDGET_MS,
      routes,
    };
  } finally {
    await q.end().catch(() => {});
    await admin.end().catch(() => {});
    await server.stop();
  }
}
