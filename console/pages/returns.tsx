import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, query } from '../api';
import { Failed, Loading, Status, TableScroll } from '../components/bits';
import { dateTime, money } from '../format';
import { RETURN_STATUS } from '../labels';
import type { ReturnRow } from '../types';
import { useApi } from '../use-api';

const STATUSES = ['open', 'approved', 'declined'] as const;
/** As the API takes it (lib/sms/return-reason.ts MAX_DECLINE_NOTE): the note goes out in one SMS. */
const MAX_NOTE = 160;

/** Approve, or decline with a note: each once; the queue reloads after either. */
function Decide(props: { row: ReturnRow; onDone: () => void }) {
  const [state, setState] = useState<{ busy?: boolean; error?: string; declining?: boolean }>({});
  const [note, setNote] = useState('');
  const decide = async (action: 'approve' | 'decline') => {
    setState({ ...state, busy: true, error: undefined });
    try {
      await api(`/returns/${encodeURIComponent(props.row.id)}/${action}`, {
        method: 'POST',
        body: action === 'decline' ? { note } : {},
      });
      props.onDone();
    } catch (e) {
      setState({ ...state, busy: false, error: (e as Error).message });
    }
  };
  if (state.declining) {
    return (
      <form
        data-testid="decline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void decide('decline');
        }}
      >
        <input
          name="note"
          aria-label="Note to the provider"
          placeholder="Note to the provider (sent by SMS)"
          maxLength={MAX_NOTE}
          required
          value={note}
          onInput={(e) => setNote((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="small" aria-busy={state.busy} disabled={state.busy || !note.trim()}>
          Decline
        </button>
        {state.error && <small class="error"> {state.error}</small>}
      </form>
    );
  }
  return (
    <>
      <button
        type="button"
        class="small"
        aria-busy={state.busy}
        disabled={state.busy}
        onClick={() => void decide('approve')}
      >
        Approve
      </button>{' '}
      <button
        type="button"
        class="small outline secondary"
        disabled={state.busy}
        onClick={() => setState({ declining: true })}
      >
        Decline…
      </button>
      {state.error && <small class="error"> {state.error}</small>}
    </>
  );
}

/** The Returns queue: open returns to approve (a refund and an SMS) or decline with a note. */
export function Returns() {
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('open');
  const [cursor, setCursor] = useState<string | undefined>();
  const list = useApi<{ returns: ReturnRow[]; nextCursor: string | null }>(
    `/returns${query({ status, cursor, limit: 50 })}`,
  );
  return (
    <>
      <h1>Returns</h1>
      <nav>
        <ul>
          {STATUSES.map((s) => (
            <li key={s}>
              <button
                type="button"
                class={s === status ? 'small' : 'small outline secondary'}
                aria-pressed={s === status}
                onClick={() => {
                  setStatus(s);
                  setCursor(undefined);
                }}
              >
                {s}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {list.error && <Failed error={list.error} />}
      {!list.data && !list.error && <Loading what="returns" />}
      {list.data && (
        <TableScroll label="Returns">
          <table class="striped" data-testid="returns">
            <thead>
              <tr>
                <th>Lead</th>
                <th>Provider</th>
                <th>Paid</th>
                <th>Reason</th>
                <th>Their words</th>
                <th>Status</th>
                <th>Opened</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.returns.map((r) => (
                <tr key={r.id} data-testid="return-row">
                  <td>
                    <Link href={`/leads/${r.lead.id}`}>{r.lead.code}</Link> {r.lead.category} {r.lead.zipCode}
                  </td>
                  <td>
                    <Link href={`/providers/${r.provider.id}`}>{r.provider.name}</Link>
                  </td>
                  <td>
                    {money(r.unlock.amountCents, r.unlock.currency)} {dateTime(r.unlock.createdAt)}
                  </td>
                  <td>{r.reason.replace(/_/g, ' ')}</td>
                  <td>{r.reasonText ?? '—'}</td>
                  <td>
                    <Status value={r.status} label={RETURN_STATUS[r.status]} /> {r.auto ? '(auto)' : ''}{' '}
                    {r.note ? `“${r.note}”` : ''}
                  </td>
                  <td>
                    {dateTime(r.createdAt)} {r.source === 'console' ? '(console)' : ''}
                  </td>
                  <td>{r.status === 'open' && <Decide row={r} onDone={list.reload} />}</td>
                </tr>
              ))}
              {list.data.returns.length === 0 && (
                <tr>
                  <td colSpan={8}>No {status} returns.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
      )}
      {list.data?.nextCursor && (
        <button type="button" class="outline" onClick={() => setCursor(list.data!.nextCursor!)}>
          Older
        </button>
      )}
    </>
  );
}
