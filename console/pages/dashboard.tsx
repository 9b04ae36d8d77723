import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { query } from '../api';
import { Failed, Loading, TableScroll } from '../components/bits';
import { ChartCanvas } from '../components/chart';
import { duration, money, percent, UNMATCHED_LABELS, utcDay } from '../format';
import type { Funnel, IntegrationHealth, SmsRow, Stats } from '../types';
import { useApi } from '../use-api';

type Count = { [K in keyof Funnel]: Funnel[K] extends number ? K : never }[keyof Funnel];

const STEPS: Array<[Count, string]> = [
  ['leads', 'Leads'],
  ['teasersSent', 'Teasers sent'],
  ['yesReplies', 'YES replies'],
  ['linksOpened', 'Links opened'],
  ['checkoutsCreated', 'Checkouts'],
  ['paidUnlocks', 'Paid unlocks'],
  ['savedCardUnlocks', '…with a saved card'],
  ['refunds', 'Refunds'],
];

/** Monday of this week (UTC), as GET /stats takes days. */
function weekStart(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return utcDay(d);
}

/** A period's figures as text, each with a stable test id (`<period>-<field>`). */
function Figures(props: { period: string; title: string; stats?: Stats; error?: string }) {
  const { stats } = props;
  return (
    <article
      class="figures"
      data-testid={`period-${props.period}`}
      data-from={stats?.from}
      data-to={stats?.to}
    >
      <header>
        <strong>{props.title}</strong>
        {stats && <small> {stats.from === stats.to ? stats.from : `${stats.from} – ${stats.to}`}</small>}
      </header>
      {props.error && <Failed error={props.error} />}
      {!stats && !props.error && <Loading />}
      {stats && (
        <dl>
          {STEPS.map(([field, label]) => (
            <div key={field}>
              <dt>{label}</dt>
              <dd data-testid={`${props.period}-${field}`}>{String(stats.total[field])}</dd>
            </div>
          ))}
          {Object.entries(stats.total.revenue).map(([currency, r]) => (
            <div key={currency}>
              <dt>Revenue ({currency.toUpperCase()}, net)</dt>
              <dd data-testid={`${props.period}-revenue-${currency}`} data-cents={String(r.netCents)}>
                {money(r.netCents, currency)}
              </dd>
            </div>
          ))}
          {Object.keys(stats.total.revenue).length === 0 && (
            // Nothing sold yet: zero in the default currency, under the same test id as a sale's.
            <div>
              <dt>Revenue (USD, net)</dt>
              <dd data-testid={`${props.period}-revenue-usd`} data-cents="0">
                {money(0)}
              </dd>
            </div>
          )}
          <div>
            <dt>Teaser → paid</dt>
            <dd data-testid={`${props.period}-teaserToPaid`}>
              {percent(stats.total.conversion.teaserToPaid)}
            </dd>
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
      )}
    </article>
  );
}

function funnelChart(stats: Stats): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: STEPS.map(([, label]) => label),
      datasets: [
        {
          label: 'Last 30 days',
          data: STEPS.map(([f]) => stats.total[f]),
          backgroundColor: '#0172ad',
        },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } },
  };
}

/** Net revenue per day in the main currency (the one with the most revenue, else USD). */
function revenueChart(stats: Stats): ChartConfiguration {
  const currencies = Object.entries(stats.total.revenue).sort(([, a], [, b]) => b.netCents - a.netCents);
  const currency = currencies[0]?.[0] ?? 'usd';
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
    options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: true } } },
  };
}

/**
 * Which source (POST /leads `source.utmSource`) brings leads that sell: GET /stats?groupBy=source,
 * a row per source, the leads without one as "(none)". Revenue in the range's main currency.
 */
