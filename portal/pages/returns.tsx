import { useState } from 'preact/hooks';
import { api } from '../api';
import { Failed, Loading } from '../components/bits';
import { money, when } from '../format';
import type { ReturnRow, Returns } from '../types';
import { useApi, useTitle } from '../use-api';
import { REASONS } from './bought';

const STATUS: Record<ReturnRow['status'], string> = {
  open: 'Waiting for review',
  approved: 'Approved: refunded',
  declined: 'Declined',
};

/** Returns: each return's status and the operator's note, newest first. */
export function ReturnsPage() {
  useTitle('Returns');
  const { data, error } = useApi<Returns>('/returns');
  const [more, setMore] = useState<ReturnRow[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const next = cursor === undefined ? data?.nextCursor : cursor;
  const loadMore = async () => {
    const page = await api<Returns>(`/returns?cursor=${encodeURIComponent(next!)}`);
    setMore((m) => [...m, ...page.returns]);
    setCursor(page.nextCursor);
  };
  const all = [...(data?.returns ?? []), ...more];
  return (
    <>
      <h1>Returns</h1>
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="your returns" />}
      {data && all.length === 0 && <p>No returns. A bought lead's page has “Report a problem”.</p>}
      {all.map((r) => (
        <article key={r.id} class="return" data-testid={`return-${r.code}`}>
          <header>
            <strong>Lead {r.code}</strong> · {money(r.amountCents, r.currency)}
          </header>
          <p>
            <span class={`status status-${r.status}`}>{STATUS[r.status]}</span>
            {r.decidedAt && <> on {when(r.decidedAt)}</>}
          </p>
          <p>
            {REASONS[r.reason]}
            {r.text && <> · “{r.text}”</>} <small>(sent {when(r.createdAt)})</small>
          </p>
          {r.note && <p data-testid="return-note">Our note: {r.note}</p>}
        </article>
      ))}
      {next && (
        <button type="button" class="secondary outline" onClick={() => void loadMore()}>
          Show more
        </button>
      )}
    </>
  );
}
