import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { Failed, Loading } from '../components/bits';
import { DataTable } from '../components/data-table';
import { useTitle } from '../components/layout';
import { OPT_IN_SOURCE, providerState } from '../labels';
import { ProviderForm } from '../components/provider-form';
import { dateTime, duration, money, percent, phone } from '../format';
import { LANGUAGE_NAMES } from '../format';
import type { ProviderConsent, ProviderDetail } from '../types';
import { useApi } from '../use-api';
import { PauseButton } from './providers';

/** An instant on the provider's own wall clock, with its zone (the operator's when the browser knows not that one). */
function theirTime(iso: string, timeZone: string): string {
  try {
    return `${dateTime(iso, timeZone)} (${timeZone})`;
  } catch {
    return dateTime(iso);
  }
}

/** Their consent record: when and how they opted in, and their last opt-out in their own words. */
function ConsentRecord(props: { consent: ProviderConsent; optedOut: boolean }) {
  const c = props.consent;
  return (
    <>
      <dt>Opted in</dt>
      <dd data-testid="provider-opted-in">
        <time dateTime={c.optedInAt}>{dateTime(c.optedInAt)}</time>, {OPT_IN_SOURCE[c.source]}
      </dd>
      <dt>Opted out</dt>
      <dd data-testid="provider-opted-out">
        {c.optedOutAt === null ? (
          'never'
        ) : (
          <>
            <time dateTime={c.optedOutAt}>{dateTime(c.optedOutAt)}</time>
            {c.optOutText !== null && <>, replying &ldquo;{c.optOutText}&rdquo;</>}
            {!props.optedOut && ' (opted in again since)'}
          </>
        )}
      </dd>
    </>
  );
}

export function ProviderPage(props: { id: string }) {
  const { data, error, reload } = useApi<ProviderDetail>(`/providers/${encodeURIComponent(props.id)}`);
  const [editing, setEditing] = useState(false);
  useTitle(data ? data.provider.name : 'Provider');
  if (error)
    return (
      <>
        <h1>Provider</h1>
        <Failed error={error} />
      </>
    );
  if (!data) return <Loading what="the provider" />;
  const { provider: p, stats, purchases, budget, teaserHours: quiet } = data;
  const spend = Object.entries(stats.spend);
  return (
    <>
      <p>
        <Link href="/providers">← Providers</Link>
      </p>
      <h1>{p.name}</h1>
      <article>
        <dl class="details">
          <dt>Phone</dt>
          <dd>{phone(p.phone)}</dd>
          <dt>Email</dt>
          <dd>{p.email ?? '—'}</dd>
          <dt>Categories</dt>
          <dd>{p.categories.join(', ')}</dd>
          <dt>Zip codes</dt>
          <dd>{p.zipCodes.join(', ')}</dd>
          <dt>State</dt>
          <dd>{p.optedOut ? 'Opted out (no SMS until they reply START)' : providerState(p)}</dd>
          <ConsentRecord consent={p.consent} optedOut={p.optedOut} />
          <dt>Weekly spend cap</dt>
          <dd>
            {p.weeklySpendCapCents === null
              ? 'none'
              : `${money(budget.weekSpentCents)} of ${money(p.weeklySpendCapCents)} this week`}
            {budget.atWeeklyCap && <strong> (at the cap: no teasers until Monday)</strong>}
          </dd>
          <dt>Daily lead cap</dt>
          <dd>
            {p.dailyLeadCap === null ? 'none' : `${budget.todayPurchases} of ${p.dailyLeadCap} today`}
            {budget.atDailyCap && <strong> (at the cap: no teasers until midnight)</strong>}
          </dd>
          <dt>Time zone</dt>
          <dd>{p.timeZone ?? `${budget.timeZone} (default)`}</dd>
          <dt>Teaser hours</dt>
          <dd data-testid="provider-teaser-hours">
            {`${quiet.hours}${quiet.isDefault ? ' (default)' : ''} local: `}
            {quiet.openNow
              ? 'within them now, a new lead is teased at once'
              : `quiet now, a new lead is teased at ${theirTime(quiet.nextTeaserAt, quiet.timeZone)}`}
          </dd>
          <dt>SMS language</dt>
          <dd data-testid="provider-language">{LANGUAGE_NAMES[p.language]}</dd>
          <dt>Saved card</dt>
          <dd>
            {p.savedCard ? 'saved' : 'none yet (their next payment by link saves one)'}
            {`, auto-pay ${p.autoPay ? 'on: a YES charges it' : 'off (AUTO OFF): a YES gets the pay link'}`}
          </dd>
          <dt>Teasers received</dt>
          <dd>{stats.teasersReceived}</dd>
          <dt>YES replies</dt>
          <dd>{stats.yesReplies}</dd>
          <dt>Response rate</dt>
          <dd>{percent(stats.responseRate)}</dd>
          <dt>Median reply time</dt>
          <dd>{duration(stats.medianReplySeconds)}</dd>
          <dt>Purchases</dt>
          <dd>{stats.purchases}</dd>
          <dt>Refunds</dt>
          <dd>{stats.refunds}</dd>
          <dt>Spend (net)</dt>
          <dd>{spend.length ? spend.map(([c, cents]) => money(cents, c)).join(', ') : money(0)}</dd>
          <dt>Last activity</dt>
          <dd>{dateTime(stats.lastActivityAt)}</dd>
        </dl>
        <footer class="actions">
          <button
            type="button"
            class="secondary outline"
            aria-expanded={editing}
            onClick={() => setEditing(!editing)}
          >
            Edit
          </button>
          <PauseButton provider={p} onChanged={reload} />
        </footer>
      </article>
      {editing && (
        <ProviderForm
          provider={p}
          onSaved={() => {
            setEditing(false);
            reload();
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      <h2>Purchases</h2>
      <DataTable
        label="Purchases"
        testId="provider-purchases"
        rows={purchases}
        rowKey={(u) => u.unlockId}
        empty="No purchases yet."
        columns={[
          { header: 'Lead', cell: (u) => <Link href={`/leads/${u.leadId}`}>Lead {u.code}</Link> },
          { header: 'Category', cell: (u) => u.category },
          { header: 'Zip', nowrap: true, cell: (u) => u.zipCode },
          { header: 'Amount', nowrap: true, cell: (u) => money(u.amountCents, u.currency) },
          { header: 'Refunded', nowrap: true, cell: (u) => (u.refunded ? 'Yes' : 'No') },
          { header: 'When', cell: (u) => dateTime(u.createdAt) },
        ]}
      />
    </>
  );
}
