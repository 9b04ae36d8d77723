import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api } from '../api';
import { Failed, Loading, Status, TableScroll } from '../components/bits';
import { dateTime } from '../format';
import { SMS_STATUS, STRIPE_TASK_STATUS } from '../labels';
import type { SmsRow, StripeTask } from '../types';
import { useApi } from '../use-api';

function RetryButton(props: { sms: SmsRow; onDone: () => void }) {
  const [state, setState] = useState<{ busy?: boolean; error?: string; done?: string }>({});
  const retry = async () => {
    setState({ busy: true });
    try {
      const res = await api<{ retried: boolean; sms: SmsRow }>(
        `/sms/${encodeURIComponent(String(props.sms.id))}/retry`,
        { method: 'POST' },
      );
      // Sent at once when TextMagic answers; else queued for the dispatcher (within a minute).
      const done = !res.retried
        ? 'Retried before'
        : res.sms.status === 'sent'
          ? 'Sent'
          : `Queued again (${res.sms.status})`;
      setState({ done });
      props.onDone();
    } catch (e) {
      setState({ error: (e as Error).message });
    }
  };
  if (state.done) return <small data-testid="retried">{state.done}</small>;
  return (
    <>
      <button
        type="button"
        class="small"
        aria-busy={state.busy}
        disabled={state.busy}
        onClick={() => void retry()}
      >
        Retry
      </button>
      {state.error && <small class="error"> {state.error}</small>}
    </>
  );
}

export function Attention() {
  const sms = useApi<{ sms: SmsRow[]; nextCursor: string | null }>('/sms?status=attention&limit=100');
  const tasks = useApi<{ tasks: StripeTask[] }>('/stripe/tasks?status=pending');
  return (
    <>
      <h1>Attention</h1>
      <h2>SMS that did not get through</h2>
      {sms.error && <Failed error={sms.error} />}
      {!sms.data && !sms.error && <Loading what="SMS" />}
      {sms.data && (
        <TableScroll label="SMS that did not get through">
          <table class="striped" data-testid="attention-sms">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Lead</th>
                <th>Provider</th>
                <th>To</th>
                <th>Status</th>
                <th>Tries</th>
                <th>Last error</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sms.data.sms.map((m) => (
                <tr key={String(m.id)}>
                  <td>{m.kind}</td>
                  <td>{m.leadId ? <Link href={`/leads/${m.leadId}`}>{m.leadCode ?? 'lead'}</Link> : '—'}</td>
                  <td>
                    {m.providerId ? (
                      <Link href={`/providers/${m.providerId}`}>{m.providerName ?? 'provider'}</Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{m.recipients.join(', ')}</td>
                  <td>
                    <Status value={m.status} label={SMS_STATUS[m.status]} />
                  </td>
                  <td>{m.attempts}</td>
                  <td>{m.lastError ?? '—'}</td>
                  <td>{dateTime(m.createdAt)}</td>
                  <td>
                    {m.status === 'failed' && !m.retriedAt ? (
                      <RetryButton sms={m} onDone={() => undefined} />
                    ) : m.retriedAt ? (
                      'retried'
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
              {sms.data.sms.length === 0 && (
                <tr>
                  <td colSpan={9}>Nothing needs attention.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h2>Stripe follow-ups still pending</h2>
      {tasks.error && <Failed error={tasks.error} />}
      {tasks.data && (
        <TableScroll label="Stripe follow-ups still pending">
          <table class="striped" data-testid="attention-stripe">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Lead</th>
                <th>Status</th>
                <th>Tries</th>
                <th>Last error</th>
                <th>Next try</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.tasks.map((t) => (
                <tr key={String(t.id)}>
                  <td>{t.kind}</td>
                  <td>{t.leadId ? <Link href={`/leads/${t.leadId}`}>lead</Link> : '—'}</td>
                  <td>
                    <Status value={t.status} label={STRIPE_TASK_STATUS[t.status]} />
                  </td>
                  <td>{t.attempts}</td>
                  <td>{t.lastError ?? '—'}</td>
                  <td>{dateTime(t.nextAttemptAt)}</td>
                  <td>{dateTime(t.createdAt)}</td>
                </tr>
              ))}
              {tasks.data.tasks.length === 0 && (
                <tr>
                  <td colSpan={7}>No follow-up pending.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
