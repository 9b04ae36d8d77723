import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from './api';

export type Loaded<T> = { data?: T; error?: string; reload: () => Promise<T | undefined> };

/** GET `path` on first render and on `reload` (which resolves with the new answer). */
export function useApi<T>(path: string): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const reload = useCallback(
    () =>
      api<T>(path).then(
        (d) => (setData(d), setError(undefined), d),
        (e: Error) => (setError(e.message), undefined),
      ),
    [path],
  );
  useEffect(() => void reload(), [reload]);
  return { data, error, reload };
}

/** The page's `<title>`. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Your leads`;
  }, [title]);
}
