import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api } from '../api';
import { ActionButton } from '../components/action-button';
import { Failed, Loading, Status } from '../components/bits';
import { ClientConsent } from '../components/client-consent';
import { DataTable } from '../components/data-table';
import { EraseClient } from '../components/erase-client';
import { useTitle } from '../components/layout';
import { useSay } from '../components/notice';
import { dateTime, money, phone } from '../format';
import {
  deliveryText,
  LEAD_STATUS,
  labelOf,
  RETURN_REASON,
  RETURN_STATUS,
  SMS_KIND,
  SMS_STATUS,
  TIMELINE_KIND,
  UNMATCHED_LABELS,
} from '../labels';
import type { LeadDetail, Provider, TimelineEvent } from '../types';
import { useApi } from '../use-api';

type Purchase = LeadDetail['unlocks'][number];
type ReturnReason = keyof typeof RETURN_REASON;

/** What an event adds to its label, as plain text (a reply's text stays text). */
function eventDetail(e: TimelineEvent): string {
  const d = e.detail;
  if (!d) return '';
  switch (e.kind) {
    case 'reply':
      return `“${d.text ?? ''}” (${d.outcome ?? ''})`;
    case 'paid':
      return d.amountCents === undefined ? '' : money(d.amountCents, d.currency);
    case 'refunded':
      if (d.pastCap) return `past the cap, refund ${d.status ?? ''}`;
      return [
        d.amountCents === undefined ? '' : money(d.amountCents, d.currency),
        d.returnId ? `for a return${d.status ? `, refund ${d.status}` : ''}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
    case 'return_opened':
      return `${labelOf(RETURN_REASON, d.reason)} (${d.source === 'sms' ? 'by SMS' : `in the ${d.source ?? 'console'}`})`;
    case 'return_decided':
      return `${d.status ?? ''}${d.auto ? ' automatically' : ''}`;
    case 'teaser':
    case 'sms': {
      const parts = [
        d.smsKind && labelOf(SMS_KIND, d.smsKind),
        d.status && labelOf(SMS_STATUS, d.status),
        d.delivery ? deliveryText(d.delivery, phone) : '',
      ].filter(Boolean);
      return parts.join(' · ') + (d.needsAttention ? ' · needs attention' : '');
    }
    default:
      return '';
  }
}

/**
 * The links between a duplicate and its original (the same client asking again in the same
 * category): ids and codes as link text, nothing of the client's.
 */
const SOURCE_LABELS: Record<keyof NonNullable<LeadDetail['source']>, string> = {
  utmSource: 'source',
  utmMedium: 'medium',
  utmCampaign: 'campaign',
  gclid: 'Google click',
  fbclid: 'Meta click',
  affiliate: 'affiliate',
  landingPage: 'landing page',
};

/** Where the lead came from (POST /leads `source`), the fields given, as text. */
const sourceText = (source: LeadDetail['source']): string =>
  Object.entries(SOURCE_LABELS)
    .flatMap(([field, label]) => {
      const value = source?.[field as keyof typeof SOURCE_LABELS];
      return value ? [`${label}: ${value}`] : [];
    })
    .join(' · ') || '—';

function Duplicates({ lead }: { lead: LeadDetail }) {
  const duplicates = lead.duplicates ?? [];
  return (
    <>
      {lead.duplicateOf && (
        <>
          <dt>Duplicate of</dt>
          <dd data-testid="lead-duplicate-of">
            <Link href={`/leads/${encodeURIComponent(lead.duplicateOf)}`}>the original lead</Link> (offered
            only to providers who were not offered it)
          </dd>
        </>
      )}
      {duplicates.length > 0 && (
        <>
          <dt>Duplicates</dt>
          <dd data-testid="lead-duplicates">
            {duplicates.map((d, i) => (
              <span key={d.id}>
                {i > 0 && ', '}
                <Link href={`/leads/${encodeURIComponent(d.id)}`}>{d.code}</Link> ({dateTime(d.createdAt)})
              </span>
            ))}
          </dd>
        </>
      )}
    </>
  );
}

/** `POST /leads/{id}/close`'s answer. */
type Closed = { lead: { code: string; checkoutSessionsExpired: number; teasersCancelled: number } };
/** `POST /leads/{id}/offers`'s answer. */
type Offered = { teaserAt: string; held: boolean };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the operator does to an open lead: close it, offer it to a provider they name. */
function LeadActions({ lead, done }: { lead: LeadDetail; done: () => void }) {
  const providers = useApi<{ providers: Provider[] }>('/providers');
  const [providerId, setProviderId] = useState('');
  const offered = new Set(lead.offers.map((o) => o.providerId));
  const choices = (providers.data?.providers ?? []).filter((p) => !offered.has(p.id));
  const chosen = choices.find((p) => p.id === providerId);
  return (
    <section aria-labelledby="lead-actions" class="lead-actions" data-testid="lead-actions">
      <h2 id="lead-actions">Actions</h2>
      <div class="grid">
        <div>
          <p>Stop selling this lead: nobody else can buy it, its open checkouts are expired.</p>
          <ActionButton
            label="Close lead"
            testId="close-lead"
            confirm={{
              question: `Close lead ${lead.code}? Providers can no longer buy it. This cannot be undone.`,
              yes: 'Close the lead',
            }}
            run={async () => {
              const { lead: c } = await api<Closed>(`/leads/${encodeURIComponent(lead.id)}/close`, {
                method: 'POST',
              });
              done();
              return `Closed lead ${c.code}: ${plural(c.checkoutSessionsExpired, 'open checkout')} expired, ${plural(c.teasersCancelled, 'held teaser')} cancelled.`;
            }}
          />
        </div>
        <div>
          <label>
            Offer it to a provider
            <select
              value={providerId}
              onChange={(e) => setProviderId(e.currentTarget.value)}
              data-testid="offer-provider"
            >
              <option value="">Choose a provider…</option>
              {choices.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          {chosen && (
            <ActionButton
              label={`Offer to ${chosen.name}`}
              testId="offer-lead"
              confirm={{
                question: `Text ${chosen.name} the teaser of lead ${lead.code} at ${money(lead.priceCents, lead.currency)}?`,
                yes: 'Send the teaser',
              }}
              run={async () => {
                const o = await api<Offered>(`/leads/${encodeURIComponent(lead.id)}/offers`, {
                  method: 'POST',
                  body: { providerId: chosen.id },
                });
                setProviderId('');
                done();
                return o.held
                  ? `Offered lead ${lead.code} to ${chosen.name}: the teaser waits for their hours, until ${dateTime(o.teaserAt)}.`
                  : `Offered lead ${lead.code} to ${chosen.name}: the teaser was sent.`;
              }}
            />
          )}
        </div>
      </div>
    </section>
  );
}

/** A purchase's "Open a return" (POST /unlocks/{id}/return), with the reason the operator picks. */
function OpenReturn({ purchase, lead, done }: { purchase: Purchase; lead: LeadDetail; done: () => void }) {
  const [reason, setReason] = useState<ReturnReason>('wrong_area');
  const name = lead.offers.find((o) => o.providerId === purchase.providerId)?.providerName ?? 'the provider';
  return (
    <>
      <select
        aria-label={`Reason for returning ${name}'s purchase`}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value as ReturnReason)}
      >
        {Object.entries(RETURN_REASON).map(([code, label]) => (
          <option key={code} value={code}>
            {label}
          </option>
        ))}
      </select>
      <ActionButton
        label="Open a return"
        ariaLabel={`Open a return of ${name}'s purchase`}
        confirm={{
          question: `Open a return of ${name}'s purchase (${money(purchase.amountCents, purchase.currency)}), as “${RETURN_REASON[reason]}”? ${name} is told by SMS.`,
          yes: 'Open the return',
        }}
        run={async () => {
          const r = await api<{ return: { status: keyof typeof RETURN_STATUS } }>(
            `/unlocks/${encodeURIComponent(purchase.id)}/return`,
            { method: 'POST', body: { reason } },
          );
          done();
          return `Opened a return of ${name}'s purchase: ${RETURN_STATUS[r.return.status].toLowerCase()}.`;
        }}
      />
    </>
  );
}

export function LeadPage(props: { id: string }) {
  const { data: lead, error, reload } = useApi<LeadDetail>(`/leads/${encodeURIComponent(props.id)}`);
  const say = useSay();
  useTitle(lead ? `Lead ${lead.code}` : 'Lead');
  if (error)
    return (
      <>
        <h1>Lead</h1>
        <Failed error={error} />
      </>
    );
  if (!lead) return <Loading what="the lead" />;
  const timeline = lead.timeline ?? [];
  const returned = new Set((lead.returns ?? []).map((r) => r.unlockId));
  const nameOf = (providerId: string) =>
    lead.offers.find((o) => o.providerId === providerId)?.providerName ?? '—';
  return (
    <>
      <p>
        <Link href="/leads">← Leads</Link>
      </p>
      <h1>
        Lead {lead.code} <Status value={lead.status} label={LEAD_STATUS[lead.status]} testId="lead-status" />
      </h1>
      <article>
        <dl class="details">
          {lead.erasedAt ? (
            <>
              <dt>Client</dt>
              <dd data-testid="lead-erased">
                Client data erased at <time dateTime={lead.erasedAt}>{dateTime(lead.erasedAt)}</time>
              </dd>
            </>
          ) : (
            <>
              <dt>Client</dt>
              <dd data-testid="lead-name">{lead.name}</dd>
              <dt>Phone</dt>
              <dd>{phone(lead.phone)}</dd>
              <dt>Email</dt>
              <dd>{lead.email ?? '—'}</dd>
            </>
          )}
          <dt>Category</dt>
          <dd>{lead.category}</dd>
          <dt>Area</dt>
          <dd>{[lead.zipCode, lead.city].filter(Boolean).join(', ')}</dd>
          {!lead.erasedAt && (
            <>
              <dt>Description</dt>
              <dd class="description" data-testid="lead-description">
                {lead.description}
              </dd>
              <dt>Budget</dt>
              <dd>{lead.budget ?? '—'}</dd>
            </>
          )}
          <dt>Price</dt>
          <dd>{money(lead.priceCents, lead.currency)}</dd>
          <dt>Unlocked</dt>
          <dd data-testid="lead-unlocked">{`${lead.unlockCount} of ${lead.maxUnlocks}`}</dd>
          <dt>Created</dt>
          <dd>{dateTime(lead.createdAt)}</dd>
          {lead.closedAt ? (
            <>
              {/* Closed by an operator, or returned and the return approved (the timeline says which). */}
              <dt>Taken off sale</dt>
              <dd data-testid="lead-closed">{dateTime(lead.closedAt)}</dd>
            </>
          ) : (
            <>
              <dt>{lead.status === 'expired' ? 'Expired' : 'Expires'}</dt>
              <dd>{dateTime(lead.expiresAt)}</dd>
            </>
          )}
          <dt>Source</dt>
          <dd data-testid="lead-source">{sourceText(lead.source)}</dd>
          {lead.unmatchedReason && (
            <>
              <dt>Offered to nobody</dt>
              <dd data-testid="lead-unmatched">{UNMATCHED_LABELS[lead.unmatchedReason]}</dd>
            </>
          )}
          {lead.teasersHeldUntil && (
            <>
              <dt>Teasers held until</dt>
              <dd data-testid="lead-teasers-held">{dateTime(lead.teasersHeldUntil)} (quiet hours)</dd>
            </>
          )}
          <Duplicates lead={lead} />
        </dl>
        {!lead.erasedAt && (
          <footer class="actions">
            <EraseClient
              leadId={lead.id}
              onErased={(said) => {
                say(said);
                reload();
              }}
            />
          </footer>
        )}
      </article>
      {lead.status === 'open' && <LeadActions lead={lead} done={reload} />}
      <h2>Purchases</h2>
      <DataTable
        label="Purchases of this lead"
        testId="lead-purchases"
        rows={lead.unlocks}
        rowKey={(u) => u.id}
        empty="Nobody has bought this lead yet."
        columns={[
          {
            header: 'Provider',
            cell: (u) => <Link href={`/providers/${u.providerId}`}>{nameOf(u.providerId)}</Link>,
          },
          { header: 'Amount', nowrap: true, cell: (u) => money(u.amountCents, u.currency) },
          { header: 'Paid', cell: (u) => dateTime(u.createdAt) },
          {
            header: 'Return',
            cell: (u) => {
              const r = (lead.returns ?? []).find((x) => x.unlockId === u.id);
              return r ? RETURN_STATUS[r.status] : u.refunded ? 'Refunded' : '—';
            },
          },
        ]}
        actions={(u) =>
          u.refunded || returned.has(u.id) ? null : <OpenReturn purchase={u} lead={lead} done={reload} />
        }
      />
      <h2>Client&rsquo;s consent</h2>
      <ClientConsent consent={lead.consent} erased={lead.erasedAt !== null} />
      <h2>Timeline</h2>
      <ol class="timeline" data-testid="timeline">
        {timeline.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <time dateTime={e.at}>{dateTime(e.at)}</time> <strong>{TIMELINE_KIND[e.kind]}</strong>
            {e.providerName && (
              <>
                {' '}
                {e.providerId ? (
                  <Link href={`/providers/${e.providerId}`}>{e.providerName}</Link>
                ) : (
                  e.providerName
                )}
              </>
            )}
            {eventDetail(e) && <span class="detail"> {eventDetail(e)}</span>}
          </li>
        ))}
      </ol>
      <h2>SMS</h2>
      <DataTable
        label="SMS of this lead"
        testId="lead-sms"
        rows={lead.sms}
        rowKey={(m) => String(m.id)}
        rowClass={(m) => (m.needsAttention ? 'attention' : undefined)}
        empty="No SMS about this lead."
        columns={[
          { header: 'Kind', cell: (m) => labelOf(SMS_KIND, m.kind) },
          { header: 'To', cell: (m) => m.recipients.map((r) => phone(r)).join(', ') },
          {
            header: 'Status',
            cell: (m) => (
              <>
                <Status value={m.status} label={SMS_STATUS[m.status]} />
                {m.lastError && <small class="detail"> {m.lastError}</small>}
              </>
            ),
          },
          { header: 'Tries', nowrap: true, cell: (m) => m.attempts },
          { header: 'Sent', cell: (m) => dateTime(m.sentAt) },
          { header: 'Delivery', cell: (m) => deliveryText(m.delivery, phone) },
        ]}
      />
    </>
  );
}
