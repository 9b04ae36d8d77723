/**
 * The console's calls to the API: same origin, the session cookie, JSON both ways. A 401 (no
 * session, or an expired one) goes to the sign-in page, which comes back here afterwards.
 */
import { navigate } from 'wouter-preact/use-browser-location';
import { ApiError, fetchJson } from '../web/fetch-json';

export const BASE = '/admin';

export { ApiError };

/** The sign-in page, remembering where to come back to. */
export function toSignIn(): void {
  const here = location.pathname + location.search;
  // Several calls may answer 401 at once: the first one's `next` stays.
  if (here.startsWith(`${BASE}/sign-in`)) return;
  navigate(`${BASE}/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
}

export function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return fetchJson<T>(path, init, {
    // A wrong key at sign-in is that page's own error to show.
    signedOut: () => {
      if (path.startsWith(`${BASE}/sign-in`)) return false;
      toSignIn();
      return true;
    },
    fallback: (status) => `HTTP ${status}`,
  });
}

/** `?a=1&b=2` from the set values of `params`. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
