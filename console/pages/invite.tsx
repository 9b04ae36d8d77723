import { useState } from 'preact/hooks';
import { navigate } from 'wouter-preact/use-browser-location';
import { api, ApiError, BASE } from '../api';
import { useTitle } from '../components/layout';

const MIN = 12;

/**
 * The invite link's page (`/admin/invite#<token>`): the invitee sets a password and is signed in.
 * The token is read from the fragment, which the browser never sends to a server.
 */
export function Invite() {
  useTitle('Set your password');
  const token = location.hash.slice(1);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const length = [...password].length;
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (length < MIN)
      return setError(`The password needs at least ${MIN} characters (a few words work well).`);
    if (password !== again) return setError('The two passwords differ.');
    setBusy(true);
    try {
      await api('/admin/invite', { method: 'POST', body: { token, password } });
      // The link is spent: take it out of the address bar and the history.
      history.replaceState(null, '', `${BASE}/`);
      navigate(`${BASE}/`, { replace: true });
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
          <h1>Set your password</h1>
        </header>
        {!token ? (
          <p class="error" role="alert">
            This page needs the whole invite link, with the part after <code>#</code>. Ask an owner for a new
            one.
          </p>
        ) : (
          <form onSubmit={(e) => void submit(e)}>
            <p id="password-rules">
              At least {MIN} characters; long passphrases are welcome. You sign in with your e-mail and this
              password from now on.
            </p>
            <label>
              New password
              <input
                type="password"
                name="password"
                autocomplete="new-password"
                required
                aria-describedby="password-rules"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
            <label>
              The same again
              <input
                type="password"
                name="again"
                autocomplete="new-password"
                required
                value={again}
                onInput={(e) => setAgain(e.currentTarget.value)}
              />
            </label>
            {error && (
              <p class="error" role="alert" data-testid="invite-error">
                {error}
              </p>
            )}
            <button type="submit" aria-busy={busy} disabled={busy}>
              Set password and sign in
            </button>
          </form>
        )}
      </article>
    </main>
  );
}
