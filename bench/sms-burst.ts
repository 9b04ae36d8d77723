/**
 * The SMS burst (issue 26): 2,000 leads in 60 seconds, five providers each, one YES and one
 * payment for every tenth lead, against the TextMagic stand-in enforcing 20 requests a second
 * (429 with Retry-After above it), with the dispatcher on its one-minute schedule (its first run
 * half-way through the burst) and started by the burst's requests (lib/messaging/dispatcher-kick.ts,
 * through the Lambda Invoke stand-in). Run directly on Postgres and again through PgBouncer in
 * transaction mode (4 server connections). Then a short burst (300 leads in 5 s) that starts just
 * after a scheduled run, so that the next is a minute away: with the kick, and without it (the
 * control).
 *
 * The figures: the 429s received; the send rate achieved while SMS were due, as a share of the
 * limit; each teaser's delay against the least any schedule at the limit could give it (a
 * simulation of a perfect sender: one request every 1/rate s, details before pay links before
 * teasers, oldest first); and the details SMS's delay after the payment's webhook.
 */
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { pgBouncerBinary, startPgBouncer } from '../scripts/pgbouncer';
import { runMigrations } from '../lib/db/migrate';
import { startFakeStripe } from '../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../emulators/fake-textmagic';
import { startFakeLambda, type FakeLambda } from '../emulators/fake-lambda';
import { percentile, startBenchApp, uncounted, type BenchApp } from './bench-app';
import { idealSendTimes, type Request } from './ideal-schedule';

const RATE = 20;
const PROVIDERS_PER_LEAD = 5;
/** A provider reads the teaser (or the pay link) this long before they answer. */
const THINK_MS = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The dispatcher's name the kick invokes (the Lambda stand-in runs the bench's own handler). */
const DISPATCHER = 'lead-unlock-bench-smsDispatcher';

type Scenario = {
  via: 'pg' | 'pgbouncer';
  leads: number;
  seconds: number;
  /** When the scheduled dispatcher first runs, from the burst's start (then every minute). */
  firstRunMs: number;
  /** Whether the burst's requests start the dispatcher (SMS_DISPATCHER_FUNCTION set). */
  kick: boolean;
};

export type BurstFigures = {
  via: 'pg' | 'pgbouncer';
  leads: number;
  seconds: number;
  firstRunMs: number;
  kick: boolean;
  /** Dispatcher runs the burst's requests started. */
  kicks: number;
  requests: number;
  rateLimited: number;
  rateLimitedShare: number;
  /** Sends a second while SMS were due, as a share of RATE. */
  rateShare: number;
  teaserDelayP50Ms: number;
  teaserDelayP95Ms: number;
  idealTeaserDelayP95Ms: number;
  /** p95 of the teasers' delays over p95 of the perfect sender's. */
  teaserDelayRatio: number;
  detailsDelayP50Ms: number;
  detailsDelayP95Ms: number;
  payments: number;
  /** Teasers the bench could not tie to their lead (by the code in their text). */
  unmatchedTeasers: number;
  drainedAfterMs: number;
};

export type BurstResults =
  { rate: number; providersPerLead: number; runs: BurstFigures[] } | { skipped: string };

