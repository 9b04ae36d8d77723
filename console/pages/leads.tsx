import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, query } from '../api';
import { Failed, Loading, Status, TableScroll } from '../components/bits';
import { dateTime, money, UNMATCHED_LABELS } from '../format';
import { LEAD_STATUS } from '../labels';
import type { LeadRow } from '../types';
import { useEffect } from 'preact/hooks';

type Filters = { status: string; category: string; zipCode: string; from: string; to: string; q: string };
const EMPTY: Filters = { status: '', category: '', zipCode: '', from: '', to: '', q: '' };
type Page = { leads: LeadRow[]; nextCursor: string | null };

export function Leads() {
  const [form, setForm] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [rows, setRows] = useState<LeadRow[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

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
  useEffect(() => void load(filters, null), [filters]);

  const field = (name: keyof Filters) => ({
    name,
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value }),
  });

  return (
    <>
      <h1>Leads</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...form });
        }}
      >
        <div class="grid">
          <label>
            Status
            <select {...field('status')}>
              <option value="">Any</option>
              <option value="open">Open</option>
              <option value="full">Full</option>
              <option value="expired">Expired</option>
            </select>
          </label>
          <label>
            Category
            <input {...field('category')} placeholder="plumbing" />
          </label>
          <label>
            Zip code
            <input {...field('zipCode')} placeholder="78701" />
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
          <button
            type="button"
            class="secondary outline"
            onClick={() => {
              setForm(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {error && <Failed error={error} />}
      {!rows && !error && <Loading what="leads" />}
      {rows && (
        <TableScroll label="Leads">
          <table class="striped" data-testid="leads-table">
            <thead>
              <tr>
                <th>Code</th>
                <th>Category</th>
                <th>Zip</th>
                <th>Status</th>
                <th>Offered</th>
                <th>Unlocked</th>
                <th>Revenue</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.id}>
                  <td>
                    <Link href={`/leads/${l.id}`}>{l.code}</Link>
                    {l.duplicateOf && <small class="detail"> duplicate</small>}
                  </td>
                  <td>{l.category}</td>
                  <td>{l.zipCode}</td>
                  <td>
                    <Status value={l.status} label={LEAD_STATUS[l.status]} />
                  </td>
                  <td>
                    {l.offeredTo}
                    {l.unmatchedReason && (
                      <small class="detail"> {UNMATCHED_LABELS[l.unmatchedReason]}</small>
                    )}
                  </td>
                  <td>{`${l.unlockCount} of ${l.maxUnlocks}`}</td>
                  <td>{money(l.revenueCents, l.currency)}</td>
                  <td>{dateTime(l.createdAt)}</td>
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={8}>No leads match.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
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
