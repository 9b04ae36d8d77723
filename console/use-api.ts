import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from './api';

export type Loaded<T> = { data?: T; error?: string; loading: boolean; reload: () => void };

/** GET `path` (again when it changes, or on `reload`); `null` fetches nothing. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (e: Error) => live && setState({ error: e.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  return { ...state, reload };
}
