import { useState } from 'preact/hooks';
import { api } from '../api';

/** Sandbox only: POST /sandbox/seed (the demo providers of `npm run seed`). */
export function SeedButton(props: { onSeeded: () => void }) {
  const [state, setState] = useState<{ busy?: boolean; message?: string }>({});
  const seed = async () => {
    setState({ busy: true });
    try {
      await api('/sandbox/seed', { method: 'POST' });
      setState({ message: 'Demo providers added' });
      props.onSeeded();
    } catch (e) {
      setState({ message: (e as Error).message });
    }
  };
  return (
    <p>
      <button
        type="button"
        class="secondary"
        aria-busy={state.busy}
        disabled={state.busy}
        onClick={() => void seed()}
      >
        Add demo providers
      </button>
      {state.message && <small> {state.message}</small>}
    </p>
  );
}
