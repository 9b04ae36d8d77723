/** Throughput of create-lead against plain inserts of the same rows. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fakeServicesEnv } from '../emulators/fake-env';
import { timed, type BenchApp } from './bench-app';
import { median } from './cold-start';

const THROUGHPUT_CONCURRENCY = 16;

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

/** The figures, and the zip code whose providers the leads went to (the containers bench uses it). */
export async function measureThroughput(app: BenchApp, opts: { quick?: boolean }) {
  const { api, ok, newZip, resetConfig, closeDb, getDb, stripe, textmagic } = app;
  const { leads, offers, smsMessages } = await import('../lib/db/schema');
  const { inArray } = await import('drizzle-orm');
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
  return { throughput, zip: zt };
}
