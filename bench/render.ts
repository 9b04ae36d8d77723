/**
 * docs/performance.md from bench/results.json: pure functions, results in, markdown out. Used by
 * `npm run bench` after measuring and by `npm run docs:figures` to re-render without measuring.
 * A results file may hold one half only (BENCH_ONLY); the page then says which half is missing.
 */
import { burstSection } from './render-burst';
import type { BurstResults } from './sms-burst';
import type { ColdStart, Reference } from './cold-start';
import type { SecretsReader } from './secrets-read';
import type { measureRequests } from './requests';
import type { measureStats } from './stats';
import { machine, table, when } from '../scripts/markdown';

export type BenchRequests = Awaited<ReturnType<typeof measureRequests>>;
export type BenchStats = Awaited<ReturnType<typeof measureStats>>;

/** The shape of bench/results.json. */
export type BenchResults = {
  date: string;
  node: string;
  cpus: number;
  cpuModel?: string;
  quick: boolean;
  seconds?: number;
  coldStart?: ColdStart[];
  coldStartReferences?: Reference[];
  machineFactor?: number;
  secretReaders?: SecretsReader[];
  requests?: BenchRequests;
  stats?: BenchStats;
  burst?: BurstResults;
};

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const times = (n: number) => `${n.toFixed(2)}×`;
const verdict = (pass: boolean | undefined) => (pass === undefined ? '' : pass ? 'pass' : '**FAIL**');

