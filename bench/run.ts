/**
 * `npm run bench`: cold starts of the production bundles, database round trips, latency and
 * throughput, the Neon path and SMS cost. Writes bench/results.json and prints a markdown table.
 * Every figure that has a budget is a count or a ratio against a baseline measured in this run.
 *
 *   npm run bench                  everything (a few minutes on 2 cores)
 *   BENCH_QUICK=1 npm run bench    fewer samples
 *   BENCH_ONLY=cold|requests       one half
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { measureColdStarts, type ColdStart, type ColdStarts } from './cold-start';
import { measureRequests } from './requests';

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY;

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (pass: boolean | undefined) => (pass === undefined ? '' : pass ? 'pass' : '**FAIL**');

function coldTable(rows: ColdStart[]): string {
  const otherFlags = rows[0]?.other.nodeOptions || 'no NODE_OPTIONS';
  const lines = [
    `| function | bundle (map) | top packages | import + clients | empty node | ratio | budget | | budget at this machine's speed | | without drizzle (stub) | first request (side) | ${otherFlags} |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const top = Object.entries(r.packages)
      .filter(([name]) => name !== 'lib' && name !== 'functions')
      .slice(0, 4)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ');
    const built = r.clientsBuilt ? '' : ' (clients NOT built)';
    lines.push(
      `| ${r.fn} | ${kb(r.bytes)} (${kb(r.mapBytes)}) | ${top} | ${ms(r.init.ms)}${built} | ${ms(r.init.emptyMs)} | ` +
        `${r.init.ratio.toFixed(2)}× | ${r.budget ? `≤ ${r.budget}×` : ''} | ${verdict(r.pass)} | ` +
        `${r.budgetAtMachineSpeed ? `≤ ${r.budgetAtMachineSpeed.toFixed(2)}×` : ''} | ${verdict(r.passAtMachineSpeed)} | ` +
        `${r.withoutDrizzle ? `${r.withoutDrizzle.ratio.toFixed(2)}×` : ''} | ` +
        `${r.firstRequest.ratio.toFixed(2)}× (${r.firstRequest.status}) | ${r.other.ratio.toFixed(2)}× |`,
    );
  }
  return lines.join('\n');
}

function referenceTable(c: ColdStarts): string {
  const lines = [
    "| reference (minified alone, imported) | bundle | here | the issue's machine | factor |",
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of c.references) {
    const factor = (r.timing.ratio - 1) / (r.issueRatio - 1);
    lines.push(
      `| ${r.name} | ${kb(r.bytes)} | ${r.timing.ratio.toFixed(2)}× | ${r.issueRatio}× | ${factor.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

type Requests = Awaited<ReturnType<typeof measureRequests>>;

function requestTables(r: Requests): string {
  const out: string[] = [];
  out.push('| request | statements to Postgres | budget | |', '| --- | --- | --- | --- |');
  const rt = r.roundTrips;
  const row = (name: string, n: number, budget?: number) =>
    out.push(
      `| ${name} | ${n} | ${budget === undefined ? '' : `≤ ${budget}`} | ${verdict(budget === undefined ? undefined : n <= budget)} |`,
    );
  row('create-lead (3 providers matched, Idempotency-Key)', rt.createLead.statements, rt.createLead.budget);
  row('inbound YES', rt.inboundYes.statements, rt.inboundYes.budget);
  row('pay link (new Checkout Session)', rt.payLink.statements);
  row('paid webhook', rt.paidWebhook.statements, rt.paidWebhook.budget);
  row('paid webhook that fills the lead (1 other session to expire)', rt.paidWebhookFillingLead.statements);
  row('dispatcher, nothing due', rt.dispatcherEmpty.statements, rt.dispatcherEmpty.budget);
  row(
    `dispatcher, ${rt.dispatcherBatch.messages} SMS due`,
    rt.dispatcherBatch.statements,
    rt.dispatcherBatch.budget,
  );
  const tm = rt.textmagicRequests;
  out.push(
    '',
    `TextMagic requests: ${tm.teaserPerLead} per lead (${tm.matchedProviders} providers matched) ${verdict(tm.teaserPerLead === 1)}; ` +
      `${tm.detailsSms} per details SMS ${verdict(tm.detailsSms === 1)}; ${tm.dispatcherBatch} for a dispatcher batch of ${rt.dispatcherBatch.messages}.`,
  );

  out.push('', '| handler | c1 p50 | c1 p99 | c16 p50 | c16 p99 |', '| --- | --- | --- | --- | --- |');
  for (const [name, levels] of Object.entries(r.latency)) {
    out.push(
      `| ${name} | ${ms(levels.c1!.p50)} | ${ms(levels.c1!.p99)} | ${ms(levels.c16!.p50)} | ${ms(levels.c16!.p99)} |`,
    );
  }
  const t = r.throughput;
  out.push(
    '',
    `create-lead throughput at concurrency ${t.concurrency} (one pool of ${t.poolMax} for both sides): ${t.createLeadPerSecond.toFixed(0)}/s vs plain inserts ` +
      `${t.plainInsertPerSecond.toFixed(0)}/s = **${t.ratio.toFixed(2)}** (budget ≥ ${t.budget}) ${verdict(t.ratio >= t.budget)}; ` +
      `without the teaser's TextMagic request ${t.createLeadNoSendPerSecond.toFixed(0)}/s = ${t.ratioWithoutSend.toFixed(2)}`,
    '',
    `Prepared statements (DATABASE_PREPARED_STATEMENTS, direct connection, same rounds): create-lead ` +
      `${t.createLeadPreparedPerSecond.toFixed(0)}/s on vs ${t.createLeadPerSecond.toFixed(0)}/s off (the default) = ` +
      `**${t.preparedOverUnprepared.toFixed(2)}×** (median of the rounds' ratios)`,
  );
  const k = r.containers;
  out.push(
    '',
    'skipped' in k
      ? `Containers through a transaction pooler: skipped (${k.skipped})`
      : `${k.containers} simulated containers (worker threads, each its own pool at the default DATABASE_POOL_MAX ${k.poolMaxDefault}), ` +
          `${k.requestsEach} POST /leads each one at a time, through PgBouncer in transaction mode: ` +
          `${Object.entries(k.statuses)
            .map(([s, n]) => `${n}×${s}`)
            .join(
              ' + ',
            )}, ${k.leadsPerSecond.toFixed(0)} leads/s; at most **${k.maxClientConnections}** client ` +
          `connections on the pooler (≤ ${k.containers * k.poolMaxDefault}) ${verdict(k.maxClientConnections <= k.containers * k.poolMaxDefault)}, ` +
          `**${k.maxServerConnections}** server connections to Postgres (its pool: ${k.serverPool}) ${verdict(k.maxServerConnections <= k.serverPool)}`,
  );
  const n = r.neon;
  out.push(
    '',
    `Neon driver (local wsproxy): first query of a cold container ${ms(n.coldFirstQueryMs)}, warm ${ms(n.warmQueryMs)} ` +
      `(${n.coldOverWarm.toFixed(1)}×); ${n.invocations} warm invocations opened ${n.websocketsOpened} WebSocket(s), ` +
      `${n.backendsAfter} backends open afterwards (pool max ${n.poolMax}) ${verdict(n.websocketsOpened <= n.poolMax)}`,
  );
  out.push('', '| lead | teaser | pay-link SMS | details SMS |', '| --- | --- | --- | --- |');
  for (const s of r.sms) {
    out.push(
      `| ${s.lead} | ${s.teaser} (${s.teaserEncoding}) ${verdict(s.teaser === 1)} | ${s.link} | ${s.details} (${s.detailsEncoding}) |`,
    );
  }
  return out.join('\n');
}

const started = Date.now();
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  quick,
};
const sections: string[] = [];
if (only !== 'requests') {
  const measured = await measureColdStarts('.esbuild/bench', quick ? 10 : 21);
  const cold = measured.functions;
  results.coldStart = cold;
  results.coldStartReferences = measured.references;
  results.machineFactor = measured.machineFactor;
  sections.push(
    '### Cold start (production bundles as `serverless package` builds them, NODE_OPTIONS as deployed)\n\n' +
      'Ratio: a fresh `node` importing the bundle, which builds its clients (configuration, pool and ' +
      'drizzle without connecting, Stripe where used), over a fresh `node` importing an empty module; ' +
      `median of ${cold[0]?.pairs ?? 0} alternating pairs. Side columns: the same bundle with drizzle replaced ` +
      'by a no-op stub (measurement only: what the function would cost without drizzle and its tables), the ' +
      'same plus one request up to its first database query (its status: 503, the database faked as ' +
      'refusing), and the import ratio with the other source-map setting.\n\n' +
      coldTable(cold) +
      "\n\nThe issue's reference libraries, built and timed the same way in this run (factor: time above " +
      "an empty start here over the same on the machine that set the budgets). The last row's factor, " +
      `**${measured.machineFactor.toFixed(2)}**, carries each budget over to this machine in the column ` +
      '"budget at this machine\'s speed".\n\n' +
      referenceTable(measured),
  );
}
if (only !== 'cold') {
  const req = await measureRequests({ quick });
  results.requests = req;
  sections.push(`### Requests (in-process, embedded Postgres, fakes)\n\n${requestTables(req)}`);
}
results.seconds = (Date.now() - started) / 1000;
writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
console.log(sections.join('\n\n'));
console.log(`\n(${results.seconds} s; bench/results.json written)`);
