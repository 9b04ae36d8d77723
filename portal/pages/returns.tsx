import { Failed, Loading, ShowMore } from '../components/bits';
import { money, when } from '../format';
import type { ReturnRow, Returns } from '../types';
import { usePaged, useTitle } from '../use-api';
import { REASONS } from './bought';

const STATUS: Record<ReturnRow['status'], string> = {
  open: 'Waiting for review',
  approved: 'Approved: refunded',
  declined: 'Declined',
};

/** Returns: each return's status and the operator's note, newest first. */
export function ReturnsPage() {
  useTitle('Returns');
  const { data, error, all, next, loadMore } = usePaged('/returns', (r: Returns) => r.returns);
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
      <ShowMore next={next} onClick={loadMore} />
    </>
  );
}
