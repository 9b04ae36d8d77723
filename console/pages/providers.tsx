import { useState } from 'preact/hooks';
import { ActionButton } from '../components/action-button';
import { Link } from 'wouter-preact';
import { api } from '../api';
import { Failed, Loading } from '../components/bits';
import { DataTable } from '../components/data-table';
import { useTitle } from '../components/layout';
import { providerState } from '../labels';
import { ProviderForm } from '../components/provider-form';
import { useSandbox } from '../sandbox/available';
import { SeedButton } from '../sandbox/seed-button';
import { dateTime, DEFAULT_LANGUAGE, money, phone } from '../format';
import type { Provider } from '../types';
import { useApi } from '../use-api';

/** Pause or resume: PATCH /providers/{id} {active}; says which it did. */
export function PauseButton(props: { provider: Provider; onChanged: (p: Provider) => void }) {
  const p = props.provider;
  const label = p.active ? 'Pause' : 'Resume';
  return (
    <ActionButton
      label={label}
      ariaLabel={`${label} ${p.name}`}
      run={async () => {
        const changed = await api<Provider>(`/providers/${p.id}`, {
          method: 'PATCH',
          body: { active: !p.active },
        });
        props.onChanged(changed);
        return changed.active
          ? `Resumed ${p.name}: they get teasers again.`
          : `Paused ${p.name}: no teasers until resumed.`;
      }}
    />
  );
}

/** How a provider buys, in a few words: the saved card and auto-pay, their caps, their language. */
export function buyingSummary(p: Provider): string {
  const parts = [p.savedCard ? (p.autoPay ? 'card, auto-pay' : 'card, auto-pay off') : 'pay link'];
  if (p.weeklySpendCapCents !== null) parts.push(`${money(p.weeklySpendCapCents)}/week`);
  if (p.dailyLeadCap !== null) parts.push(`${p.dailyLeadCap}/day`);
  if (p.language !== DEFAULT_LANGUAGE) parts.push(p.language.toUpperCase());
  return parts.join(' · ');
}

export function Providers() {
  useTitle('Providers');
  const { data, error, reload } = useApi<{ providers: Provider[] }>('/providers');
  const [editing, setEditing] = useState<string>();
  const sandbox = useSandbox();
  return (
    <>
      <h1>Providers</h1>
      {/* The sandbox's "Add demo providers": in the offline build only (SANDBOX is a constant), and
          only when the sandbox answers (GET /sandbox/status). */}
      {SANDBOX && sandbox && <SeedButton onSeeded={reload} />}
      <details>
        <summary role="button" class="outline">
          Add a provider
        </summary>
        <ProviderForm onSaved={reload} />
      </details>
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="providers" />}
      {data && (
        <DataTable
          label="Providers"
          testId="providers-table"
          rowTestId={(p) => `provider-${p.id}`}
          rows={data.providers}
          rowKey={(p) => p.id}
          empty="No providers yet."
          expanded={(p) =>
            editing === p.id ? (
              <ProviderForm
                provider={p}
                onSaved={() => {
                  setEditing(undefined);
                  reload();
                }}
                onCancel={() => setEditing(undefined)}
              />
            ) : undefined
          }
          columns={[
            { header: 'Name', cell: (p) => <Link href={`/providers/${p.id}`}>{p.name}</Link> },
            { header: 'Phone', nowrap: true, cell: (p) => phone(p.phone) },
            { header: 'Categories', cell: (p) => p.categories.join(', ') },
            { header: 'Zip codes', cell: (p) => p.zipCodes.join(', ') },
            { header: 'State', nowrap: true, cell: (p) => providerState(p) },
            {
              header: 'Buying',
              cell: (p) => <span data-testid="provider-buying">{buyingSummary(p)}</span>,
            },
            { header: 'Last offered', cell: (p) => dateTime(p.lastOfferedAt) },
          ]}
          actions={(p) => (
            <>
              <button
                type="button"
                class="secondary outline small"
                aria-label={`Edit ${p.name}`}
                onClick={() => setEditing(p.id)}
              >
                Edit
              </button>
              <PauseButton provider={p} onChanged={reload} />
            </>
          )}
        />
      )}
    </>
  );
}
