import type { ChartConfiguration } from 'chart.js';
import { useMemo, useState } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { query } from '../api';
import { Failed, Loading, TableScroll } from '../components/bits';
import { ChartCanvas } from '../components/chart';
import { DataTable } from '../components/data-table';
import { useTitle } from '../components/layout';
import { duration, money, percent, utcDay } from '../format';
import { FUNNEL_STEP, UNMATCHED_LABELS } from '../labels';
import { useSandbox } from '../sandbox/available';
import type { Funnel, IntegrationHealth, SmsRow, Stats } from '../types';
import { useApi } from '../use-api';

type Count = { [K in keyof Funnel]: Funnel[K] extends number ? K : never }[keyof Funnel];
type Conversion = keyof Funnel['conversion'];

/**
 * The funnel's steps, each with the conversion from the step before it. Saved-card purchases
 * and refunds are not steps (a part of Paid, and what happened after it): said beside the funnel.
 */
const STEPS: Array<[Count, Conversion | null]> = [
  ['leads', null],
  ['teasersSent', null],
  ['yesReplies', 'teaserToYes'],
  ['linksOpened', 'yesToLinkOpened'],
  ['checkoutsCreated', 'linkToCheckout'],
  ['paidUnlocks', 'checkoutToPaid'],
];

const DAY_MS = 86_400_000;
const BREAKDOWNS = { category: 'Category', source: 'Source', provider: 'Provider' } as const;
type Breakdown = keyof typeof BREAKDOWNS;

/** The presets of the range, as days (UTC) `from`..`to` ending today. */
function presets(now = new Date()) {
  const today = utcDay(now);
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return [
    { name: 'Today', from: today, to: today },
    { name: 'This week', from: utcDay(monday), to: today },
    { name: 'Last 30 days', from: utcDay(new Date(now.getTime() - 29 * DAY_MS)), to: today },
    { name: 'Last 90 days', from: utcDay(new Date(now.getTime() - 89 * DAY_MS)), to: today },
  ];
}

/** The dashboard's view as the address holds it: `?from=&to=&by=` (a shared link opens the same). */
function viewOf(search: string) {
  const p = new URLSearchParams(search);
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const last30 = presets()[2]!;
  const by = p.get('by');
  return {
    from: day(p.get('from')) ?? last30.from,
    to: day(p.get('to')) ?? last30.to,
    by: (by && by in BREAKDOWNS ? by : 'category') as Breakdown,
  };
}
type View = ReturnType<typeof viewOf>;

/** The range's name: a preset's, else its days. */
const rangeName = (v: View) =>
  presets().find((p) => p.from === v.from && p.to === v.to)?.name ??
  (v.from === v.to ? v.from : `${v.from} – ${v.to}`);

/** Choose the range: presets, or two dates; each a change of the address. */
function RangePicker(props: { view: View; go: (v: Partial<View>) => void }) {
  const [from, setFrom] = useState(props.view.from);
  const [to, setTo] = useState(props.view.to);
  return (
    <form
      class="range"
      aria-label="Date range"
      onSubmit={(e) => {
        e.preventDefault();
        props.go({ from, to });
      }}
    >
      <div class="actions" role="group" aria-label="Ranges">
        {presets().map((p) => {
          const current = p.from === props.view.from && p.to === props.view.to;
          return (
            <button
              key={p.name}
              type="button"
              class={current ? 'small' : 'small secondary outline'}
              aria-pressed={current}
              onClick={() => {
                setFrom(p.from);
                setTo(p.to);
                props.go({ from: p.from, to: p.to });
              }}
            >
              {p.name}
            </button>
          );
        })}
      </div>
      <div class="grid">
        <label>
          From
          <input type="date" value={from} required onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} required onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit" class="secondary">
          Show
        </button>
      </div>
    </form>
  );
}

