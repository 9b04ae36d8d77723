import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { Erasure } from '../types';

/** "Erased: 1 lead" from `POST /privacy/erasures`'s answer. */
export function erasedText(answer: Erasure): string {
  const n = answer.erasedLeads;
  return n === 0 ? 'Erased: no lead (already erased)' : `Erased: ${n} lead${n === 1 ? '' : 's'}`;
}

/**
 * "Erase client data": asks once, in the page (no browser dialog), saying what goes and what stays,
 * then `POST /privacy/erasures {leadId}`: this lead only, as the API erases by lead. `onErased`
 * gets what happened; the page reloads the lead and says it.
 */
export function EraseClient(props: { leadId: string; onErased: (said: string) => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const panel = useRef<HTMLElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  // Keyboard users land on the question when it opens, and back on the button when it closes: in
  // the same task as the render (useEffect runs after paint, and a key pressed before it was lost).
  useLayoutEffect(() => {
    if (asking) panel.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  // Escape takes the question back wherever the focus is while it is asked.
  useEffect(() => {
    if (!asking || busy) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setAsking(false);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [asking, busy]);

  const erase = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<Erasure>('/privacy/erasures', {
        method: 'POST',
        body: { leadId: props.leadId },
      });
      // The page's message takes the focus (this button goes once the lead reloads erased).
      wasAsking.current = false;
      setAsking(false);
      props.onErased(erasedText(answer));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!asking)
    return (
      <button type="button" class="secondary outline" ref={opener} onClick={() => setAsking(true)}>
        Erase client data…
      </button>
    );
  return (
    <section
      class="confirm"
      aria-labelledby="erase-title"
      aria-describedby="erase-what"
      tabIndex={-1}
      ref={panel}
      data-testid="erase-confirm"
    >
      <p id="erase-title">
        <strong>Erase this client&rsquo;s data from this lead, for good?</strong>
      </p>
      <p id="erase-what">
        Removes the name, phone, e-mail, city, budget and description from this lead, the IP and browser from
        its consent, and the client&rsquo;s text from its teaser and details SMS. The lead is sold no more (a
        buyer still waiting for its details is refunded). Codes, amounts, times and the consent wording stay.
        This lead only: other leads of the same client keep their data (erase those by phone or e-mail through
        the API).
      </p>
      <div class="actions">
        <button type="button" class="danger" aria-busy={busy} disabled={busy} onClick={() => void erase()}>
          Erase for good
        </button>
        <button type="button" class="secondary outline" disabled={busy} onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
