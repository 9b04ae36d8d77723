import { useEffect, useState } from 'preact/hooks';

/**
 * Whether this console runs against the local sandbox: only in the offline build (SANDBOX), and
 * only when GET /sandbox/status answers 200 (the `npm start` front server). Elsewhere esbuild
 * drops the request with the rest of the sandbox code.
 */
export function useSandbox(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    // `if (SANDBOX)`, a constant: esbuild removes the whole block from the deployed build.
    if (SANDBOX) {
      fetch('/sandbox/status', { credentials: 'same-origin' }).then(
        (res) => setAvailable(res.status === 200),
        () => setAvailable(false),
      );
    }
  }, []);
  return available;
}