export async function measureSmsBurst(opts: { quick?: boolean } = {}): Promise<BurstResults> {
  const leads = opts.quick ? 500 : 2_000;
  const seconds = opts.quick ? 15 : 60;
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve('.local', `bench-burst-pg-${process.pid}`),
    persistent: false,
  });
  const admin = new pg.Client({ connectionString: server.url() });
  uncounted.add(admin);
  admin.on('error', () => {});
  const stripe = await startFakeStripe();
  const textmagic = await startFakeTextMagic();
  const lambda = await startFakeLambda();
  const scenarios: Scenario[] = [
    { via: 'pg', leads, seconds, firstRunMs: (seconds * 1000) / 2, kick: true },
    ...(pgBouncerBinary()
      ? [{ via: 'pgbouncer' as const, leads, seconds, firstRunMs: (seconds * 1000) / 2, kick: true }]
      : []),
    { via: 'pg', leads: 300, seconds: 5, firstRunMs: 60_000, kick: true },
    { via: 'pg', leads: 300, seconds: 5, firstRunMs: 60_000, kick: false },
  ];
  try {
    await admin.connect();
    const runs: BurstFigures[] = [];
    for (const [n, scenario] of scenarios.entries()) {
      const { via } = scenario;
      const db = `burst_${n}_${via}`;
      await admin.query(`create database ${db}`);
      const url = server.url(db);
      await runMigrations(url);
      const bouncer =
        via === 'pgbouncer'
          ? await startPgBouncer({
              serverUrl: url,
              dir: path.resolve('.local', `bench-burst-pgbouncer-${process.pid}`),
              poolSize: 4,
            })
          : undefined;
      const q = new pg.Client({ connectionString: url });
      uncounted.add(q);
      q.on('error', () => {});
      await q.connect();
      try {
        const app = await startBenchApp(bouncer ? bouncer.via(url) : url, stripe, textmagic, q);
        lambda.define(DISPATCHER, (event) => app.fn.dispatcher(event));
        const kickEnv = { ...lambda.env(), SMS_DISPATCHER_FUNCTION: DISPATCHER };
        for (const [k, v] of Object.entries(kickEnv)) {
          if (scenario.kick) process.env[k] = v;
          else delete process.env[k];
        }
        runs.push(await burst(app, lambda, scenario));
        await app.closeDb();
      } finally {
        await q.end();
        await bouncer?.stop();
      }
    }
    return { rate: RATE, providersPerLead: PROVIDERS_PER_LEAD, runs };
  } finally {
    await admin.end().catch(() => {});
    await Promise.all([stripe.close(), textmagic.close(), lambda.close()]);
    await server.stop();
  }
}

type Lead = { index: number; arrivedAt: number; code?: string };

