import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ClientDetails, Failed, Loading, ShowMore } from '../components/bits';
import { money, when } from '../format';
import type { Bought, Leads, OpenedReturn, ReturnReason } from '../types';
import { usePaged, useTitle } from '../use-api';

/** The reasons a return may give (lib/sms/return-reason.ts), as a provider reads them. */
export const REASONS: Record<ReturnReason, string> = {
  wrong_area: 'Outside my area',
  wrong_service: 'Not a job I do',
  bad_contact: "The client's phone or e-mail does not work",
  duplicate: 'I already had this client',
  other: 'Something else',
};

const STATUS: Record<string, string> = {
  open: 'waiting for review',
  approved: 'approved: refunded',
  declined: 'declined',
};

/** "Report a problem": the reason and their words, then the return as opened (POST /portal/api/returns). */
function ReportProblem(props: { lead: Bought; onOpened: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<ReturnReason>('wrong_area');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const code = props.lead.code;
  if (!open) {
    return (
      <button
        type="button"
        class="secondary"
        aria-label={`Report a problem with lead ${code}`}
        onClick={() => setOpen(true)}
      >
        Report a problem
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api<{ return: OpenedReturn }>('/returns', {
        method: 'POST',
        body: { offerId: props.lead.offerId, reason, ...(text.trim() ? { text: text.trim() } : {}) },
      });
      props.onOpened();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="report" onSubmit={(e) => void submit(e)} aria-label={`Return lead ${code}`}>
      <label>
        What is wrong?
        <select value={reason} onChange={(e) => setReason(e.currentTarget.value as ReturnReason)}>
          {Object.entries(REASONS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        In your words (optional)
        <textarea rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {error && <Failed error={error} />}
      <div class="actions">
        <button type="submit" aria-busy={busy} disabled={busy}>
          Send the return
        </button>
        <button type="button" class="secondary outline" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function BoughtLead(props: { lead: Bought; reload: () => void }) {
  const b = props.lead;
  return (
    <article class="bought" data-testid={`bought-${b.code}`}>
      <header>
        <strong>Lead {b.code}</strong> · {b.categoryName ?? b.category} · {b.zipCode}
      </header>
      {b.client ? (
        <ClientDetails client={b.client} />
      ) : (
        <p>The client's details were erased at their request.</p>
      )}
      <p class="paid">
        Paid {money(b.amountCents, b.currency)} on {when(b.paidAt)}
        {b.paidWith === 'saved_card' ? ' (saved card)' : ''}
        {b.refundedAt && <> · refunded {when(b.refundedAt)}</>}
      </p>
      {b.return && (
        <p data-testid="return-status">
          Return: {STATUS[b.return.status] ?? b.return.status}
          {b.return.note && <> · “{b.return.note}”</>}
        </p>
      )}
      {b.canOpen && (
        <>
          <ReportProblem lead={b} onOpened={props.reload} />
          <small class="until">You can return it until {when(b.openUntil)}.</small>
        </>
      )}
    </article>
  );
}

/** Bought: each lead bought, newest first, with the client's details again and its return. */
export function BoughtPage() {
  useTitle('Bought leads');
  const { data, error, all, next, loadMore, reload } = usePaged('/leads', (l: Leads) => l.bought);
  return (
    <>
      <h1>Bought leads</h1>
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="your bought leads" />}
      {data && all.length === 0 && <p>No bought leads yet.</p>}
      {all.map((b) => (
        <BoughtLead key={b.offerId} lead={b} reload={() => void reload()} />
      ))}
      <ShowMore next={next} onClick={loadMore} />
    </>
  );
}
