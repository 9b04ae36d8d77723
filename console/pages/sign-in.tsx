import { useEffect, useRef, useState } from 'preact/hooks';
import { CodeInput } from '../components/code-input';
import { navigate } from 'wouter-preact/use-browser-location';
import { api, ApiError, BASE } from '../api';
import { useTitle } from '../components/layout';

/** Where to go after signing in: a console path only (never another site). */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return next.startsWith(`${BASE}/`) && !next.startsWith('//') && !next.startsWith(`${BASE}/sign-in`)
    ? next
    : `${BASE}/`;
}

const failure = (err: unknown) =>
  err instanceof ApiError ? err.message : 'The console could not reach the server';

/** The admin key's form: shown only while the console has no owner (`GET /admin/sign-in-options`). */
function KeyForm() {
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
      setError(failure(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} data-testid="key-sign-in">
      <p>
        No owner has signed up yet: sign in with the admin key, then invite the first owner on the Operators
        page.
      </p>
      <label>
        Admin key
        <input
          type="password"
          name="key"
          autocomplete="off"
          required
          value={key}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'key-error' : undefined}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert" id="key-error" data-testid="sign-in-error">
          {error}
        </p>
      )}
      <button type="submit" aria-busy={busy} disabled={busy}>
        Sign in with the key
      </button>
    </form>
  );
}

export function SignIn() {
  useTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [keyOpen, setKeyOpen] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    api<{ adminKey: boolean }>('/admin/sign-in-options').then(
      (o) => setKeyOpen(o.adminKey),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    if (askCode) codeInput.current?.focus();
  }, [askCode]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('/admin/sign-in', {
        method: 'POST',
        body: { email, password, ...(askCode ? { code } : {}) },
      });
      navigate(nextPath(), { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') setAskCode(true);
      else setError(failure(err));
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
        <form onSubmit={(e) => void submit(e)} data-testid="password-sign-in">
          <label>
            E-mail
            <input
              type="email"
              name="email"
              autocomplete="username"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </label>
          <label>
            Password
            <input
              type="password"
              name="password"
              autocomplete="current-password"
              required
              value={password}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? 'sign-in-error' : undefined}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {askCode && (
            <label>
              Code from your authenticator app
              <CodeInput inputRef={codeInput} value={code} onInput={setCode} />
            </label>
          )}
          {error && (
            <p class="error" role="alert" id="sign-in-error" data-testid="sign-in-error">
              {error}
            </p>
          )}
          <button type="submit" aria-busy={busy} disabled={busy}>
            Sign in
          </button>
        </form>
        {keyOpen && <KeyForm />}
      </article>
    </main>
  );
}
