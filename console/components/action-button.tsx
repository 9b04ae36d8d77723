import { useState } from 'preact/hooks';

/**
 * A small row button that runs one request (pause, deactivate…): busy while it runs, and the
 * API's message beside it when it fails.
 */
export function ActionButton(props: { label: string; ariaLabel?: string; run: () => Promise<unknown> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const click = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.run();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="secondary outline small"
        aria-busy={busy}
        disabled={busy}
        aria-label={props.ariaLabel}
        onClick={() => void click()}
      >
        {props.label}
      </button>
      {error && <small class="error"> {error}</small>}
    </>
  );
}
