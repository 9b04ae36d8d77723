import type { Client } from '../types';

export function Loading(props: { what: string }) {
  return <p aria-busy="true">Loading {props.what}…</p>;
}

/** A refusal or a failure, said at once to a screen reader. */
export function Failed(props: { error: string }) {
  return (
    <p class="error" role="alert">
      {props.error}
    </p>
  );
}

/** A bought lead's client: the phone and e-mail as links the phone opens (call, mail). */
export function ClientDetails(props: { client: Client }) {
  const c = props.client;
  return (
    <dl class="client" data-testid="client">
      <dt>Client</dt>
      <dd>{c.name}</dd>
      <dt>Phone</dt>
      <dd>
        <a href={`tel:${c.phone}`}>{c.phone}</a>
      </dd>
      {c.email && (
        <>
          <dt>E-mail</dt>
          <dd>
            <a href={`mailto:${c.email}`}>{c.email}</a>
          </dd>
        </>
      )}
      {c.city && (
        <>
          <dt>City</dt>
          <dd>{c.city}</dd>
        </>
      )}
      {c.budget && (
        <>
          <dt>Budget</dt>
          <dd>{c.budget}</dd>
        </>
      )}
      <dt>Job</dt>
      <dd class="description">{c.description}</dd>
    </dl>
  );
}

/** The next page of a list, when there is one. */
export function ShowMore(props: { next: string | null; onClick: () => Promise<void> }) {
  if (props.next === null) return null;
  return (
    <button type="button" class="secondary outline" onClick={() => void props.onClick()}>
      Show more
    </button>
  );
}
