import { dateTime } from '../format';
import type { LeadConsent } from '../types';

/**
 * An address the client's form sent, as a link only when it is http(s) (the API accepts no other,
 * lib/privacy/consent-input.ts; checked again here so no stored value becomes a `javascript:` link).
 */
function WebLink(props: { url: string | null }) {
  if (!props.url) return <>—</>;
  let web = false;
  try {
    web = /^https?:$/.test(new URL(props.url).protocol);
  } catch {
    web = false;
  }
  if (!web) return <>{props.url}</>;
  return (
    <a href={props.url} target="_blank" rel="noopener noreferrer">
      {props.url}
    </a>
  );
}

/** What the client agreed to when they asked (POST /leads `consent`), for the operator's records. */
export function ClientConsent(props: { consent: LeadConsent | null; erased: boolean }) {
  const c = props.consent;
  if (!c)
    return (
      <p data-testid="lead-consent" class="detail">
        No consent recorded: the lead was sent without the client&rsquo;s consent wording.
      </p>
    );
  const kept = (v: string | null) => v ?? (props.erased ? 'erased' : '—');
  return (
    <dl class="details" data-testid="lead-consent">
      <dt>Wording</dt>
      <dd class="description" data-testid="lead-consent-text">
        {c.text}
      </dd>
      <dt>Agreed</dt>
      <dd>
        <time dateTime={c.agreedAt}>{dateTime(c.agreedAt)}</time>
      </dd>
      <dt>IP address</dt>
      <dd>{kept(c.ip)}</dd>
      <dt>Browser</dt>
      <dd>{kept(c.userAgent)}</dd>
      <dt>Page</dt>
      <dd>
        <WebLink url={c.pageUrl} />
      </dd>
      <dt>Certificate</dt>
      <dd>
        <WebLink url={c.certificateUrl} />
      </dd>
    </dl>
  );
}
