import { useState } from 'preact/hooks';
import { navigate } from 'wouter-preact/use-browser-location';
import { api, ApiError, BASE } from '../api';

/** Where to go after signing in: a console path only (never another site). */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return next.startsWith(`${BASE}/`) && !next.startsWith('//') && !next.startsWith(`${BASE}/sign-in`)
    ? next
    : `${BASE}/`;
}

export function SignIn() {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('/admin/sign-in', { method: 'POST', body: { key } });
      navigate(nextPath(), { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The console could not reach the server');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="container sign-in">
      <article>
        <header>
          <h1>Lead Unlock console</h1>
        </header>
        <form onSubmit={(e) => void submit(e)}>
          <label>
            Admin key
            <input
              type="password"
              name="key"
              autocomplete="current-password"
              required
              value={key}
              aria-invalid={error ? 'true' : undefined}
              onInput={(e) => setKey(e.currentTarget.value)}
            />
          </label>
          {error && (
            <p class="error" role="alert" data-testid="sign-in-error">
              {error}
            </p>
          )}
          <button type="submit" aria-busy={busy} disabled={busy}>
            Sign in
          </button>
        </form>
      </article>
    </main>
  );
}
