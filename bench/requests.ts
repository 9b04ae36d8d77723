/**
 * In-process benchmarks against a real (embedded) Postgres and the Stripe/TextMagic fakes:
 * database round trips per request type, latency and throughput, the Neon path, SMS cost.
 */
import { fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Context } from 'aws-lambda';
import { startEmbeddedPostgres, type LocalPostgres } from '../scripts/embedded-postgres';
import { runMigrations } from '../lib/db/migrate';
import { v1Event } from '../emulators/events';
import { startFakeStripe } from '../emulators/fake-stripe';
import { startFakeTextMagic } from '../emulators/fake-textmagic';
import { startNeonWsProxy } from '../emulators/neon-ws-proxy';
import { smsLength } from '../lib/sms/segments';
import { templates } from '../lib/sms/templates';
import { median } from './cold-start';
import { measureContainers } from './containers';
import { fakeServicesEnv } from '../emulators/fake-env';
import { distinctClient, lead } from '../emulators/lead-body';

const { detailsSms, payLinkSms, teaserSms } = templates('en');

// ---------------------------------------------------------------------------------------------
// The round-trip counter: every statement any pg.Client sends (BEGIN/COMMIT included), except
// those of the bench's own bookkeeping client.

let statements = 0;
const uncounted = new WeakSet<object>();
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (!uncounted.has(this)) statements++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const before = statements;
  const value = await fn();
  return { value, statements: statements - before };
}

