import { useState } from 'preact/hooks';
import { ActionButton } from '../components/action-button';
import { Link } from 'wouter-preact';
import { api } from '../api';
import { Failed, Loading, TableScroll } from '../components/bits';
import { ProviderForm } from '../components/provider-form';
import { useSandbox } from '../sandbox/available';
import { SeedButton } from '../sandbox/seed-button';
import { dateTime, DEFAULT_LANGUAGE, money } from '../format';
import type { Provider } from '../types';
import { useApi } from '../use-api';

/** Pause or resume: PATCH /providers/{id} {active}. */
export function PauseButton(props: { provider: Provider; onChanged: (p: Provider) => void }) {
  const p = props.provider;
  return (
    <ActionButton
      label={p.active ? 'Pause' : 'Resume'}
      run={async () =>
        props.onChanged(
          await api<Provider>(`/providers/${p.id}`, { method: 'PATCH', body: { active: !p.active } }),
        )
      }
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
        <TableScroll label="Providers">
          <table class="striped" data-testid="providers-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Phone</th>
                <th>Categories</th>
                <th>Zip codes</th>
                <th>State</th>
                <th>Buying</th>
                <th>Last offered</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.providers.map((p) =>
                editing === p.id ? (
                  <tr key={p.id}>
                    <td colSpan={8}>
                      <ProviderForm
                        provider={p}
                        onSaved={() => {
                          setEditing(undefined);
                          reload();
                        }}
                        onCancel={() => setEditing(undefined)}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={p.id}>
                    <td>
                      <Link href={`/providers/${p.id}`}>{p.name}</Link>
                    </td>
                    <td>{p.phone}</td>
                    <td>{p.categories.join(', ')}</td>
                    <td>{p.zipCodes.join(', ')}</td>
                    <td>{p.optedOut ? 'opted out' : p.active ? 'active' : 'paused'}</td>
                    <td data-testid="provider-buying">{buyingSummary(p)}</td>
                    <td>{dateTime(p.lastOfferedAt)}</td>
                    <td class="row-actions">
                      <button type="button" class="secondary outline small" onClick={() => setEditing(p.id)}>
                        Edit
                      </button>{' '}
                      <PauseButton provider={p} onChanged={reload} />
                    </td>
                  </tr>
                ),
              )}
              {data.providers.length === 0 && (
                <tr>
                  <td colSpan={8}>No providers yet.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
