import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api } from '../api';
import { ActionButton } from '../components/action-button';
import { Failed, Loading, Status } from '../components/bits';
import { DataTable } from '../components/data-table';
import { useTitle } from '../components/layout';
import { dateTime, phone } from '../format';
import { deliveryText, labelOf, SMS_KIND, SMS_STATUS, STRIPE_TASK_KIND, STRIPE_TASK_STATUS } from '../labels';
import type { SmsRow, StripeTask } from '../types';
import { useApi } from '../use-api';

function RetryButton(props: { sms: SmsRow }) {
  const [done, setDone] = useState<string>();
  const kind = labelOf(SMS_KIND, props.sms.kind);
  if (done) return <small data-testid="retried">{done}</small>;
  return (
    <ActionButton
      label="Retry"
      ariaLabel={`Retry the ${kind} SMS to ${props.sms.recipients.map((r) => phone(r)).join(', ')}`}
      primary
      run={async () => {
        const res = await api<{ retried: boolean; sms: SmsRow }>(
          `/sms/${encodeURIComponent(String(props.sms.id))}/retry`,
          { method: 'POST' },
        );
        // Sent at once when TextMagic answers; else queued for the dispatcher (within a minute).
        const shown = !res.retried ? 'Retried before' : res.sms.status === 'sent' ? 'Sent' : 'Queued again';
        setDone(shown);
        return !res.retried
          ? `The ${kind} SMS was retried before; it is not sent twice.`
          : res.sms.status === 'sent'
            ? `Sent the ${kind} SMS again.`
            : `Queued the ${kind} SMS again (${SMS_STATUS[res.sms.status]}): the dispatcher sends it within a minute.`;
      }}
    />
  );
}

export function Attention() {
  useTitle('Attention');
  const sms = useApi<{ sms: SmsRow[]; nextCursor: string | null }>('/sms?status=attention&limit=100');
  const tasks = useApi<{ tasks: StripeTask[] }>('/stripe/tasks?status=pending');
  return (
    <>
      <h1>Attention</h1>
      <h2>SMS that did not get through</h2>
      {sms.error && <Failed error={sms.error} />}
      {!sms.data && !sms.error && <Loading what="SMS" />}
      {sms.data && (
        <DataTable
          label="SMS that did not get through"
          testId="attention-sms"
          rows={sms.data.sms}
          rowKey={(m) => String(m.id)}
          empty="Nothing needs attention."
          columns={[
            { header: 'Kind', cell: (m) => labelOf(SMS_KIND, m.kind) },
            {
              header: 'Lead',
              cell: (m) =>
                m.leadId ? <Link href={`/leads/${m.leadId}`}>Lead {m.leadCode ?? ''}</Link> : '—',
            },
            {
              header: 'Provider',
              cell: (m) =>
                m.providerId ? (
                  <Link href={`/providers/${m.providerId}`}>{m.providerName ?? 'provider'}</Link>
                ) : (
                  '—'
                ),
            },
            {
              header: 'To',
              cell: (m) =>
                m.recipients.map((r, i) => (
                  <Fragment key={r}>
                    {i > 0 && ', '}
                    <span class="nowrap">{phone(r)}</span>
                  </Fragment>
                )),
            },
            {
              header: 'Status',
              cell: (m) => (
                <>
                  <Status value={m.status} label={SMS_STATUS[m.status]} />
                  {Object.keys(m.delivery).length > 0 && (
                    <>
                      <br />
                      <small>{deliveryText(m.delivery, phone)}</small>
                    </>
                  )}
                </>
              ),
            },
            { header: 'Tries', nowrap: true, cell: (m) => m.attempts },
            { header: 'Last error', cell: (m) => m.lastError ?? '—' },
            { header: 'Created', cell: (m) => dateTime(m.createdAt) },
          ]}
          actions={(m) =>
            m.status === 'failed' && !m.retriedAt ? (
              <RetryButton sms={m} />
            ) : m.retriedAt ? (
              <small>Retried {dateTime(m.retriedAt)}</small>
            ) : null
          }
        />
      )}
      <h2>Stripe follow-ups still pending</h2>
      {tasks.error && <Failed error={tasks.error} />}
      {!tasks.data && !tasks.error && <Loading what="Stripe follow-ups" />}
      {tasks.data && (
        <DataTable
          label="Stripe follow-ups still pending"
          testId="attention-stripe"
          rows={tasks.data.tasks}
          rowKey={(t) => String(t.id)}
          empty="No follow-up pending."
          columns={[
            { header: 'Kind', cell: (t) => STRIPE_TASK_KIND[t.kind] },
            {
              header: 'Lead',
              cell: (t) => (t.leadId ? <Link href={`/leads/${t.leadId}`}>The lead</Link> : '—'),
            },
            {
              header: 'Status',
              cell: (t) => <Status value={t.status} label={STRIPE_TASK_STATUS[t.status]} />,
            },
            { header: 'Tries', nowrap: true, cell: (t) => t.attempts },
            { header: 'Last error', cell: (t) => t.lastError ?? '—' },
            { header: 'Next try', cell: (t) => dateTime(t.nextAttemptAt) },
            { header: 'Created', cell: (t) => dateTime(t.createdAt) },
          ]}
        />
      )}
    </>
  );
}