const PROVIDER_PHONE = () => `+1512${randomInt(2, 10)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
const digits = (e164: string) => e164.replace(/\D/g, '');

type Reply = { status: number; headers: Record<string, string>; json: any; text: string };
type Handler = (event: never, context: Context) => Promise<unknown>;

async function call(handler: Handler, input: Parameters<typeof v1Event>[0]): Promise<Reply> {
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

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** Runs `tasks` with at most `concurrency` in flight; returns each task's latency in ms. */
async function timed(concurrency: number, tasks: Array<() => Promise<unknown>>) {
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

const KEYS = { lead: 'bench-lead-key', admin: 'bench-admin-key', sms: 'bench-sms-token' };

const THROUGHPUT_CONCURRENCY = 16;

/**
 * Statements per request. `savingCard`: a provider's first payment also writes its save_card
 * follow-up (claimed), stores the card Stripe names and marks it done. `charging`: a YES's charge
 * reads its offer and lead, reserves the budget (a transaction: the provider's lock, then the read
 * of their spend in a statement of its own so that it sees what the lock waited for) and marks it
 * done. The dispatcher's base includes its heartbeat (GET /health/integrations).
 */
export const ROUND_TRIP_BUDGETS = {
  createLead: 4,
  inboundYes: 4,
  paidWebhook: 6,
  savingCard: 3,
  charging: 6,
  dispatcherBase: 4,
};

/** The TextMagic fake in a child process (bench/fake-textmagic-process.ts). */
async function startTextMagicProcess() {
  const child = fork(fileURLToPath(new URL('./fake-textmagic-process.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`TextMagic fake process exited (${code})`)));
    });
  const address = await next<{ url: string; username: string; apiKey: string }>();
  return {
    ...address,
    async requests() {
      const reply = next<{ requests: number }>();
      child.send('requests');
      return (await reply).requests;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

export async function measureRequests(opts: { quick?: boolean } = {}) {
  // Removed on stop; a run killed before that is swept by the next start (embedded-postgres.ts).
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve('.local', `bench-pg-${process.pid}`),
    persistent: false,
  });
  try {
    return await measureOn(server, opts);
  } finally {
    await server.stop();
  }
}

async function measureOn(server: LocalPostgres, opts: { quick?: boolean }) {
  const admin = new pg.Client({ connectionString: server.url() });
  uncounted.add(admin);
  // Should the run fail, the server stops under these clients: that must not crash the process
  // before the data directory is removed.
  admin.on('error', () => {});
  await admin.connect();
  await admin.query('create database bench');
  const url = server.url('bench');
  await runMigrations(url);
  const stripe = await startFakeStripe();
  const textmagic = await startFakeTextMagic();
  const neonProxy = await startNeonWsProxy();
  const q = new pg.Client({ connectionString: url });
  uncounted.add(q);
  q.on('error', () => {});
  await q.connect();

  Object.assign(process.env, {
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    DATABASE_URL: url,
    DATABASE_DRIVER: 'pg',
    DATABASE_POOL_MAX: '8',
    ...fakeServicesEnv(stripe, textmagic),
    LEAD_API_KEY: KEYS.lead,
    ADMIN_API_KEY: KEYS.admin,
    INBOUND_SMS_TOKEN: KEYS.sms,
    PUBLIC_BASE_URL: 'https://leads.example.test',
    LEAD_MAX_OFFERS: '16',
    // Teasers at once whatever the hour the bench runs: the figures are those of a lead in the day.
    TEASER_HOURS: '00:00-24:00',
  });
  const { resetConfig } = await import('../lib/config');
  const { closeDb, getDb } = await import('../lib/db/client');
  const { leads, offers, smsMessages } = await import('../lib/db/schema');
  const { inArray } = await import('drizzle-orm');
  const fn = {
    health: (await import('../functions/health')).handler as Handler,
    createLead: (await import('../functions/create-lead')).handler as Handler,
    providers: (await import('../functions/providers')).handler as Handler,
    inbound: (await import('../functions/inbound-sms')).handler as Handler,
    payLink: (await import('../functions/pay-link')).handler as Handler,
    webhook: (await import('../functions/stripe-webhook')).handler as Handler,
    dispatcher: (await import('../functions/sms-dispatcher')).handler as unknown as () => Promise<unknown>,
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

  // -------------------------------------------------------------------------------------------
  // Round trips, each request type on a warm pool.
  await call(fn.health, { method: 'GET', path: '/health' });
  const zip = newZip();
  const people = [await api.provider(zip), await api.provider(zip), await api.provider(zip)];
  const tmBefore = textmagic.requests;
  const created = await counted(() => api.lead(api.leadBody(zip), `bench-${Date.now()}`));
  ok(created.value, 201, 'create-lead');
  const teaserRequests = textmagic.requests - tmBefore;
  const code = created.value.json.code as string;
  const yes = await counted(() => api.reply(people[0]!.phone, `YES ${code}`));
  ok(yes.value, 200, 'inbound YES');
  const token = linkFor(people[0]!.phone);
  const pay = await counted(() => api.payLink(token));
  ok(pay.value, 303, 'pay link');
  const session = [...stripe.sessions.values()].find((s) => s.url === pay.value.headers.location)!;
  const tmBeforeDetails = textmagic.requests;
  const paid = await counted(() => api.webhook(stripe.completeSession(session.id)));
  ok(paid.value, 200, 'paid webhook');
  const detailsRequests = textmagic.requests - tmBeforeDetails;

  // The same provider's next lead, bought with the card that first Checkout saved: the YES
  // charges it, and the charge's payment_intent.succeeded unlocks (the steady state).
  const next = ok(await api.lead(api.leadBody(zip)), 201, 'second lead');
  const eventsBefore = stripe.events.length;
  const yesCharged = await counted(() => api.reply(people[0]!.phone, `YES ${next.json.code}`));
  ok(yesCharged.value, 200, 'inbound YES charging the saved card');
  const succeeded = stripe.events.slice(eventsBefore).find((e) => e.type === 'payment_intent.succeeded');
  if (!succeeded) throw new Error('the YES did not charge the saved card');
  const paidOffSession = await counted(() => api.webhook(succeeded));
  ok(paidOffSession.value, 200, 'off-session paid webhook');

  // The paid webhook that fills a lead (maxUnlocks 1) while another provider holds a session.
  const zipFull = newZip();
  const pair = [await api.provider(zipFull), await api.provider(zipFull)];
  const full = ok(await api.lead(api.leadBody(zipFull, { maxUnlocks: 1 })), 201, 'lead');
  const sessions: Array<{ id: string }> = [];
  for (const p of pair) {
    await api.reply(p.phone, `YES ${full.json.code}`);
    const r = ok(await api.payLink(linkFor(p.phone)), 303, 'pay link');
    sessions.push([...stripe.sessions.values()].find((s) => s.url === r.headers.location)!);
  }
  const filling = await counted(() => api.webhook(stripe.completeSession(sessions[0]!.id)));
  ok(filling.value, 200, 'filling webhook');

  // Dispatcher: an empty batch, then a batch of 5 due SMS.
  await fn.dispatcher();
  const dispatchEmpty = await counted(() => fn.dispatcher());
  const batch = 5;
  for (let i = 0; i < batch; i++) {
    await q.query(
      `insert into sms_messages (kind, recipients, body, dedupe_key) values ('help', $1, 'bench', $2)`,
      [[PROVIDER_PHONE()], `bench-dispatch-${Date.now()}-${i}`],
    );
  }
  const tmBeforeBatch = textmagic.requests;
  const dispatchBatch = await counted(() => fn.dispatcher());
  const batchRequests = textmagic.requests - tmBeforeBatch;

  const roundTrips = {
    createLead: { statements: created.statements, budget: ROUND_TRIP_BUDGETS.createLead },
    inboundYes: { statements: yes.statements, budget: ROUND_TRIP_BUDGETS.inboundYes },
    payLink: { statements: pay.statements },
    // A provider's first payment also reads the card it saved from Stripe and stores it.
    paidWebhookSavingCard: {
      statements: paid.statements,
      budget: ROUND_TRIP_BUDGETS.paidWebhook + ROUND_TRIP_BUDGETS.savingCard,
    },
    inboundYesChargingCard: {
      statements: yesCharged.statements,
      budget: ROUND_TRIP_BUDGETS.inboundYes + ROUND_TRIP_BUDGETS.charging,
    },
    paidWebhook: { statements: paidOffSession.statements, budget: ROUND_TRIP_BUDGETS.paidWebhook },
    paidWebhookFillingLead: { statements: filling.statements },
    dispatcherEmpty: { statements: dispatchEmpty.statements, budget: ROUND_TRIP_BUDGETS.dispatcherBase },
    dispatcherBatch: {
      messages: batch,
      statements: dispatchBatch.statements,
      budget: ROUND_TRIP_BUDGETS.dispatcherBase + batch,
    },
    textmagicRequests: {
      teaserPerLead: teaserRequests,
      matchedProviders: created.value.json.offeredTo as number,
      detailsSms: detailsRequests,
      dispatcherBatch: batchRequests,
    },
  };

  // -------------------------------------------------------------------------------------------
  // Latency at concurrency 1 and 16: 16 providers share a zip, every lead is offered to all.
  const latency: Record<string, Record<string, { n: number; p50: number; p99: number }>> = {};
  const record = (name: string, c: number, lat: number[]) => {
    latency[name] ??= {};
    latency[name][`c${c}`] = { n: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99) };
  };
  const perLevel = opts.quick ? 32 : 96;
  for (const c of [1, 16]) {
    const z = newZip();
    const crowd: Array<{ id: string; phone: string }> = [];
    for (let i = 0; i < 16; i++) crowd.push(await api.provider(z));
    const nLeads = Math.ceil(perLevel / crowd.length);
    record(
      'health',
      c,
      (
        await timed(
          c,
          Array.from({ length: perLevel }, () => () => call(fn.health, { method: 'GET', path: '/health' })),
        )
      ).latencies,
    );
    const codes: string[] = [];
    record(
      'createLead',
      c,
      (
        await timed(
          c,
          Array.from({ length: nLeads }, () => async () => {
            const r = ok(await api.lead(api.leadBody(z, { maxUnlocks: 16 })), 201, 'lead');
            codes.push(r.json.code);
          }),
        )
      ).latencies,
    );
    const pairs = codes.flatMap((code) => crowd.map((p) => ({ code, p })));
    const tokens: string[] = [];
    record(
      'inboundYes',
      c,
      (
        await timed(
          c,
          pairs.map(({ code, p }) => async () => {
            ok(await api.reply(p.phone, `YES ${code}`), 200, 'YES');
          }),
        )
      ).latencies,
    );
    const { rows: links } = await q.query<{ pay_token: string }>(
      `select o.pay_token from offers o join leads l on l.id = o.lead_id where l.code = any($1) and l.zip_code = $2`,
      [codes, z],
    );
    for (const l of links) tokens.push(l.pay_token);
    const sessionIds: string[] = [];
    record(
      'payLink',
      c,
      (
        await timed(
          c,
          tokens.map((t) => async () => {
            const r = ok(await api.payLink(t), 303, 'pay link');
            sessionIds.push(r.headers.location!);
          }),
        )
      ).latencies,
    );
    const byUrl = new Map([...stripe.sessions.values()].map((s) => [s.url, s.id]));
    const events = sessionIds.map((u) => stripe.completeSession(byUrl.get(u)!));
    record(
      'paidWebhook',
      c,
      (
        await timed(
          c,
          events.map((e) => async () => ok(await api.webhook(e), 200, 'webhook')),
        )
      ).latencies,
    );
  }

  // Throughput of create-lead at concurrency 16 vs plain inserts of the same rows (the lead, its
  // offers, its teaser SMS row) through the same pool. TextMagic's fake runs in a process of its
  // own here, as TextMagic does; rounds alternate the two so that noise from other work on the
  // machine falls on both, and the ratio is the median of the rounds'.
  const tmProcess = await startTextMagicProcess();
  // One connection per request in flight, for both sides: 16 concurrent requests are 16 Lambda
  // containers, each with its own pool and one query at a time, not 16 requests queueing for a
  // smaller pool (which would time the pool's queue rather than the work).
  const poolMax = String(THROUGHPUT_CONCURRENCY);
  process.env.DATABASE_POOL_MAX = poolMax;
  resetConfig();
  await closeDb();
  const db = await getDb();
  const zt = newZip();
  for (let i = 0; i < 3; i++) await api.provider(zt);
  const rounds = opts.quick ? 3 : 7;
  const perRound = opts.quick ? 48 : 96;
  const throughputRounds: Array<{
    createLead: number;
    createLeadPrepared: number;
    createLeadNoSend: number;
    plain: number;
  }> = [];
  let plainSeq = 0;
  const leadsVia = async (env: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
    const ids: string[] = [];
    const run = await timed(
      THROUGHPUT_CONCURRENCY,
      Array.from({ length: perRound }, () => async () => {
        ids.push(ok(await api.lead(api.leadBody(zt)), 201, 'lead').json.id as string);
      }),
    );
    return { ids, perSecond: run.perSecond };
  };
  const tmEnv = {
    TEXTMAGIC_USERNAME: tmProcess.username,
    TEXTMAGIC_API_KEY: tmProcess.apiKey,
    TEXTMAGIC_API_URL: tmProcess.url,
  };
  for (let round = 0; round < rounds; round++) {
    // DATABASE_PREPARED_STATEMENTS off (the default, what a transaction pooler needs) and on (a
    // direct connection, as here), alternating in the same rounds.
    const withSend = await leadsVia({ ...tmEnv, DATABASE_PREPARED_STATEMENTS: undefined });
    const withSendPrepared = await leadsVia({ DATABASE_PREPARED_STATEMENTS: 'on' });
    delete process.env.DATABASE_PREPARED_STATEMENTS;
    // Without TextMagic credentials the teaser is logged (at LOG_LEVEL silent: nothing) and
    // marked sent: the same statements, no HTTP request.
    const noSend = await leadsVia({ TEXTMAGIC_USERNAME: undefined, TEXTMAGIC_API_KEY: undefined });
    // The rows create-lead wrote, read back, then inserted again as they are (new ids, codes
    // inactive, tokens and dedupe keys made unique) by three plain INSERTs per lead.
    const [leadRows, offerRows, smsRows] = await Promise.all([
      db.select().from(leads).where(inArray(leads.id, withSend.ids)),
      db.select().from(offers).where(inArray(offers.leadId, withSend.ids)),
      db.select().from(smsMessages).where(inArray(smsMessages.leadId, withSend.ids)),
    ]);
    const plain = await timed(
      THROUGHPUT_CONCURRENCY,
      leadRows.map(({ id: _id, idempotencyKey: _key, ...lead }) => async () => {
        const copy = `plain-${++plainSeq}`;
        const [{ id }] = (await db
          .insert(leads)
          .values({ ...lead, codeActive: false })
          .returning({ id: leads.id })) as [{ id: string }];
        await db
          .insert(offers)
          .values(
            offerRows
              .filter((o) => o.leadId === _id)
              .map(({ id: _o, ...o }) => ({ ...o, leadId: id, payToken: `${o.payToken}${copy}` })),
          );
        await db
          .insert(smsMessages)
          .values(
            smsRows
              .filter((m) => m.leadId === _id)
              .map(({ id: _m, ...m }) => ({ ...m, leadId: id, dedupeKey: copy })),
          );
      }),
    );
    throughputRounds.push({
      createLead: withSend.perSecond,
      createLeadPrepared: withSendPrepared.perSecond,
      createLeadNoSend: noSend.perSecond,
      plain: plain.perSecond,
    });
  }
  Object.assign(process.env, fakeServicesEnv(stripe, textmagic), { DATABASE_POOL_MAX: '8' });
  resetConfig();
  await closeDb();
  const teasersSent = await tmProcess.requests();
  await tmProcess.stop();
  const ratios = throughputRounds.map((r) => r.createLead / r.plain);
  const ratiosNoSend = throughputRounds.map((r) => r.createLeadNoSend / r.plain);
  const throughput = {
    requests: rounds * perRound,
    concurrency: THROUGHPUT_CONCURRENCY,
    poolMax: Number(poolMax),
    rounds: throughputRounds,
    teasersSent,
    createLeadPerSecond: median(throughputRounds.map((r) => r.createLead)),
    createLeadNoSendPerSecond: median(throughputRounds.map((r) => r.createLeadNoSend)),
    createLeadPreparedPerSecond: median(throughputRounds.map((r) => r.createLeadPrepared)),
    preparedOverUnprepared: median(throughputRounds.map((r) => r.createLeadPrepared / r.createLead)),
    plainInsertPerSecond: median(throughputRounds.map((r) => r.plain)),
    ratio: median(ratios),
    ratioWithoutSend: median(ratiosNoSend),
    budget: 0.5,
  };

  // -------------------------------------------------------------------------------------------
  // 50 containers through a transaction pooler: the connections they hold against its own.
  const containerEnv = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  const containers = await measureContainers(server, 'bench', containerEnv, {
    containers: 50,
    requestsEach: opts.quick ? 4 : 10,
    zip: zt,
  });

  // -------------------------------------------------------------------------------------------
  // The Neon path: first query of a cold container (new pool, new WebSocket) vs a warm one.
  Object.assign(process.env, { DATABASE_DRIVER: 'neon', NEON_WS_PROXY: neonProxy.wsProxy });
  resetConfig();
  await closeDb();
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 10; i++) {
    await closeDb();
    let t0 = performance.now();
    ok(await call(fn.health, { method: 'GET', path: '/health' }), 200, 'neon health');
    cold.push(performance.now() - t0);
    t0 = performance.now();
    ok(await call(fn.health, { method: 'GET', path: '/health' }), 200, 'neon health');
    warm.push(performance.now() - t0);
  }
  const connectionsBefore = neonProxy.connections;
  const invocations = opts.quick ? 200 : 1000;
  const zn = newZip();
  const neonPeople = [await api.provider(zn), await api.provider(zn)];
  const neonLead = ok(await api.lead(api.leadBody(zn, { maxUnlocks: 2 })), 201, 'neon lead');
  const { rows: neonTokens } = await q.query<{ pay_token: string }>(
    `select pay_token from offers where lead_id = $1 order by provider_id`,
    [neonLead.json.id],
  );
  for (let i = 0; i < invocations; i++) {
    // A mix: health, replies and pay links, the way a warm container serves them.
    if (i % 3 === 0) ok(await call(fn.health, { method: 'GET', path: '/health' }), 200, 'neon health');
    else if (i % 3 === 1)
      ok(await api.reply(neonPeople[i % 2]!.phone, `YES ${neonLead.json.code}`), 200, 'YES');
    else ok(await api.payLink(neonTokens[i % 2]!.pay_token), 303, 'neon pay link');
  }
  const { rows: activity } = await q.query<{ n: string }>(
    `select count(*) as n from pg_stat_activity where datname = 'bench' and pid <> pg_backend_pid()`,
  );
  const neon = {
    coldFirstQueryMs: median(cold),
    warmQueryMs: median(warm),
    coldOverWarm: median(cold) / median(warm),
    invocations,
    websocketsOpened: neonProxy.connections - connectionsBefore,
    // Our bench client and the pg-driver pool (still open) are not Neon connections; the Neon pool
    // may hold up to DATABASE_POOL_MAX.
    backendsAfter: Number(activity[0]!.n),
    poolMax: 8,
  };
  await closeDb();
  Object.assign(process.env, { DATABASE_DRIVER: 'pg' });
  resetConfig();

  // -------------------------------------------------------------------------------------------
  // SMS cost: segments per teaser and pay-link SMS, messages and parts of the details, for
  // realistic leads.
  const realistic = [
    {
      name: 'Jane Client',
      category: 'plumbing',
      city: 'Austin',
      description: 'Leaking kitchen sink, need it fixed this week',
      budget: '$500',
    },
    {
      name: 'Zoë Müller-Łukasiewicz',
      category: 'moving',
      city: 'Zürich',
      description:
        'Déménagement d’un appartement de 3 pièces au 4e étage sans ascenseur, piano inclus. Disponible le week-end. '.repeat(
          3,
        ),
      budget: '€1 500',
    },
    {
      name: '王小明',
      category: 'tutoring',
      city: '旧金山',
      description: '需要一位数学家教，每周两次，高中代数和几何。',
      budget: null,
    },
    {
      name: 'José Ñúñez',
      category: 'hvac',
      city: 'San José',
      description:
        'AC unit stopped cooling 🥵 — compressor makes a clicking noise. Apartment on 2nd floor, access through the back. Landlord approved the repair up to $800; please bring replacement capacitors if possible. '
          .repeat(4)
          .slice(0, 2000),
      budget: 'up to $800',
    },
    {
      name: 'Sam O’Brien',
      category: 'roofing',
      city: null,
      description: 'Roof leak after the storm. '.repeat(60).slice(0, 2000),
      budget: null,
    },
  ];
  const sms = realistic.map((l, i) => {
    const lead = {
      ...l,
      code: String(4821 + i),
      zipCode: '78701',
      phone: '+15125550142',
      email: 'client@example.com',
      priceCents: 1500,
      currency: 'usd',
    };
    const teaser = smsLength(teaserSms(lead));
    const link = smsLength(payLinkSms(lead, 'https://leads.example.test/p/Ab3dEf6hIj9kLm2nOp5q'));
    // A long description makes several messages of at most 6 parts each (TextMagic's limit).
    const details = detailsSms(lead).map(smsLength);
    const detailsParts = details.reduce((sum, d) => sum + d.segments, 0);
    const encodings = [...new Set(details.map((d) => d.encoding))];
    return {
      lead: `${l.name} (${l.description.length} chars)`,
      teaser: teaser.segments,
      teaserEncoding: teaser.encoding,
      link: link.segments,
      detailsMessages: details.length,
      detailsParts,
      detailsMaxPartsPerMessage: Math.max(...details.map((d) => d.segments)),
      details: `${details.length} message${details.length === 1 ? '' : 's'}, ${detailsParts} parts`,
      detailsEncoding: encodings.join(' + '),
    };
  });

  await closeDb();
  await q.end();
  await admin.end();
  await Promise.all([stripe.close(), textmagic.close(), neonProxy.close()]);
  return { roundTrips, latency, throughput, containers, neon, sms };
}
