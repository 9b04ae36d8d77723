import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api } from '../api';
import { useTitle } from '../components/layout';

type Answer = { id: string; code: string; offeredTo: number; status: string };
const FIELDS = ['name', 'phone', 'email', 'category', 'zipCode', 'city', 'budget'] as const;
const LABELS: Record<(typeof FIELDS)[number], string> = {
  name: 'Client name',
  phone: 'Client phone',
  email: 'Client email (optional)',
  category: 'Category',
  zipCode: 'Zip code',
  city: 'City (optional)',
  budget: 'Budget (optional)',
};
const OPTIONAL = new Set(['email', 'city', 'budget']);

/** Sandbox only: a client inquiry posted the way a website would (POST /sandbox/inquiry). */
export function NewInquiry() {
  useTitle('New inquiry');
  const [form, setForm] = useState<Record<string, string>>({
    name: 'Jane Client',
    phone: '512-555-0142',
    email: 'jane@example.com',
    category: 'plumbing',
    zipCode: '78701',
    city: 'Austin',
    description: 'Leaking kitchen sink, need it fixed this week',
    budget: '$500',
  });
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    try {
      const body = Object.fromEntries(Object.entries(form).filter(([k, v]) => v !== '' || !OPTIONAL.has(k)));
      setAnswer(await api<Answer>('/sandbox/inquiry', { method: 'POST', body }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const set = (k: string) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <>
      <h1>New inquiry</h1>
      <form onSubmit={(e) => void submit(e)}>
        <div class="grid-2">
          {FIELDS.map((k) => (
            <label key={k}>
              {LABELS[k]}
              <input name={k} required={!OPTIONAL.has(k)} value={form[k]} onInput={set(k)} />
            </label>
          ))}
        </div>
        <label>
          Description
          <textarea name="description" required value={form.description} onInput={set('description')} />
        </label>
        <button type="submit" aria-busy={busy} disabled={busy}>
          Send inquiry
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <article data-testid="inquiry-answer">
          Lead <strong data-testid="inquiry-code">{answer.code}</strong> created, offered to{' '}
          <strong data-testid="inquiry-offered">{answer.offeredTo}</strong> providers.{' '}
          <Link href={`/leads/${answer.id}`}>Open the lead</Link> · <Link href="/phones">See the phones</Link>
        </article>
      )}
    </>
  );
}