async function burst(app: BenchApp, lambda: FakeLambda, opts: Scenario): Promise<BurstFigures> {
  const { via } = opts;
  const { api, fn, q, textmagic, stripe, resetConfig, closeDb } = app;
  // Set-up at full speed: the providers (each gets an opt-in confirmation), no limit yet.
  process.env.SMS_RATE_PER_SECOND = '100000';
  textmagic.limitRate(undefined);
  resetConfig();
  await closeDb();
  const zips = Array.from({ length: Math.ceil(opts.leads / 20) }, () => app.newZip());
  for (const zip of zips) for (let i = 0; i < PROVIDERS_PER_LEAD; i++) await api.provider(zip);
  await fn.dispatcher();
  // The burst: the deployment's rate, and TextMagic's.
  process.env.SMS_RATE_PER_SECOND = String(RATE);
  resetConfig();
  await closeDb();
  await q.query(`update sms_rate set next_at = now(), paused_until = now(), dispatcher_until = now()`);
  textmagic.reset();
  textmagic.limitRate(RATE);
  lambda.invocations.length = 0;
  lambda.runs.length = 0;

  const started = performance.now();
  const now = () => performance.now() - started;
  const leads: Lead[] = [];
  const byCode = new Map<string, Lead>();
  const requests: Request[] = [];
  const details: number[] = [];
  const failures: unknown[] = [];
  let open = 0;
  const track = (work: Promise<unknown>) => {
    open++;
    void work.catch((err: unknown) => failures.push(err)).finally(() => open--);
  };
  const teased = new Set<number>();
  const payers = new Set<string>();
  let yes = 0;
  let payments = 0;

  // The dispatcher on its schedule: every minute from `firstRunMs` (half-way through the burst is
  // the mean of where a burst starts in the minute), each run up to a minute.
  const runs: Array<Promise<unknown>> = [];
  const tick = () => runs.push(fn.dispatcher().catch((err: unknown) => failures.push(err)));
  let schedule: NodeJS.Timeout | undefined;
  const firstTick = setTimeout(() => {
    tick();
    schedule = setInterval(tick, 60_000);
  }, opts.firstRunMs);

  // Providers answer what reaches them: every tenth lead's first provider replies YES to the
  // teaser, and pays from the link. A teaser seen before its lead's answer gave the code waits.
  const unmatched: Array<FakeTextMagic['sent'][number]> = [];
  const onSms = (sms: FakeTextMagic['sent'][number]): boolean => {
    const link = /\/p\/([A-Za-z0-9_-]+)/.exec(sms.text);
    if (link) {
      track(pay(link[1]!, sms.phones[0]!));
      return true;
    }
    const code = /YES (\d{4})/.exec(sms.text)?.[1];
    if (!code) return true;
    const lead = byCode.get(code);
    if (!lead) return false;
    if (teased.has(lead.index)) return true;
    teased.add(lead.index);
    // A provider who has paid before has a saved card, charged without a link: each paying lead
    // gets a provider of its own.
    const payer = sms.phones.map((p) => `+${p}`).find((p) => !payers.has(p));
    if (lead.index % 10 === 0 && payer) {
      payers.add(payer);
      yes++;
      track(
        sleep(THINK_MS).then(async () => {
          requests.push({ arrivedAt: now(), priority: 1 });
          await api.reply(payer, `YES ${code}`);
        }),
      );
    }
    return true;
  };
  const pay = async (token: string, phone: string) => {
    await sleep(THINK_MS);
    const opened = await api.payLink(token);
    const session = [...stripe.sessions.values()].find((s) => s.url === opened.headers.location);
    if (!session) throw new Error(`pay link: ${opened.status}`);
    const paidAt = now();
    requests.push({ arrivedAt: paidAt, priority: 0 });
    const got = waitFor(textmagic, (m) => m.phones.includes(phone) && !m.text.includes('/p/'), started);
    await api.webhook(stripe.completeSession(session.id));
    details.push((await got) - paidAt);
    payments++;
  };
  let seen = textmagic.sent.length;
  const watcher = setInterval(() => {
    unmatched.splice(0, unmatched.length, ...unmatched.filter((m) => !onSms(m)));
    while (seen < textmagic.sent.length) {
      const sms = textmagic.sent[seen++]!;
      if (!onSms(sms)) unmatched.push(sms);
    }
  }, 20);

  // 2,000 leads spread evenly over the 60 s.
  const gap = (opts.seconds * 1000) / opts.leads;
  for (let i = 0; i < opts.leads; i++) {
    const wait = i * gap - now();
    if (wait > 0) await sleep(wait);
    const lead: Lead = { index: i, arrivedAt: now() };
    leads.push(lead);
    requests.push({ arrivedAt: lead.arrivedAt, priority: 2 });
    track(
      // Twenty leads in a row to each zip: its five providers are teased by all of them, and its
      // two paying leads (every tenth) each have a provider who has not paid before.
      api.lead(api.leadBody(zips[Math.floor(i / 20) % zips.length]!)).then((r) => {
        if (r.status !== 201) throw new Error(`lead: ${r.status} ${r.text}`);
        lead.code = (r.json as { code: string }).code;
        byCode.set(lead.code, lead);
      }),
    );
  }
  // Done when every lead was teased, every YES paid and its details sent, and nothing is queued.
  // Done when nothing is queued or in progress and TextMagic has taken nothing for 5 s (a teaser
  // whose code the bench could not match is counted, not waited for).
  let reported = 0;
  let lastSent = textmagic.sent.length;
  let quietSince = now();
  for (;;) {
    if (textmagic.sent.length !== lastSent) [lastSent, quietSince] = [textmagic.sent.length, now()];
    const busy = open > 0 || payments < yes || (await queued(q)) > 0;
    if (!busy && now() - quietSince > 5_000) break;
    if (failures.length) throw failures[0];
    if (now() - reported > 10_000) {
      reported = now();
      const state = {
        teased: teased.size,
        yes,
        payments,
        open,
        queued: await queued(q),
        unmatched: unmatched.length,
      };
      console.log(`burst (${via}) at ${Math.round(now() / 1000)} s: ${JSON.stringify(state)}`);
    }
    if (now() > 15 * 60_000) throw new Error('the burst did not drain in 15 minutes');
    await sleep(250);
  }
  const drainedAfterMs = quietSince;
  clearTimeout(firstTick);
  clearInterval(schedule);
  clearInterval(watcher);
  await Promise.all(runs);
  await Promise.all(lambda.runs);

  // Teasers: when each reached TextMagic, against the perfect sender.
  const teaserAt = new Map<number, number>();
  for (const sms of textmagic.sent) {
    const yes = /YES (\d{4})/.exec(sms.text);
    const lead = yes && !sms.text.includes('/p/') ? byCode.get(yes[1]!) : undefined;
    if (lead && !teaserAt.has(lead.index))
      teaserAt.set(lead.index, sms.receivedAt.getTime() - wallStart(started));
  }
  const delays = leads
    .map((l) => (teaserAt.get(l.index) ?? NaN) - l.arrivedAt)
    .filter((d) => !Number.isNaN(d));
  const ideal = idealSendTimes(requests, RATE);
  const idealDelays = requests.flatMap((r, i) => (r.priority === 2 ? [ideal[i]! - r.arrivedAt] : []));
  const sendTimes = textmagic.sent.map((m) => m.receivedAt.getTime() - wallStart(started));
  const total = textmagic.requests;
  return {
    via,
    leads: opts.leads,
    seconds: opts.seconds,
    firstRunMs: opts.firstRunMs,
    kick: opts.kick,
    kicks: lambda.invocations.length,
    requests: total,
    rateLimited: textmagic.rateLimited,
    rateLimitedShare: textmagic.rateLimited / total,
    rateShare: busyRate(sendTimes, requests, ideal) / RATE,
    teaserDelayP50Ms: percentile(delays, 50),
    teaserDelayP95Ms: percentile(delays, 95),
    idealTeaserDelayP95Ms: percentile(idealDelays, 95),
    teaserDelayRatio: percentile(delays, 95) / Math.max(1, percentile(idealDelays, 95)),
    detailsDelayP50Ms: percentile(details, 50),
    detailsDelayP95Ms: percentile(details, 95),
    payments,
    unmatchedTeasers: opts.leads - teased.size,
    drainedAfterMs,
  };
}

/** `performance.now()`'s origin on the wall clock, so that TextMagic's `receivedAt` compares. */
const wallStart = (startedPerf: number) => performance.timeOrigin + startedPerf;

const queued = async (q: pg.Client) =>
  Number(
    (await q.query<{ n: string }>(`select count(*) as n from sms_messages where status = 'queued'`)).rows[0]!
      .n,
  );

/**
 * The send rate while the perfect sender would have been busy: sends between the first and the
 * last moment it had work, over that time.
 */
function busyRate(sendTimes: number[], requests: Request[], ideal: number[]): number {
  const from = Math.min(...requests.map((r) => r.arrivedAt));
  const to = Math.max(...ideal);
  const sends = sendTimes.filter((t) => t >= from && t <= to).length;
  return sends / ((to - from) / 1000);
}

/** When (ms from the start) TextMagic takes the first SMS from now on that `match`es. */
async function waitFor(
  tm: FakeTextMagic,
  match: (sms: FakeTextMagic['sent'][number]) => boolean,
  started: number,
) {
  const from = tm.sent.length;
  for (;;) {
    const hit = tm.sent.slice(from).find(match);
    if (hit) return hit.receivedAt.getTime() - wallStart(started);
    await sleep(20);
  }
}