export function runLine(r: BenchResults): string {
  const samples = r.quick ? 'quick run (`BENCH_QUICK=1`, fewer samples)' : 'full samples';
  const parts = [
    r.coldStart ? 'cold start' : '',
    r.requests ? 'requests' : '',
    r.stats ? 'admin reports' : '',
    r.burst ? 'SMS burst' : '',
  ].filter(Boolean);
  const missing = [
    r.coldStart ? '' : 'cold start',
    r.requests ? '' : 'requests',
    r.stats ? '' : 'admin reports',
    r.burst ? '' : 'SMS burst',
  ].filter(Boolean);
  return (
    `Last run: ${when(r.date)}, Node ${r.node}, ${machine(r.cpus, r.cpuModel)}, ${samples}` +
    `${r.seconds === undefined ? '' : `, ${Math.round(r.seconds)} s`}; measured: ${parts.join(', ') || 'nothing'}` +
    `${missing.length ? `; not in this run: ${missing.join(', ')} (see \`BENCH_ONLY\`)` : ''}.`
  );
}

const INTRO = `# Performance

<!-- Written by \`npm run bench\` (bench/render.ts) from bench/results.json. Edit bench/render.ts, not this file. -->

What \`npm run bench\` measures, and the figures of its last run. Every figure that has a budget is
a count, or a ratio against a baseline measured in the same run on the same machine, so that runs
on different machines compare by their ratios rather than their milliseconds. The guarantees
(nothing lost, nothing twice, never oversold) and their figures are in [guarantees.md](guarantees.md);
the design behind both in [how-it-works.md](how-it-works.md).`;

const METHOD = `## How it is measured

- **Cold start.** Every function's bundle as \`serverless package\` zips it (one database driver;
  packaged and unpacked under \`.esbuild/bench\`). Each sample is a
  fresh \`node\` process with a clean environment (only \`PATH\`, the probe's configuration and the
  deployed \`NODE_OPTIONS\`) importing the bundle, which builds its clients as Lambda's init phase
  does: configuration parsed, pool and drizzle created without connecting, the Stripe client where
  the function uses Stripe. Ratio = that process over a fresh \`node\` importing an empty module,
  median of the per-pair ratios over alternating pairs, on the Node that runs the bench and, in the
  column "Node 22 (Lambda)", on Node 22 from the npm registry against its own empty node, as
  Lambda's \`nodejs22.x\` runs it. Side columns: the same bundle with middy replaced by a bare
  handler builder and with drizzle replaced by a no-op stub (measurement only: what each costs,
  in the same rounds), the same import
  plus one request up to its first database query (the database refuses, so it answers 503), the
  import with the other \`--enable-source-maps\` setting, and the import as deployed, its secrets
  read at init from the SSM stand-in (in a process of its own) instead of the environment.
- **Reference libraries and this machine's speed.** The budgets are ratios set on a reference
  machine, which also measured a few libraries alone (Stripe, Neon, drizzle, libphonenumber-js,
  everything in one bundle). The bench builds and times the same libraries the same way in the
  same run; the last one's factor, (ratio here − 1) / (ratio there − 1), carries each budget over
  to this machine in the column "budget at this machine's speed". The reference machine's budget
  stays the verdict.
- **Round trips.** Statements sent to Postgres (BEGIN and COMMIT included), counted on the driver
  inside the bench process; TextMagic requests counted at the fake.
- **Latency, throughput, the Neon path.** Handlers invoked in-process against a freshly created
  and migrated embedded Postgres and the Stripe and TextMagic fakes (TextMagic's in its own
  process for throughput); the Neon driver through the local WebSocket proxy. Throughput compares
  create-lead with plain INSERTs of the same rows (lead, offers, teaser) through the same pool, in
  alternating rounds; prepared statements on and off run in the same rounds.
- **Containers behind a pooler.** Worker threads, each with its own pool at the default
  \`DATABASE_POOL_MAX\`, post leads through a real PgBouncer in transaction mode while the client
  connections on the pooler and its server connections to Postgres are sampled.
- **Admin reports at 100,000 leads.** A database of its own, filled in SQL (generate_series, a
  deterministic hash per row) with a year of leads and their offers, replies, links, checkouts,
  unlocks, refunds and SMS; \`GET /stats\` and \`GET /leads\` invoked in-process, interleaved in
  each round with the baseline \`select count(*) from leads\` (a full pass over the table the
  reports read). Budget: \`GET /stats\` median under 200 ms.
- **SMS cost.** Segments of the teaser and pay-link SMS, and the details as messages and parts,
  for realistic leads.

\`npm run bench\` takes about 2 minutes on 2 CPUs (\`BENCH_QUICK=1\` for fewer samples,
\`BENCH_ONLY=cold\`, \`requests\` or \`stats\` for one section); it writes \`bench/results.json\` and this
page. \`npm run docs:figures\` re-renders this page from \`bench/results.json\` without measuring.
Cold-start ratios move by about ±0.15× from run to run on a shared 2-CPU machine.`;

const READING = `### Where the time goes

Most of a cold start is the libraries themselves: Neon's driver with its pool is about what
\`health\` costs; drizzle builds its table objects at import; Stripe's constructor builds all of its
API resources, with no way to build fewer. The columns "without middy (stub)" and "middy costs" show
what the handler pipeline (@middy/core and its http middlewares, against a bare handler builder in
the same rounds) adds to each function. The column "without drizzle (stub)" shows what replacing
drizzle with plain SQL would save, to weigh against rewriting every query. What the code controls is described in [how-it-works.md](how-it-works.md#cold-starts).`;

const SECRETS = `Each deployed function reads its own secrets (serverless.yml \`secrets:\`) from SSM Parameter
Store in its init phase, in one \`GetParameters\` call, and keeps them for the container's life
(lib/secrets.ts). The columns "secrets read from SSM" and "the read costs" above time each function
that way against the same import with the secrets in the environment, pair by pair; on Lambda the
round trip to SSM itself (a few ms within a region, more with KMS decryption) comes on top, once
per container. Both well-kept readers sit on the AWS SDK v3 SSM client, about 630 KiB minified:
bundled, it costs each cold start more than the rest of a function (the table above); left
external, Lambda's own copy loads from many unminified files, slower still
(https://github.com/aws/aws-cdk/issues/25492). Powertools would otherwise fit best (init-time
reads, a missing name reported without failing the others); @middy/ssm reads in a request's
\`before\` and JSON-parses values that look like JSON. So lib/secrets.ts signs the one call itself with
aws4 (Signature Version 4 over node:crypto) and sends it over node:https, as the TextMagic client
does (global \`fetch\` would load undici, tens of ms more).

**The AWS Parameters and Secrets Lambda Extension** would take the read out of the function: a
layer whose process starts beside it and answers \`GET localhost:2773/systemsmanager/parameters/get?name=…&withDecryption=true\`
(header \`X-Aws-Parameters-Secrets-Token\` = the session token) from a cache it refreshes itself
(\`SSM_PARAMETER_STORE_TTL\`, default 300 s). What it would change: no signing code or SDK in the
bundle; a rotated value reaching warm containers within the TTL, where now a container keeps what it
read until it is replaced; fewer calls to SSM when many containers start at once (the standard
throughput is shared by the account and throttles bursts). What it costs: a layer pinned per region
and architecture (its ARN in serverless.yml, upgraded by hand), its own process started in every
init (an extension's init time counts in the function's), memory of its own, one HTTP request per
parameter (no batch), and a local endpoint that must be waited for until it answers. For eight
parameters read once per container the direct call is simpler and cheaper; the extension earns its
place if secrets must rotate without a redeploy.`;

/** `+0.05` / `-0.02`: a difference of ratios. */
const signed = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}`;
/** `+3.1 ms` / `−0.4 ms`: a difference of medians. */
const signedMs = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)} ms`;

export function coldTable(rows: ColdStart[]): string {
  const otherFlags = rows[0]?.other.nodeOptions || 'no NODE_OPTIONS';
  const header = [
    'function',
    'bundle',
    'top packages',
    'import + clients',
    'empty node',
    'ratio',
    'Node 22 (Lambda)',
    'budget',
    '',
    "budget at this machine's speed",
    '',
    'without middy (stub)',
    'middy costs',
    'without drizzle (stub)',
    'first request (side)',
    otherFlags,
    'secrets read from SSM (stand-in)',
    'the read costs',
  ];
  return table(
    header,
    rows.map((r) => {
      const top = Object.entries(r.packages)
        .filter(([name]) => name !== 'lib' && name !== 'functions')
        .slice(0, 4)
        .map(([name, bytes]) => `${name} ${kb(bytes)}`)
        .join(', ');
      return [
        r.fn,
        `${kb(r.bytes)}${r.mapBytes ? ` (map ${kb(r.mapBytes)})` : ''}`,
        top,
        `${ms(r.init.ms)}${r.clientsBuilt ? '' : ' (clients NOT built)'}`,
        ms(r.init.emptyMs),
        times(r.init.ratio),
        r.node22 ? times(r.node22.ratio) : '',
        r.budget ? `≤ ${r.budget}×` : '',
        verdict(r.pass),
        r.budgetAtMachineSpeed ? `≤ ${times(r.budgetAtMachineSpeed)}` : '',
        verdict(r.passAtMachineSpeed),
        r.withoutMiddy ? times(r.withoutMiddy.ratio) : '',
        r.withoutMiddy ? `${signed(r.init.ratio - r.withoutMiddy.ratio)}×` : '',
        r.withoutDrizzle ? times(r.withoutDrizzle.ratio) : '',
        `${times(r.firstRequest.ratio)} (${r.firstRequest.status})`,
        times(r.other.ratio),
        r.withSsmRead ? `${times(r.withSsmRead.ratio)}${r.withSsmRead.read ? '' : ' (NOT read)'}` : '',
        r.withSsmRead
          ? `${signed(r.withSsmRead.ratio - r.init.ratio)}× (${signedMs(r.withSsmRead.ms - r.init.ms)})`
          : '',
      ];
    }),
  );
}

export function referenceTable(refs: Reference[]): string {
  return table(
    ['reference library (minified alone, imported)', 'bundle', 'here', 'reference machine', 'factor'],
    refs.map((r) => [
      r.name,
      kb(r.bytes),
      times(r.timing.ratio),
      Number.isFinite(r.issueRatio) ? `${r.issueRatio}×` : '',
      Number.isFinite(r.issueRatio) ? ((r.timing.ratio - 1) / (r.issueRatio - 1)).toFixed(2) : '',
    ]),
  );
}

export function coldSection(r: BenchResults): string {
  if (!r.coldStart) return '## Cold start\n\nNot measured in this run.';
  const pairs = r.coldStart[0]?.pairs ?? 0;
  const out = [
    '## Cold start',
    `Production bundles as \`serverless package\` builds them, \`NODE_OPTIONS\` as deployed; median of ${pairs} alternating pairs.`,
    coldTable(r.coldStart),
  ];
  if (r.coldStartReferences?.length) {
    out.push(
      '### Reference libraries',
      `Built and timed the same way in this run. Factor: time above an empty start here over the same on the reference machine; the last row's, **${r.machineFactor?.toFixed(2) ?? '?'}**, gives the column "budget at this machine's speed" above.`,
      referenceTable(r.coldStartReferences),
    );
  }
  if (r.secretReaders?.length) {
    out.push(
      '### Reading secrets',
      "The eight SecureStrings read at init from the SSM stand-in (a process of its own, over loopback), each way built alone with the functions' esbuild options; same rounds, same empty node.",
      table(
        ['reader', 'bundle', 'import + read', 'empty node', 'ratio'],
        r.secretReaders.map((x) => [
          x.name,
          kb(x.bytes),
          ms(x.timing.ms),
          ms(x.timing.emptyMs),
          times(x.timing.ratio),
        ]),
      ),
      SECRETS,
    );
  }
  out.push(READING);
  return out.join('\n\n');
}

export function roundTripTable(rt: BenchRequests['roundTrips']): string {
  const row = (name: string, n: number, budget?: number) => [
    name,
    String(n),
    budget === undefined ? '' : `≤ ${budget}`,
    verdict(budget === undefined ? undefined : n <= budget),
  ];
  const tm = rt.textmagicRequests;
  return (
    table(
      ['request', 'statements to Postgres', 'budget', ''],
      [
        row(
          'create-lead (3 providers matched, Idempotency-Key)',
          rt.createLead.statements,
          rt.createLead.budget,
        ),
        row('inbound YES (pay link)', rt.inboundYes.statements, rt.inboundYes.budget),
        row('pay link (new Checkout Session)', rt.payLink.statements),
        row(
          "paid webhook, a provider's first Checkout (saves the card)",
          rt.paidWebhookSavingCard.statements,
          rt.paidWebhookSavingCard.budget,
        ),
        row(
          'inbound YES charging the saved card',
          rt.inboundYesChargingCard.statements,
          rt.inboundYesChargingCard.budget,
        ),
        row('paid webhook (the saved card charged)', rt.paidWebhook.statements, rt.paidWebhook.budget),
        row(
          'paid webhook that fills the lead (1 other session to expire)',
          rt.paidWebhookFillingLead.statements,
        ),
        row('dispatcher, nothing due', rt.dispatcherEmpty.statements, rt.dispatcherEmpty.budget),
        row(
          `dispatcher, ${rt.dispatcherBatch.messages} SMS due`,
          rt.dispatcherBatch.statements,
          rt.dispatcherBatch.budget,
        ),
      ],
    ) +
    `\n\nTextMagic requests: ${tm.teaserPerLead} per lead (${tm.matchedProviders} providers matched) ${verdict(tm.teaserPerLead === 1)}; ` +
    `${tm.detailsSms} per details SMS ${verdict(tm.detailsSms === 1)}; ${tm.dispatcherBatch} for a dispatcher batch of ${rt.dispatcherBatch.messages}.`
  );
}

export function latencyTable(latency: BenchRequests['latency']): string {
  return table(
    ['handler', 'c1 p50', 'c1 p99', 'c16 p50', 'c16 p99'],
    Object.entries(latency).map(([name, l]) => [
      name,
      l.c1 ? ms(l.c1.p50) : '',
      l.c1 ? ms(l.c1.p99) : '',
      l.c16 ? ms(l.c16.p50) : '',
      l.c16 ? ms(l.c16.p99) : '',
    ]),
  );
}

export function throughputText(t: BenchRequests['throughput']): string {
  return (
    `create-lead at concurrency ${t.concurrency} (one pool of ${t.poolMax} for both sides): ` +
    `${t.createLeadPerSecond.toFixed(0)}/s vs plain inserts ${t.plainInsertPerSecond.toFixed(0)}/s = ` +
    `**${t.ratio.toFixed(2)}** (budget ≥ ${t.budget}) ${verdict(t.ratio >= t.budget)}; without the teaser's ` +
    `TextMagic request (an HTTP round trip to a fake sharing the CPUs) ${t.createLeadNoSendPerSecond.toFixed(0)}/s = ` +
    `${t.ratioWithoutSend.toFixed(2)}.\n\n` +
    `Prepared statements (\`DATABASE_PREPARED_STATEMENTS=on\`, direct connection, same rounds): create-lead ` +
    `${t.createLeadPreparedPerSecond.toFixed(0)}/s on vs ${t.createLeadPerSecond.toFixed(0)}/s off (the default) = ` +
    `**${times(t.preparedOverUnprepared)}** (median of the rounds' ratios).`
  );
}

export function containersText(k: BenchRequests['containers']): string {
  if ('skipped' in k) return `Not measured: ${k.skipped}.`;
  const statuses = Object.entries(k.statuses)
    .map(([s, n]) => `${n}×${s}`)
    .join(' + ');
  const clientCap = k.containers * k.poolMaxDefault;
  return (
    `${k.containers} simulated containers (worker threads, each its own pool at the default ` +
    `\`DATABASE_POOL_MAX\` ${k.poolMaxDefault}), ${k.requestsEach} \`POST /leads\` each one at a time, through ` +
    `PgBouncer in transaction mode: ${statuses}, ${k.leadsPerSecond.toFixed(0)} leads/s; at most ` +
    `**${k.maxClientConnections}** client connections on the pooler (≤ ${clientCap}) ` +
    `${verdict(k.maxClientConnections <= clientCap)}, **${k.maxServerConnections}** server connections to ` +
    `Postgres (its pool: ${k.serverPool}) ${verdict(k.maxServerConnections <= k.serverPool)}.`
  );
}

export function neonText(n: BenchRequests['neon']): string {
  return (
    `First query of a cold container ${ms(n.coldFirstQueryMs)}, warm ${ms(n.warmQueryMs)} ` +
    `(${n.coldOverWarm.toFixed(1)}×); ${n.invocations} warm invocations opened ${n.websocketsOpened} ` +
    `WebSocket(s), ${n.backendsAfter} backends open afterwards (pool max ${n.poolMax}) ` +
    `${verdict(n.websocketsOpened <= n.poolMax)}.`
  );
}

export function smsTable(sms: BenchRequests['sms']): string {
  return table(
    ['lead', 'teaser', 'pay-link SMS', 'details SMS'],
    sms.map((s) => [
      s.lead,
      `${s.teaser} (${s.teaserEncoding}) ${verdict(s.teaser === 1)}`,
      String(s.link),
      `${s.details} (${s.detailsEncoding})`,
    ]),
  );
}

export function requestsSection(r: BenchResults): string {
  const req = r.requests;
  if (!req) return '## Requests\n\nNot measured in this run.';
  return [
    '## Database round trips',
    roundTripTable(req.roundTrips),
    '## Latency',
    'In-process, embedded Postgres, the fakes; c1 one request at a time, c16 sixteen at once.',
    latencyTable(req.latency),
    '## Throughput',
    throughputText(req.throughput),
    '## Containers behind a transaction pooler',
    containersText(req.containers),
    '## Neon driver (local WebSocket proxy)',
    neonText(req.neon),
    '## SMS cost',
    'Teasers must fit one segment; details go as messages of at most 6 parts (TextMagic refuses longer).',
    smsTable(req.sms),
  ].join('\n\n');
}

export function statsSection(r: BenchResults): string {
  const s = r.stats;
  if (!s) return '## Admin reports at 100,000 leads\n\nNot measured in this run.';
  const d = s.dataset;
  return [
    '## Admin reports at 100,000 leads',
    `Generated: ${d.leads} leads, ${d.offers} offers, ${d.unlocks} unlocks, ${d.sms} SMS ` +
      `(${s.generateSeconds.toFixed(0)} s); ${s.rounds} rounds. Baseline \`${s.baseline.name}\`: ` +
      `median ${ms(s.baseline.p50)}, p95 ${ms(s.baseline.p95)}; \`select 1\`: median ${ms(s.select1.p50)}.`,
    table(
      ['request', 'median', 'p95', 'ratio to baseline', `budget (median ≤ ${s.budgetMs} ms)`],
      s.routes.map((x) => [x.name, ms(x.p50), ms(x.p95), times(x.ratio), verdict(x.pass)]),
    ),
  ].join('\n\n');
}

/** The whole page. */
export function renderPerformance(r: BenchResults): string {
  return `${[INTRO, runLine(r), METHOD, coldSection(r), requestsSection(r), statsSection(r), burstSection(r.burst)].join('\n\n')}\n`;
}
