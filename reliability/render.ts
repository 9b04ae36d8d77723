/**
 * docs/guarantees.md from reliability/results.json: pure functions, results in, markdown out.
 * Used by the reliability reporter after a run and by `npm run docs:figures` without one.
 */
import { machine, table, when } from '../scripts/markdown';
import type { ReliabilityRow } from './support/row';

/**
 * `ranAt`: a row measured alone after the run (`npx vitest run --config
 * vitest.reliability.config.ts <its file>`, its row put into results.json by hand), when.
 */
export type ReliabilityResultRow = ReliabilityRow & { result: string; ranAt?: string };

/** The shape of reliability/results.json. `lost`/`duplicated` are null for a scenario that never finished. */
export type ReliabilityResults = {
  date: string;
  node: string;
  cpus?: number;
  cpuModel?: string;
  rows: ReliabilityResultRow[];
};

const count = (n: number | null | undefined) =>
  typeof n === 'number' && Number.isFinite(n) ? String(n) : '?';

/** The scenario table; the "slowest answer" column only when some scenario timed its answers. */
export function reliabilityTable(rows: ReliabilityResultRow[]): string {
  const timed = rows.some((r) => r.slowestMs !== undefined);
  const header = ['scenario', 'load', 'fault injected', 'expected', 'observed', 'lost', 'duplicated'];
  if (timed) header.push('slowest answer');
  header.push('result');
  const body = rows.map((r) => {
    const cells = [r.scenario, r.load, r.fault, r.expected, r.observed, count(r.lost), count(r.duplicated)];
    if (timed) cells.push(r.slowestMs === undefined ? '' : `${Math.round(r.slowestMs)} ms`);
    cells.push(r.result === 'pass' ? 'pass' : '**FAIL**');
    return cells;
  });
  return table(header, body);
}

export function summaryLine(r: ReliabilityResults): string {
  const passed = r.rows.filter((row) => row.result === 'pass').length;
  const sum = (key: 'lost' | 'duplicated') =>
    r.rows.reduce((s, row) => s + (Number.isFinite(row[key]) ? row[key] : 0), 0);
  const duplicatedIn = r.rows.filter((row) => Number.isFinite(row.duplicated) && row.duplicated > 0);
  const where = machine(r.cpus, r.cpuModel);
  return (
    `Last run: ${when(r.date)}, Node ${r.node}${where ? `, ${where}` : ''}: ${r.rows.length} scenario${r.rows.length === 1 ? '' : 's'}, ` +
    `${passed} passed; ${sum('lost')} lost, ${sum('duplicated')} duplicated` +
    (duplicatedIn.length ? ` (all in: ${duplicatedIn.map((row) => row.scenario).join('; ')})` : '') +
    '.' +
    r.rows
      .filter((row) => row.ranAt)
      .map((row) => ` "${row.scenario}" measured again alone: ${when(row.ranAt!)}.`)
      .join('')
  );
}

const INTRO = `# Guarantees

<!-- Written by \`npm run reliability\` (reliability/render.ts) from reliability/results.json. Edit reliability/render.ts, not this file. -->

What holds, and the figures that show it. \`npm test\` checks each guarantee at small scale on every
run; \`npm run reliability\` drives the heavier scenarios below, writes \`reliability/results.json\`
and this page; \`npm run docs:figures\` re-renders this page from \`reliability/results.json\`
without running anything. How the code keeps these guarantees is in
[how-it-works.md](how-it-works.md); speed and cost are in [performance.md](performance.md).

## What holds

- **Never oversold.** A lead is sold to at most \`maxUnlocks\` providers whatever the concurrency;
  every payment past the cap is refunded at Stripe exactly once and its provider told.
- **Never charged without delivering.** An unlock and its details SMS are written in one
  transaction; the SMS is sent after commit, retried by the dispatcher until TextMagic takes it,
  resent (twice at most) if TextMagic reports it undelivered, and otherwise flagged in
  \`GET /leads/{id}\` (\`smsNeedingAttention\`).
- **Never lost, and once.** Stripe events, TextMagic callbacks and \`POST /leads\` with an
  \`Idempotency-Key\` have one effect however often they arrive. A process killed between its
  commit and its send loses nothing: the dispatcher sends once the dead sender's lease ends.
- **Answers in time.** Webhooks answer 2xx once their change is committed; after commit a request
  spends at most \`INLINE_WORK_BUDGET_MS\` (1.5 s) on TextMagic and Stripe, whatever they do.
- **The database going away.** 503 everywhere (\`/health\` included), so Stripe and TextMagic retry;
  no request leaves half a change; a warm container serves again as soon as the database is
  back, with no restart.
- **Behind a transaction pooler** (Neon's pooled endpoint, PgBouncer in transaction mode) all of
  the above holds: no request relies on session state between transactions.
- **No leaks of the client's contact.** Only the paid details SMS carries it: not teasers (contact
  details typed into the description are removed), pay pages, errors or logs (phones and e-mails
  masked).

## How it is measured

A clean environment: the scenario files run one at a time (so that they do not compete for the
CPUs), each on its own copy of a freshly migrated database in an embedded Postgres the run starts,
with no real service configured, against the Stripe and TextMagic fakes. Faults are injected only at the outer boundary: the fakes answer errors, reset, stall or
take a message without answering; a TCP proxy takes the database away; a child process running a
real handler is killed. The counts are taken from outside, at the fakes and in the database.

- **lost**: effects that should have happened and did not (an SMS a phone never got, a payment
  neither unlocked nor refunded).
- **duplicated**: effects that happened twice (the same SMS received twice, a second refund or
  unlock).
- Rows marked "via PgBouncer" or "behind a transaction pooler" run through a real PgBouncer in
  transaction mode with 4 server connections, as Neon's pooled endpoint would; those expecting
  "nothing resent after the leases" then run out every lease and the dispatcher before counting.
- The oversell race runs 200 webhooks in one process on a pool of 10, so its slowest answers are a
  queue, not one request's latency.`;

const LIMITS = `## Known limits

- **A message TextMagic took without our hearing back is found, not sent again.** TextMagic has no
  idempotency key: when the answer to a send is lost (a timeout, a reset after the request went
  out), the next try first asks TextMagic's message search for it (text, phone, time since that
  try, our sms id as \`referenceId\`) and records it as sent if found. In the "TextMagic faults"
  scenario (11 lost replies, 11 timeouts and 11 resets armed) that took 33 lookups of 208
  TextMagic requests; the 14 messages TextMagic took unheard were found, and it left 0
  duplicated, 0 lost (14 duplicated before). What remains: a message TextMagic lists in its
  search only after the retry's lookup, or takes after it (a request still in its hands when ours
  timed out; the retry comes at least a minute later), would go twice; so would a send whose
  process is killed mid-request (no try is recorded: the dispatcher sends again after the
  2-minute lease). A lookup that fails sends nothing: the SMS waits for the next try (10 tries
  in all, as sends). A 201 whose body never finishes counts as sent.
- **An SMS sent while the database drops the connection that would record it** is recorded on a
  new connection (retried for up to 750 ms); if the database stays away longer, the dispatcher
  sends it again after the 2-minute lease.
- A send started near the end of a request's budget still gets 1 s, so that an answer TextMagic is
  about to give is not counted as unheard and sent twice.`;

/** The whole page. */
export function renderGuarantees(r: ReliabilityResults): string {
  return `${[INTRO, '## Scenarios', summaryLine(r), reliabilityTable(r.rows), LIMITS].join('\n\n')}\n`;
}
