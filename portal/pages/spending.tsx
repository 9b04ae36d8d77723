import { Failed, Loading, ShowMore } from '../components/bits';
import { money, when } from '../format';
import type { Spending } from '../types';
import { usePaged, useTitle } from '../use-api';

/** Spending: this week against the weekly cap, today against the daily one, each payment and refund. */
export function SpendingPage() {
  useTitle('Spending');
  const { data, error, all: entries, next, loadMore } = usePaged('/spending', (s: Spending) => s.entries);
  const week = data?.week;
  const today = data?.today;
  return (
    <>
      <h1>Spending</h1>
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="your spending" />}
      {week && today && (
        <div class="figures">
          <article data-testid="week">
            <h2>This week</h2>
            <p>
              <strong>{money(week.spent.cents, week.spent.currency)}</strong>
              {week.cap ? ` of your ${money(week.cap.cents, week.cap.currency)} cap` : ' (no weekly cap)'}
            </p>
            {week.cap && (
              <progress
                value={Math.min(week.spent.cents, week.cap.cents)}
                max={week.cap.cents || 1}
                aria-label="This week's spend against your cap"
              />
            )}
            <small>Since {when(week.startedAt)}.</small>
            {week.atCap && <p role="status">At your weekly cap: no more leads this week.</p>}
          </article>
          <article data-testid="today">
            <h2>Today</h2>
            <p>
              <strong>{today.leads}</strong> {today.leads === 1 ? 'lead' : 'leads'}
              {today.cap === null ? ' (no daily cap)' : ` of your ${today.cap} a day`}
            </p>
            {today.atCap && <p role="status">At your daily cap: no more leads today.</p>}
          </article>
        </div>
      )}
      {data && (
        <section aria-labelledby="payments-heading">
          <h2 id="payments-heading">Payments and refunds</h2>
          {entries.length === 0 && <p>None yet.</p>}
          <ul class="entries">
            {entries.map((e) => (
              <li key={`${e.type}-${e.at}-${e.leadCode}`} data-testid={`entry-${e.type}-${e.leadCode}`}>
                <span>{when(e.at)}</span>
                <span>Lead {e.leadCode}</span>
                <span class={e.type}>
                  {e.type === 'refund' ? 'Refund ' : ''}
                  {money(e.type === 'refund' ? -e.amount.cents : e.amount.cents, e.amount.currency)}
                </span>
                {e.receiptUrl ? (
                  <a href={e.receiptUrl} target="_blank" rel="noreferrer">
                    Receipt
                  </a>
                ) : (
                  <span class="muted">receipt soon</span>
                )}
              </li>
            ))}
          </ul>
          <ShowMore next={next} onClick={loadMore} />
        </section>
      )}
    </>
  );
}
