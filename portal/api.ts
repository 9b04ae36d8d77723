/**
 * The portal's calls to its API: same origin, the session cookie, JSON both ways. A 401 (no
 * session, or one that ended: signed out elsewhere, STOP, paused) turns the whole app into the
 * page saying how to get a sign-in link (app.tsx).
 */
import { ApiError, fetchJson } from '../web/fetch-json';

export const BASE = '/portal';
export const API = `${BASE}/api`;

export { ApiError };

let onSignedOut: () => void = () => undefined;
/** What the app does on a 401: show the sign-in page and nothing else. */
export const whenSignedOut = (f: () => void): void => {
  onSignedOut = f;
};

/** `path` under /portal/api. */
export function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return fetchJson<T>(`${API}${path}`, init, {
    signedOut: () => {
      onSignedOut();
      return true;
    },
    fallback: (status) => `Something went wrong (HTTP ${status}): try again.`,
  });
}
