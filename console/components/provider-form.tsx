import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { Provider } from '../types';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Create a provider, or (with `provider`) change its name, categories and zip codes. */
export function ProviderForm(props: {
  provider?: Provider;
  onSaved: (p: Provider) => void;
  onCancel?: () => void;
}) {
  const p = props.provider;
  const [name, setName] = useState(p?.name ?? '');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [categories, setCategories] = useState(p?.categories.join(', ') ?? '');
  const [zipCodes, setZipCodes] = useState(p?.zipCodes.join(', ') ?? '');
  const [autoPay, setAutoPay] = useState(p?.autoPay ?? true);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { name, categories: list(categories), zipCodes: list(zipCodes) };
      const saved = p
        ? await api<Provider>(`/providers/${p.id}`, { method: 'PATCH', body: { ...body, autoPay } })
        : await api<Provider>('/providers', {
            method: 'POST',
            body: { ...body, phone, ...(email ? { email } : {}) },
          });
      props.onSaved(saved);
      if (!p) {
        setName('');
        setPhone('');
        setEmail('');
        setCategories('');
        setZipCodes('');
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} class="provider-form">
      <div class="grid">
        <label>
          Name
          <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        {!p && (
          <label>
            Phone
            <input
              name="phone"
              type="tel"
              required
              value={phone}
              onInput={(e) => setPhone(e.currentTarget.value)}
            />
          </label>
        )}
        {!p && (
          <label>
            Email (optional)
            <input name="email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
        )}
      </div>
      <div class="grid">
        <label>
          Categories (comma-separated)
          <input
            name="categories"
            required
            value={categories}
            onInput={(e) => setCategories(e.currentTarget.value)}
          />
        </label>
        <label>
          Zip codes (comma-separated)
          <input
            name="zipCodes"
            required
            value={zipCodes}
            onInput={(e) => setZipCodes(e.currentTarget.value)}
          />
        </label>
      </div>
      {p && (
        <label>
          <input
            name="autoPay"
            type="checkbox"
            role="switch"
            checked={autoPay}
            onChange={(e) => setAutoPay(e.currentTarget.checked)}
          />
          Auto-pay: charge the saved card when they reply YES
          <small class="hint">
            ({p.savedCard ? 'a card is saved' : 'no card saved yet: their next payment by link saves one'})
          </small>
        </label>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" aria-busy={busy} disabled={busy}>
          {p ? 'Save' : 'Add provider'}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary outline" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