function Sources(props: { stats?: Stats; error?: string }) {
  const { stats } = props;
  if (props.error) return <Failed error={props.error} />;
  if (!stats) return <Loading />;
  const currency =
    Object.entries(stats.total.revenue).sort(([, a], [, b]) => b.netCents - a.netCents)[0]?.[0] ?? 'usd';
  return (
    <TableScroll label="Leads by source">
      <table class="striped" data-testid="sources-table">
        <thead>
          <tr>
            <th>Source</th>
            <th>Leads</th>
            <th>Paid unlocks</th>
            <th>Unlocks per lead</th>
            <th>Revenue ({currency.toUpperCase()}, net)</th>
          </tr>
        </thead>
        <tbody>
          {stats.groups.map(({ key, funnel: f }) => (
            <tr key={key ?? ''} data-testid={`source-${key ?? 'none'}`}>
              <td>{key ?? <em>(none)</em>}</td>
              <td>{f.leads}</td>
              <td>{f.paidUnlocks}</td>
              <td>{f.leads ? (f.paidUnlocks / f.leads).toFixed(2) : '—'}</td>
              <td>{money(f.revenue[currency]?.netCents ?? 0, currency)}</td>
            </tr>
          ))}
          {stats.groups.length === 0 && (
            <tr>
              <td colSpan={5}>No leads in the last 30 days.</td>
            </tr>
          )}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** Shown on the Dashboard: the category and zip code pairs with most leads offered to nobody. */
const DEMAND_ROWS = 10;

/**
 * Demand without supply: where leads of the last 30 days found no provider, and why, most first
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
                <td>
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
      <li
        data-testid="health-dispatcher"
        class={h.dispatcher.ageSeconds !== null && h.dispatcher.ageSeconds < 300 ? 'ok' : 'bad'}
      >
        <strong>Dispatcher</strong>:{' '}
        {h.dispatcher.ageSeconds === null ? 'never ran' : `last ran ${duration(h.dispatcher.ageSeconds)} ago`}
      </li>
      <li data-testid="health-stripe-follow-ups">
        <strong>Stripe follow-ups</strong>: {h.stripeFollowUps.pending} pending
      </li>
    </ul>
  );
}

export function Dashboard() {
  const today = utcDay(new Date());
  const total = useApi<Stats>('/stats');
  const day = useApi<Stats>(`/stats${query({ from: today, to: today })}`);
  const week = useApi<Stats>(`/stats${query({ from: weekStart(new Date()), to: today })}`);
  const attention = useApi<{ sms: SmsRow[]; nextCursor: string | null }>('/sms?status=attention&limit=100');
  const health = useApi<IntegrationHealth>('/health/integrations');
  const sources = useApi<Stats>('/stats?groupBy=source');
  const funnel = useMemo(() => total.data && funnelChart(total.data), [total.data]);
  const revenue = useMemo(() => total.data && revenueChart(total.data), [total.data]);
  return (
    <>
      <h1>Dashboard</h1>
      <div class="grid figures-grid">
        <Figures period="today" title="Today" stats={day.data} error={day.error} />
        <Figures period="week" title="This week" stats={week.data} error={week.error} />
        <Figures period="total" title="Last 30 days" stats={total.data} error={total.error} />
      </div>
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
      <article data-testid="demand-without-supply">
        <header>
          <strong>Demand without supply, last 30 days</strong>
        </header>
        <Unserved stats={total.data} error={total.error} />
      </article>
      <article>
        <header>
          <strong>Funnel, last 30 days</strong>
        </header>
        {total.error && <Failed error={total.error} />}
        {funnel && <ChartCanvas config={funnel} label="Funnel of the last 30 days" testId="funnel-chart" />}
      </article>
      <article>
        <header>
          <strong>Leads by source, last 30 days</strong>
        </header>
        <Sources stats={sources.data} error={sources.error} />
      </article>
      <article>
        <header>
          <strong>Revenue per day</strong>
        </header>
        {revenue && <ChartCanvas config={revenue} label="Net revenue per day" testId="revenue-chart" />}
        {total.data && (
          <p>
            <small>
              Median time from teaser to payment: {duration(total.data.total.medianTeaserToPaymentSeconds)}
            </small>
          </p>
        )}
      </article>
    </>
  );
}
