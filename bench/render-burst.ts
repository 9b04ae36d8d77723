/** The SMS burst's section of docs/performance.md (bench/sms-burst.ts). */
import type { BurstResults } from './sms-burst';

const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const s = (msValue: number) => `${(msValue / 1000).toFixed(2)} s`;
const verdict = (pass: boolean) => (pass ? 'pass' : '**FAIL**');

export function burstSection(b: BurstResults | undefined): string {
  const head = `## SMS at the speed limit (issue 26)

\`BENCH_ONLY=burst npm run bench\`. Leads arrive evenly, five providers each; every tenth lead's
first provider replies YES a second after the teaser and pays a second after the link. The
TextMagic stand-in enforces ${'`SMS_RATE_PER_SECOND`'}'s default, 20 requests a second (a token
bucket: 429 with Retry-After above it); the dispatcher runs on its one-minute schedule, and a
request that leaves teasers queued behind the rate starts a run at once when none is sending
(the kick: Lambda's asynchronous Invoke, here the Invoke stand-in running the same handler).
The issue's burst, 2,000 leads in 60 s with the first scheduled run half-way through it: once
directly on Postgres and once through PgBouncer in transaction mode (4 server connections). Then
a short burst, 300 leads in 5 s, just after a scheduled run (the next a minute away): with the
kick, and without it (the control: its backlog waits for the schedule).

- **429s**: refused requests, as a share of all requests to TextMagic.
- **Send rate**: SMS TextMagic took while a perfect sender would have had work, per second, as a
  share of the limit.
- **Teaser delay**: from \`POST /leads\` to TextMagic taking the teaser; the baseline is the least
  any schedule at the limit could give (a simulated sender: one request every 50 ms whenever one
  waits, details before pay links before teasers, oldest first), measured in the same run.
- **Details delay**: from the payment's webhook to TextMagic taking the client's details.`;
  if (!b) return `${head}\n\nNot measured yet.`;
  if ('skipped' in b) return `${head}\n\nSkipped: ${b.skipped}.`;
  const rows = b.runs.map((r) => {
    const checks = [
      r.rateLimitedShare < 0.01,
      r.rateShare >= 0.9,
      r.teaserDelayRatio <= 1.1,
      r.detailsDelayP95Ms < 2000,
    ];
    const kick = r.kick === false ? 'off' : `${r.kicks ?? 0} run(s)`;
    const first = r.firstRunMs === undefined ? 'half-way' : `${(r.firstRunMs / 1000).toFixed(1)} s`;
    return `| ${r.via} | ${r.leads} in ${r.seconds} s | ${first} | ${kick} | ${r.requests} | ${r.rateLimited} (${pct(r.rateLimitedShare)}) | ${pct(r.rateShare)} | ${s(r.teaserDelayP50Ms)} / ${s(r.teaserDelayP95Ms)} | ${s(r.idealTeaserDelayP95Ms)} | ${r.teaserDelayRatio.toFixed(2)}× | ${r.payments}: ${s(r.detailsDelayP50Ms)} / ${s(r.detailsDelayP95Ms)} | ${s(r.drainedAfterMs)} | ${verdict(checks.every(Boolean))} |`;
  });
  return `${head}

| via | leads | first scheduled run | kick | requests | 429s (target < 1 %) | send rate (target ≥ 90 %) | teaser delay p50 / p95 | perfect sender's p95 | p95 ratio (target ≤ 1.1×) | details delay p50 / p95 (target p95 < 2 s) | all sent after | |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}`;
}
