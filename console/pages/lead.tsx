import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { Failed, Loading, Status, TableScroll } from '../components/bits';
import { ClientConsent } from '../components/client-consent';
import { EraseClient } from '../components/erase-client';
import { dateTime, money, UNMATCHED_LABELS } from '../format';
import { LEAD_STATUS, SMS_STATUS } from '../labels';
import type { LeadDetail, TimelineEvent } from '../types';
import { useApi } from '../use-api';

const KINDS: Record<string, string> = {
  created: 'Lead created',
  teaser: 'Teaser sent',
  reply: 'Replied',
  link_opened: 'Opened the pay link',
  checkout_created: 'Checkout created',
  paid: 'Paid',
  refunded: 'Refunded',
  return_opened: 'Return opened',
  return_decided: 'Return decided',
  sms: 'SMS',
  full: 'Sold out',
  expired: 'Expired',
};
const kindLabel = (kind: string) => KINDS[kind] ?? kind.replaceAll('_', ' ');

const deliveryText = (d: string | Record<string, string> | null | undefined) =>
  d == null ? '' : typeof d === 'string' ? d : Object.values(d).join(', ');

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
      return `${(d.reason ?? '').replaceAll('_', ' ')} (by ${d.source === 'console' ? 'the console' : 'SMS'})`;
    case 'return_decided':
      return `${d.status ?? ''}${d.auto ? ' automatically' : ''}`;
    case 'teaser':
    case 'sms': {
      const parts = [d.smsKind, d.status, deliveryText(d.delivery)].filter(Boolean);
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

export function LeadPage(props: { id: string }) {
  const { data: lead, error, reload } = useApi<LeadDetail>(`/leads/${encodeURIComponent(props.id)}`);
  // What the last action did ("Erased: 1 lead"), focused so a keyboard or screen reader user hears it.
  const [notice, setNotice] = useState<string>();
  const noticeRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  useEffect(() => setNotice(undefined), [props.id]);
  if (error)
    return (
      <>
        <h1>Lead</h1>
        <Failed error={error} />
      </>
    );
  if (!lead) return <Loading what="the lead" />;
  const timeline = lead.timeline ?? [];
  return (
    <>
      <p>
        <Link href="/leads">← Leads</Link>
      </p>
      <h1>
        Lead {lead.code} <Status value={lead.status} label={LEAD_STATUS[lead.status]} testId="lead-status" />
      </h1>
      {notice && (
        <p role="status" tabIndex={-1} ref={noticeRef} data-testid="lead-notice">
          {notice}
        </p>
      )}
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
              <dd>{lead.phone}</dd>
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
          <dt>Expires</dt>
          <dd>{dateTime(lead.expiresAt)}</dd>
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
                setNotice(said);
                reload();
              }}
            />
          </footer>
        )}
      </article>
      <h2>Client&rsquo;s consent</h2>
      <ClientConsent consent={lead.consent} erased={lead.erasedAt !== null} />
      <h2>Timeline</h2>
      <ol class="timeline" data-testid="timeline">
        {timeline.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <time dateTime={e.at}>{dateTime(e.at)}</time> <strong>{kindLabel(e.kind)}</strong>
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
      <TableScroll label="SMS of this lead">
        <table class="striped">
          <thead>
            <tr>
              <th>Kind</th>
              <th>To</th>
              <th>Status</th>
              <th>Tries</th>
              <th>Sent</th>
              <th>Delivery</th>
            </tr>
          </thead>
          <tbody>
            {lead.sms.map((m) => (
              <tr key={String(m.id)} class={m.needsAttention ? 'attention' : undefined}>
                <td>{m.kind}</td>
                <td>{m.recipients.join(', ')}</td>
                <td>
                  <Status value={m.status} label={SMS_STATUS[m.status]} />
                  {m.lastError && <small class="detail"> {m.lastError}</small>}
                </td>
                <td>{m.attempts}</td>
                <td>{dateTime(m.sentAt)}</td>
                <td>
                  {Object.entries(m.delivery)
                    .map(([to, s]) => `${to}: ${typeof s === 'string' ? s : JSON.stringify(s)}`)
                    .join('; ') || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
