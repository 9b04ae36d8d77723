import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, query } from '../api';
import { ActionButton } from '../components/action-button';
import { Failed, Loading, Status } from '../components/bits';
import { DataTable } from '../components/data-table';
import { useTitle } from '../components/layout';
import { useSay } from '../components/notice';
import { dateTime, money } from '../format';
import { RETURN_REASON, RETURN_SOURCE, RETURN_STATUS } from '../labels';
import type { ReturnRow } from '../types';
import { useApi } from '../use-api';

const STATUSES = ['open', 'approved', 'declined'] as const;
/** As the API takes it (lib/sms/return-reason.ts MAX_DECLINE_NOTE): the note goes out in one SMS. */
const MAX_NOTE = 160;

const amount = (r: ReturnRow) => money(r.unlock.amountCents, r.unlock.currency);

/** Approve (asked once, with the amount), or decline with a note; each says what it did. */
function Decide(props: { row: ReturnRow; onDone: () => void }) {
  const r = props.row;
  const [declining, setDeclining] = useState(false);
  const [note, setNote] = useState('');
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({});
  const say = useSay();
  const decline = async () => {
    setState({ busy: true });
    try {
      await api(`/returns/${encodeURIComponent(r.id)}/decline`, { method: 'POST', body: { note } });
      say(`Declined the return of lead ${r.lead.code} by ${r.provider.name}; your note was sent by SMS.`);
      props.onDone();
    } catch (e) {
      setState({ error: (e as Error).message });
    }
  };
  if (declining)
    return (
      <form
        class="decline"
        data-testid="decline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void decline();
        }}
      >
        <input
          name="note"
          aria-label={`Note to ${r.provider.name} (sent by SMS)`}
          placeholder="Note to the provider (sent by SMS)"
          maxLength={MAX_NOTE}
          required
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        <div class="actions">
          <button type="submit" class="small" aria-busy={state.busy} disabled={state.busy || !note.trim()}>
            Decline
          </button>
          <button type="button" class="small secondary outline" onClick={() => setDeclining(false)}>
            Cancel
          </button>
        </div>
        {state.error && (
          <small class="error" role="alert">
            {state.error}
          </small>
        )}
      </form>
    );
  return (
    <>
      <ActionButton
        label="Approve"
        ariaLabel={`Approve the return of lead ${r.lead.code} by ${r.provider.name}`}
        primary
        confirm={{
          question: `Refund ${amount(r)} to ${r.provider.name} for lead ${r.lead.code}?`,
          yes: `Refund ${amount(r)}`,
        }}
        run={async () => {
          await api(`/returns/${encodeURIComponent(r.id)}/approve`, { method: 'POST', body: {} });
          props.onDone();
          return `Refunded ${amount(r)} to ${r.provider.name} for lead ${r.lead.code}; they are told by SMS.`;
        }}
      />
      <button
        type="button"
        class="small outline secondary"
        aria-label={`Decline the return of lead ${r.lead.code} by ${r.provider.name}`}
        onClick={() => setDeclining(true)}
      >
        Decline…
      </button>
    </>
  );
}

/** The Returns queue: open returns to approve (a refund and an SMS) or decline with a note. */
export function Returns() {
  useTitle('Returns');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('open');
  const [cursor, setCursor] = useState<string | undefined>();
  const list = useApi<{ returns: ReturnRow[]; nextCursor: string | null }>(
    `/returns${query({ status, cursor, limit: 50 })}`,
  );
  return (
    <>
      <h1>Returns</h1>
      <div class="actions filters">
        {STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            class={s === status ? 'small' : 'small outline secondary'}
            aria-pressed={s === status}
            onClick={() => {
              setStatus(s);
              setCursor(undefined);
            }}
          >
            {RETURN_STATUS[s]}
          </button>
        ))}
      </div>
      {list.error && <Failed error={list.error} />}
      {!list.data && !list.error && <Loading what="returns" />}
      {list.data && (
        <DataTable
          label="Returns"
          testId="returns"
          rowTestId={() => 'return-row'}
          rows={list.data.returns}
          rowKey={(r) => r.id}
          empty={`No ${RETURN_STATUS[status].toLowerCase()} returns.`}
          columns={[
            {
              header: 'Lead',
              cell: (r) => (
                <>
                  <Link href={`/leads/${r.lead.id}`}>Lead {r.lead.code}</Link> · {r.lead.category} ·{' '}
                  {r.lead.zipCode}
                </>
              ),
            },
            {
              header: 'Provider',
              cell: (r) => <Link href={`/providers/${r.provider.id}`}>{r.provider.name}</Link>,
            },
            {
              header: 'Paid',
              cell: (r) => (
                <>
                  <strong>{amount(r)}</strong>
                  <br />
                  <small>{dateTime(r.unlock.createdAt)}</small>
                </>
              ),
            },
            {
              header: 'Reason',
              cell: (r) => (
                <>
                  {RETURN_REASON[r.reason]}
                  {r.reasonText && <span class="quote"> “{r.reasonText}”</span>}
                </>
              ),
            },
            {
              header: 'Status',
              cell: (r) => (
                <>
                  <Status value={r.status} label={RETURN_STATUS[r.status]} />
                  {r.auto && ' automatically'}
                  {r.note && <span class="quote"> “{r.note}”</span>}
                  {r.decidedAt && (
                    <>
                      <br />
                      <small>{dateTime(r.decidedAt)}</small>
                    </>
                  )}
                </>
              ),
            },
            {
              header: 'Opened',
              cell: (r) => (
                <>
                  {dateTime(r.createdAt)} <small>{RETURN_SOURCE[r.source]}</small>
                </>
              ),
            },
          ]}
          actions={
            status === 'open'
              ? (r) => r.status === 'open' && <Decide row={r} onDone={list.reload} />
              : undefined
          }
        />
      )}
      {list.data?.nextCursor && (
        <button type="button" class="outline" onClick={() => setCursor(list.data!.nextCursor!)}>
          Older
        </button>
      )}
    </>
  );
}
