import { useTitle } from '../use-api';

/** Our SMS number, as the server wrote it into the shell (lib/portal/portal-app.ts). */
const ourNumber = () =>
  document.querySelector<HTMLMetaElement>('meta[name="lu-sms-number"]')?.content || undefined;

/** What a visitor without a live session sees, and nothing else. */
export function SignedOut() {
  useTitle('Sign in');
  const number = ourNumber();
  return (
    <main class="container signed-out">
      <h1>Sign in by text</h1>
      <p data-testid="sign-in-how">
        Text ACCOUNT to {number ? <a href={`sms:${number}`}>{number}</a> : 'our number'} for a sign-in link.
      </p>
    </main>
  );
}
