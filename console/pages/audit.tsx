import { useTitle } from '../components/layout';
import { Link, useSearchParams } from 'wouter-preact';
import { query } from '../api';
import { actionLabel, AUDIT_ACTIONS, OUTCOME_LABELS } from '../audit-actions';
import { Failed, Loading } from '../components/bits';
import { DataTable, NARROW, useMedia } from '../components/data-table';
import { useUrlFilters } from '../use-url-filters';
import { dateTime, money } from '../format';
import type { AuditEntries, AuditEntry } from '../types';
import { useApi } from '../use-api';

/** The filters, as the page's URL holds them (so a view can be shared): dates in the viewer's zone. */
const FILTERS = ['actor', 'action', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** `YYYY-MM-DD` of the viewer's calendar: the instant its day starts (or, `end`, ends) there. */
function localDay(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const start = new Date(`${day}T00:00:00`);
  if (Number.isNaN(start.getTime())) return undefined;
  if (!end) return start.toISOString();
  const next = new Date(start);
  next.setDate(next.getDate() + 1);
  return new Date(next.getTime() - 1).toISOString();
}

/** A time with its zone and seconds: `Dec 6, 2026, 10:45:03 PM UTC`. */
const when = (iso: string) => dateTime(iso, undefined, { seconds: true });

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Who: the admin key, or an operator (their id, short; the full one filters the page by them). */
function Who(props: { actor: AuditEntry['actor'] }) {
  if (props.actor.type === 'api_key') return <>Admin API key</>;
  return (
    <Link href={`/audit${query({ actor: props.actor.id })}`} title={props.actor.id}>
      Operator {props.actor.id.slice(0, 8)}
    </Link>
  );
}

/** The changed object: a link to its page where the console has one. */
function Subject(props: { entry: AuditEntry }) {
  const { action, objectId } = props.entry;
  if (!objectId) return <>—</>;
  const href = action.startsWith('provider.')
    ? `/providers/${objectId}`
    : action === 'client.erase'
      ? `/leads/${objectId}`
      : action.startsWith('category.')
        ? '/catalogue'
        : undefined;
  const id = <code class="object-id">{objectId}</code>;
  return href ? <Link href={href}>{id}</Link> : id;
}

const amount = (e: AuditEntry) => (e.amountCents === undefined ? '' : money(e.amountCents));

/** Audit: every change made through the console or the admin API, newest first (GET /audit). */
export function Audit() {
  const [params, setParams] = useSearchParams();
  // The form follows the URL (back and forward, a shared link, a click on an operator).
  const { filters, form, field } = useUrlFilters(FILTERS, 'audit');
  const cursor = params.get('cursor') ?? '';
  const narrow = useMedia(NARROW);
  useTitle('Audit');

  const path = `/audit${query({
    actor: filters.actor,
    action: filters.action,
    from: filters.from && localDay(filters.from, false),
    to: filters.to && localDay(filters.to, true),
    cursor,
    limit: 50,
  })}`;
  const page = useApi<AuditEntries>(path);
  const show = (next: Partial<Filters> & { cursor?: string }) =>
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)));

  const entries = page.data?.entries;

  return (
    <>
      <h1>Audit</h1>
      <p>
        Every change made through the console or the admin API: who, what, when, and the amount of a refund.
        Times in {ZONE}.
      </p>
      <form
        class="filters audit-filters"
        aria-label="Filter the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          show(form);
        }}
      >
        <div class="grid">
          <label>
            Who
            <select {...field('actor')}>
              <option value="">Anyone</option>
              <option value="api_key">Admin API key</option>
              {form.actor && form.actor !== 'api_key' && (
                <option value={form.actor}>Operator {form.actor.slice(0, 8)}</option>
              )}
            </select>
          </label>
          <label>
            Action
            <select {...field('action')}>
              <option value="">Any</option>
              {Object.entries(AUDIT_ACTIONS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            From
            <input type="date" {...field('from')} />
          </label>
          <label>
            To
            <input type="date" {...field('to')} />
          </label>
        </div>
        <div class="actions">
          <button type="submit">Filter</button>
          <button type="button" class="secondary outline" onClick={() => show({})}>
            Clear
          </button>
        </div>
      </form>
      {page.error && <Failed error={page.error} />}
      {!entries && !page.error && <Loading what="the audit trail" />}
      {entries && entries.length === 0 && <p data-testid="audit-empty">No change matches.</p>}
      {entries && entries.length > 0 && (
        // The previous view stays while the next loads, marked busy.
        <div aria-busy={page.loading}>
          <DataTable
            label="Audit trail"
            testId={narrow ? 'audit-cards' : 'audit-table'}
            rowTestId={() => (narrow ? 'audit-card' : 'audit-row')}
            rows={entries}
            rowKey={(e) => `${e.at}-${e.objectId}-${e.action}`}
            empty="No change matches."
            columns={[
              { header: 'When', cell: (e) => when(e.at) },
              { header: 'Who', cell: (e) => <Who actor={e.actor} /> },
              {
                header: 'What',
                cell: (e) => (
                  <>
                    {actionLabel(e.action)}
                    <small class="detail route">{e.route}</small>
                  </>
                ),
              },
              { header: 'Object', cell: (e) => <Subject entry={e} /> },
              { header: 'Amount', cell: amount, nowrap: true },
              { header: 'Outcome', cell: (e) => OUTCOME_LABELS[e.outcome] ?? e.outcome },
            ]}
          />
        </div>
      )}
      <nav class="actions" aria-label="Pages of the audit trail">
        {cursor && (
          <button type="button" class="secondary outline" onClick={() => show(filters)}>
            Newest
          </button>
        )}
        {page.data?.nextCursor && (
          <button
            type="button"
            class="secondary"
            onClick={() => show({ ...filters, cursor: page.data!.nextCursor! })}
          >
            Older
          </button>
        )}
      </nav>
    </>
  );
}