/** The range's funnel as a table: each step, its count, and the conversion from the step before. */
function Figures(props: { period: string; title: string; stats?: Stats; error?: string }) {
  const { stats } = props;
  if (props.error) return <Failed error={props.error} />;
  if (!stats) return <Loading />;
  const t = stats.total;
  const revenue = Object.entries(t.revenue);
  return (
    <div class="figures" data-testid={`period-${props.period}`} data-from={stats.from} data-to={stats.to}>
      <table class="funnel">
        <caption class="visually-hidden">{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Count</th>
            <th scope="col">From the step before</th>
          </tr>
        </thead>
        <tbody>
          {STEPS.map(([field, conversion]) => (
            <tr key={field}>
              <th scope="row">{FUNNEL_STEP[field]}</th>
              <td data-testid={`${props.period}-${field}`}>{String(t[field])}</td>
              <td>
                {conversion
                  ? percent(t.conversion[conversion])
                  : field === 'teasersSent' && t.leads > 0
                    ? `${(t.teasersSent / t.leads).toFixed(1)} per lead`
                    : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl>
        <div>
          <dt>Paid with a saved card</dt>
          <dd data-testid={`${props.period}-savedCardUnlocks`}>{t.savedCardUnlocks}</dd>
        </div>
        <div>
          <dt>Refunds</dt>
          <dd data-testid={`${props.period}-refunds`}>{t.refunds}</dd>
        </div>
        {(revenue.length ? revenue : [['usd', { netCents: 0 }] as const]).map(([currency, r]) => (
          <div key={currency}>
            <dt>Revenue ({currency.toUpperCase()}, net of refunds)</dt>
            <dd data-testid={`${props.period}-revenue-${currency}`} data-cents={String(r.netCents)}>
              {money(r.netCents, currency)}
            </dd>
          </div>
        ))}
        <div>
          <dt>Teaser → paid</dt>
          <dd data-testid={`${props.period}-teaserToPaid`}>{percent(t.conversion.teaserToPaid)}</dd>
        </div>
        <div>
          <dt>Median teaser → payment</dt>
          <dd>{duration(t.medianTeaserToPaymentSeconds)}</dd>
        </div>
        <div>
          {/* Leads that dropped to their aged price, and what sold after the drop (docs/pricing.md). */}
          <dt>Aged leads, sold after</dt>
          <dd
            data-testid={`${props.period}-aged`}
            data-leads={String(stats.aged.leads)}
            data-unlocks={String(stats.aged.unlocks)}
          >
            {stats.aged.leads}, {stats.aged.unlocks}
            {Object.entries(stats.aged.revenue).map(([currency, r]) => ` · ${money(r.netCents, currency)}`)}
          </dd>
        </div>
      </dl>
    </div>
  );
}

/** No animation: a chart drawn anew for another range would grow from the old one's bars. */
const STILL = { animation: false, responsive: true, maintainAspectRatio: false } as const;
/** Whole numbers from zero: counts never read 0.1, 0.2… */
const COUNT_AXIS = { beginAtZero: true, ticks: { precision: 0 } } as const;

function funnelChart(stats: Stats): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: STEPS.map(([f]) => FUNNEL_STEP[f]),
      datasets: [{ label: 'Count', data: STEPS.map(([f]) => stats.total[f]), backgroundColor: '#0172ad' }],
    },
    options: { ...STILL, indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: COUNT_AXIS } },
  };
}

/** The range's main currency: the one with the most revenue, else USD. */
const mainCurrency = (stats: Stats) =>
  Object.entries(stats.total.revenue).sort(([, a], [, b]) => b.netCents - a.netCents)[0]?.[0] ?? 'usd';

/** Net revenue per day in the main currency. */
function revenueChart(stats: Stats): ChartConfiguration {
  const currency = mainCurrency(stats);
  return {
    type: 'bar',
    data: {
      labels: stats.groups.map((g) => (g.key ?? '').slice(5)),
      datasets: [
        {
          label: `Net revenue (${currency.toUpperCase()})`,
          data: stats.groups.map((g) => (g.funnel.revenue[currency]?.netCents ?? 0) / 100),
          backgroundColor: '#2e7d32',
        },
      ],
    },
    options: { ...STILL, scales: { y: { beginAtZero: true } } },
  };
}

/** The range by category, source or provider (GET /stats?groupBy=…), a row each. */
function Breakdown(props: { by: Breakdown; stats?: Stats; error?: string }) {
  const { stats } = props;
  if (props.error) return <Failed error={props.error} />;
  if (!stats) return <Loading />;
  const currency = mainCurrency(stats);
  type Group = Stats['groups'][number] & { name?: string | null };
  const name = (g: Group) =>
    props.by === 'provider' ? (g.name ?? g.key ?? '—') : (g.key ?? (props.by === 'source' ? '(none)' : '—'));
  return (
    <DataTable<Group>
      label={`Leads by ${BREAKDOWNS[props.by].toLowerCase()}`}
      testId={props.by === 'source' ? 'sources-table' : `${props.by}-breakdown`}
      rows={stats.groups}
      rowKey={(g) => g.key ?? ''}
      rowTestId={(g) => `${props.by}-${g.key ?? 'none'}`}
      empty="No leads in this range."
      columns={[
        {
          header: BREAKDOWNS[props.by],
          cell: (g) =>
            props.by === 'provider' && g.key ? <Link href={`/providers/${g.key}`}>{name(g)}</Link> : name(g),
        },
        { header: 'Leads', nowrap: true, cell: (g) => g.funnel.leads },
        { header: 'Paid unlocks', nowrap: true, cell: (g) => g.funnel.paidUnlocks },
        {
          header: props.by === 'provider' ? 'Paid per lead offered' : 'Unlocks per lead',
          nowrap: true,
          cell: (g) => (g.funnel.leads ? (g.funnel.paidUnlocks / g.funnel.leads).toFixed(2) : '—'),
        },
        { header: 'Teaser → paid', nowrap: true, cell: (g) => percent(g.funnel.conversion.teaserToPaid) },
        {
          header: `Revenue (${currency.toUpperCase()}, net)`,
          nowrap: true,
          cell: (g) => money(g.funnel.revenue[currency]?.netCents ?? 0, currency),
        },
      ]}
    />
  );
}

/** Shown on the Dashboard: the category and zip code pairs with most leads offered to nobody. */
const DEMAND_ROWS = 10;

/**
 * Demand without supply: where the range's leads found no provider, and why, most first
 * (GET /stats `unmatched`), so the operator knows where to recruit (docs/unmatched-demand.md).
 */
function Unserved(props: { stats?: Stats; error?: string }) {
  const u = props.stats?.unmatched;
  if (props.error) return <Failed error={props.error} />;
  if (!u) return <Loading />;
  if (u.leads === 0) return <p data-testid="unserved-none">Every lead was offered to a provider.</p>;
  const rows = u.byCategoryAndZip.slice(0, DEMAND_ROWS);
  return (
    <>
      <p>
        <span class="big" data-testid="unserved-leads">
          {u.leads}
        </span>{' '}
        {u.leads === 1 ? 'lead' : 'leads'} offered to nobody
      </p>
      {/* Four short columns: a table at any width. */}
      <TableScroll label="Demand without supply">
        <table class="striped" data-testid="unserved">
          <thead>
            <tr>
              <th>Category</th>
              <th>Zip</th>
              <th>Leads</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={`${g.category} ${g.zipCode}`}>
                <td>{g.category}</td>
                <td>{g.zipCode}</td>
                <td>{g.leads}</td>
                <td class="wrap">
                  {Object.entries(g.reasons)
                    .sort(([, a], [, b]) => b - a)
                    .map(
                      ([reason, n]) => `${UNMATCHED_LABELS[reason as keyof typeof UNMATCHED_LABELS]} (${n})`,
                    )
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {u.byCategoryAndZip.length > rows.length && (
        <p>
          <small>{`and ${u.byCategoryAndZip.length - rows.length} more places`}</small>
        </p>
      )}
    </>
  );
}

function Health(props: { health?: IntegrationHealth; error?: string }) {
  const h = props.health;
  if (props.error) return <Failed error={props.error} />;
  if (!h) return <Loading />;
  const check = (name: string, c: IntegrationHealth['stripe']) => (
    <li data-testid={`health-${name.toLowerCase()}`} class={c.ok ? 'ok' : 'bad'}>
      <strong>{name}</strong>: {c.ok ? `ok (${c.latencyMs} ms)` : `not reachable: ${c.error ?? 'error'}`}
    </li>
  );
  // Late only when it should have run: a heartbeat older than 5 minutes, or, never run, SMS
  // waiting for it for more than 2 (a fresh install, or `npm start`, which runs no schedule, has none).
  const age = h.dispatcher.ageSeconds;
  const late = age !== null ? age >= 300 : h.outbox.due > 0 && (h.outbox.oldestDueAgeSeconds ?? 0) > 120;
  return (
    <ul class="health">
      {check('Stripe', h.stripe)}
      {check('TextMagic', h.textmagic)}
      <li data-testid="health-outbox">
        <strong>SMS outbox</strong>: {h.outbox.due} due
        {h.outbox.oldestDueAgeSeconds !== null
          ? `, oldest waiting ${duration(h.outbox.oldestDueAgeSeconds)}`
          : ''}
      </li>
      <li data-testid="health-dispatcher" class={late ? 'bad' : age === null ? 'idle' : 'ok'}>
        <strong>Dispatcher</strong>:{' '}
        {age === null
          ? `not run yet${late ? ', and SMS are waiting for it' : ' (deployed, it runs every minute)'}`
          : `last ran ${duration(age)} ago`}
      </li>
      <li data-testid="health-stripe-follow-ups">
        <strong>Stripe follow-ups</strong>: {h.stripeFollowUps.pending} pending
      </li>
    </ul>
  );
}

/** A range with no lead: where to start, instead of empty charts. */
function FirstSteps() {
  const sandbox = useSandbox();
  return (
    <div data-testid="dashboard-empty">
      <p>No leads in this range yet.</p>
      <ol>
        <li>
          Add the <Link href="/catalogue">services you sell</Link> and the{' '}
          <Link href="/providers">providers</Link> who buy them.
        </li>
        <li>
          {SANDBOX && sandbox ? (
            <>
              Post a lead from <Link href="/inquiry">New inquiry</Link>, or from your website with{' '}
            </>
          ) : (
            <>Post leads from your website with </>
          )}
          <code>POST /leads</code> (README, “Posting leads”).
        </li>
      </ol>
    </div>
  );
}

export function Dashboard() {
  useTitle('Dashboard');
  const search = useSearch();
  const [, navigate] = useLocation();
  const view = viewOf(search);
  const go = (change: Partial<View>) => navigate(`/${query({ ...view, ...change })}`);
  const range = { from: view.from, to: view.to };
  const total = useApi<Stats>(`/stats${query(range)}`);
  const breakdown = useApi<Stats>(`/stats${query({ ...range, groupBy: view.by })}`);
  const attention = useApi<{ sms: SmsRow[]; nextCursor: string | null }>('/sms?status=attention&limit=100');
  const health = useApi<IntegrationHealth>('/health/integrations');
  const empty = total.data?.total.leads === 0;
  const funnel = useMemo(() => total.data && !empty && funnelChart(total.data), [total.data, empty]);
  // A chart of zeros says nothing (and would scale its axis 0 to 1): shown once something sold.
  const sold = total.data !== undefined && total.data.total.paidUnlocks > 0;
  const revenue = useMemo(() => total.data && sold && revenueChart(total.data), [total.data, sold]);
  const name = rangeName(view);
  return (
    <>
      <h1>Dashboard</h1>
      <RangePicker key={`${view.from} ${view.to}`} view={view} go={go} />
      <div class="grid">
        <article>
          <header>
            <strong>SMS needing attention</strong>
          </header>
          {attention.error && <Failed error={attention.error} />}
          {attention.data && (
            <p>
              <span class="big" data-testid="sms-attention">
                {`${attention.data.sms.length}${attention.data.nextCursor ? '+' : ''}`}
              </span>{' '}
              <Link href="/attention">See them</Link>
            </p>
          )}
        </article>
        <article>
          <header>
            <strong>Integrations</strong>
          </header>
          <Health health={health.data} error={health.error} />
        </article>
      </div>
      <article data-testid="range-figures">
        <header>
          <h2>Funnel, {name}</h2>
        </header>
        {empty ? (
          <FirstSteps />
        ) : (
          <div class="grid">
            <Figures period="range" title={`Funnel, ${name}`} stats={total.data} error={total.error} />
            {funnel && <ChartCanvas config={funnel} label={`Funnel, ${name}`} testId="funnel-chart" />}
          </div>
        )}
        <p class="exports">
          CSV of these days:{' '}
          {(['leads', 'purchases', 'refunds'] as const).map((kind, i) => (
            <span key={kind}>
              {i > 0 && ', '}
              <a href={`/exports/${kind}${query(range)}`} download data-testid={`export-${kind}`}>
                {kind}
              </a>
            </span>
          ))}
        </p>
      </article>
      {!empty && (
        <article>
          <header>
            <h2>Revenue per day, {name}</h2>
          </header>
          {revenue ? (
            <ChartCanvas config={revenue} label={`Net revenue per day, ${name}`} testId="revenue-chart" />
          ) : (
            <p data-testid="revenue-none">Nothing sold in this range yet.</p>
          )}
        </article>
      )}
      <article data-testid="breakdown">
        <header>
          <h2>
            Leads by {BREAKDOWNS[view.by].toLowerCase()}, {name}
          </h2>
          <label class="inline">
            Break down by{' '}
            <select value={view.by} onChange={(e) => go({ by: e.currentTarget.value as Breakdown })}>
              {Object.entries(BREAKDOWNS).map(([by, label]) => (
                <option key={by} value={by}>
                  {label.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
        </header>
        <Breakdown by={view.by} stats={breakdown.data} error={breakdown.error} />
      </article>
      <article data-testid="demand-without-supply">
        <header>
          <h2>Demand without supply, {name}</h2>
        </header>
        <Unserved stats={total.data} error={total.error} />
      </article>
    </>
  );
}
