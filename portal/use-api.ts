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

/**
 * A list the API pages by `nextCursor` (`?cursor=`): the first page, then `loadMore` appends the
 * next; `reload` starts again from the first.
 */
export function usePaged<A extends { nextCursor: string | null }, T>(
  path: string,
  items: (answer: A) => T[],
) {
  const first = useApi<A>(path);
  const [more, setMore] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const next = cursor === undefined ? (first.data?.nextCursor ?? null) : cursor;
  const loadMore = async () => {
    if (next === null) return;
    const page = await api<A>(`${path}?cursor=${encodeURIComponent(next)}`);
    setMore((m) => [...m, ...items(page)]);
    setCursor(page.nextCursor);
  };
  const reload = () => {
    setMore([]);
    setCursor(undefined);
    return first.reload();
  };
  const all = first.data ? [...items(first.data), ...more] : [];
  return { data: first.data, error: first.error, all, next, loadMore, reload };
}
