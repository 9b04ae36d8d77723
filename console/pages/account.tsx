import { useState } from 'preact/hooks';
import { CodeInput } from '../components/code-input';
import { api, ApiError, toSignIn } from '../api';
import { Failed } from '../components/bits';
import { useSession } from '../session';
import { useTitle } from '../components/layout';

const message = (e: unknown) =>
  e instanceof ApiError ? e.message : 'The console could not reach the server';

function CodeForm(props: { label: string; submit: string; run: (code: string) => Promise<void> }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const go = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.run(code);
      setCode('');
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void go(e)}>
      <label>
        {props.label}
        <CodeInput value={code} onInput={setCode} />
      </label>
      {error && <Failed error={error} />}
      <button type="submit" aria-busy={busy} disabled={busy}>
        {props.submit}
      </button>
    </form>
  );
}

/** The signed-in operator's own account: who they are, the second factor, sign out. */
export function Account() {
  useTitle('My account');
  const session = useSession();
  const me = session?.operator;
  const [totp, setTotp] = useState(me?.totp ?? false);
  const [enrolling, setEnrolling] = useState<{ secret: string; uri: string }>();
  const [said, setSaid] = useState<string>();
  const [error, setError] = useState<string>();
  if (!me) {
    return (
      <>
        <h1>My account</h1>
        <p>Signed in with the admin key: it is no one's account. Operators have theirs.</p>
      </>
    );
  }
  const start = async () => {
    setError(undefined);
    setSaid(undefined);
    try {
      setEnrolling(await api<{ secret: string; uri: string }>('/admin/account/totp', { method: 'POST' }));
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <>
      <h1>My account</h1>
      <dl>
        <dt>Name</dt>
        <dd>{me.name}</dd>
        <dt>E-mail</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd data-testid="my-role">{me.role}</dd>
      </dl>
      <section>
        <h2>Second factor</h2>
        <p role="status" data-testid="totp-status">
          {said ?? (totp ? 'On: signing in asks for a code from your authenticator app.' : 'Off.')}
        </p>
        {error && <Failed error={error} />}
        {!totp && !enrolling && (
          <button type="button" onClick={() => void start()}>
            Turn on
          </button>
        )}
        {!totp && enrolling && (
          <>
            <p>
              Add this key to an authenticator app (it takes the link below, or the key typed by hand), then
              enter the code it shows. Until then nothing changes.
            </p>
            <p>
              Key: <code data-testid="totp-secret">{enrolling.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
            </p>
            <p>
              <a href={enrolling.uri}>Open in an authenticator app</a>
            </p>
            <CodeForm
              label="Code from the app"
              submit="Confirm and turn on"
              run={async (code) => {
                await api('/admin/account/totp/confirm', { method: 'POST', body: { code } });
                setEnrolling(undefined);
                setTotp(true);
                setSaid('On: from now on signing in asks for a code.');
              }}
            />
          </>
        )}
        {totp && (
          <CodeForm
            label="Code from the app, to turn it off"
            submit="Turn off"
            run={async (code) => {
              await api('/admin/account/totp/off', { method: 'POST', body: { code } });
              setTotp(false);
              setSaid('Off: signing in takes your password alone.');
            }}
          />
        )}
      </section>
      <section>
        <h2>Sign out</h2>
        <button
          type="button"
          class="secondary"
          onClick={() => void api('/admin/sign-out', { method: 'POST' }).finally(toSignIn)}
        >
          Sign out
        </button>
      </section>
    </>
  );
}
