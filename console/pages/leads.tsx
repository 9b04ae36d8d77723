import { useEffect, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { useUrlFilters } from '../use-url-filters';
import { api, query } from '../api';
import { Failed, Loading, Status } from '../components/bits';
import { DataTable, NARROW, useMedia } from '../components/data-table';
import { useTitle } from '../components/layout';
import { dateTime, money } from '../format';
import { LEAD_STATUS, UNMATCHED_LABELS } from '../labels';
import type { LeadRow } from '../types';

const FIELDS = ['status', 'category', 'zipCode', 'from', 'to', 'q'] as const;
type Filters = Record<(typeof FIELDS)[number], string>;
type Page = { leads: LeadRow[]; nextCursor: string | null };

/** A whole day `YYYY-MM-DD`, as the exports take their range. */
const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

export function Leads() {
  useTitle('Leads');
  const [, navigate] = useLocation();
  const { search, filters, form, field } = useUrlFilters(FIELDS, 'leads');
  const [rows, setRows] = useState<LeadRow[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const narrow = useMedia(NARROW);
  const set = FIELDS.filter((f) => filters[f] !== '').length;

  const load = async (f: Filters, after: string | null) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api<Page>(`/leads${query({ ...f, cursor: after, limit: 50 })}`);
      setRows((prev) => (after ? [...(prev ?? []), ...page.leads] : page.leads));
      setCursor(page.nextCursor);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  // The address is the state: a new search (a filter, Back, a shared link) loads its leads.
  useEffect(() => void load(filters, null), [search]);
  const exportRange =
    isDay(filters.from) && isDay(filters.to) ? query({ from: filters.from, to: filters.to }) : '';

  return (
    <>
      <h1>Leads</h1>
      {/* Folded on a phone, so that the leads come first; open on a wider screen. */}
      <details class="filters" open={!narrow} data-testid="leads-filters">
        <summary>Filters{set > 0 ? ` (${set} set)` : ''}</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            navigate(`/leads${query(form)}`);
          }}
        >
          <div class="grid">
            <label>
              Status
              <select {...field('status')}>
                <option value="">Any</option>
                {Object.entries(LEAD_STATUS).map(([code, label]) => (
                  <option key={code} value={code}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Category
              <input {...field('category')} placeholder="plumbing" />
            </label>
            <label>
              Zip code
              <input {...field('zipCode')} placeholder="78701" inputMode="numeric" />
            </label>
          </div>
          <div class="grid">
            <label>
              From
              <input type="date" {...field('from')} />
            </label>
            <label>
              To
              <input type="date" {...field('to')} />
            </label>
            <label>
              Code or client name
              <input type="search" {...field('q')} />
            </label>
          </div>
          <div class="actions">
            <button type="submit">Filter</button>
            <button type="button" class="secondary outline" onClick={() => navigate('/leads')}>
              Clear
            </button>
          </div>
        </form>
      </details>
      {exportRange && (
        <p>
          <a href={`/exports/leads${exportRange}`} download data-testid="leads-export">
            Download these days&rsquo; leads (CSV)
          </a>
        </p>
      )}
      {error && <Failed error={error} />}
      {!rows && !error && <Loading what="leads" />}
      {rows && (
        <DataTable
          label="Leads"
          testId="leads-table"
          rows={rows}
          rowKey={(l) => l.id}
          rowTestId={() => 'lead-row'}
          empty="No leads match."
          columns={[
            {
              header: 'Code',
              nowrap: true,
              cell: (l) => (
                <>
                  <Link href={`/leads/${l.id}`}>{l.code}</Link>
                  {l.duplicateOf && <small class="detail"> duplicate</small>}
                </>
              ),
            },
            {
              header: 'Status',
              nowrap: true,
              cell: (l) => <Status value={l.status} label={LEAD_STATUS[l.status]} />,
            },
            { header: 'Category', cell: (l) => l.category },
            { header: 'Zip', nowrap: true, cell: (l) => l.zipCode },
            {
              header: 'Offered',
              cell: (l) => (
                <>
                  {l.offeredTo}
                  {l.unmatchedReason && <small class="detail"> {UNMATCHED_LABELS[l.unmatchedReason]}</small>}
                </>
              ),
            },
            { header: 'Unlocked', nowrap: true, cell: (l) => `${l.unlockCount} of ${l.maxUnlocks}` },
            { header: 'Revenue', nowrap: true, cell: (l) => money(l.revenueCents, l.currency) },
            { header: 'Created', cell: (l) => dateTime(l.createdAt) },
          ]}
          actions={(l) => (
            <Link href={`/leads/${l.id}`} class="secondary" aria-label={`Open lead ${l.code}`}>
              Open
            </Link>
          )}
        />
      )}
      {cursor && (
        <button
          type="button"
          class="secondary"
          aria-busy={busy}
          disabled={busy}
          onClick={() => void load(filters, cursor)}
        >
          Load more
        </button>
      )}
    </>
  );
}
