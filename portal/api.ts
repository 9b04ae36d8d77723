/**
 * The portal's calls to its API: same origin, the session cookie, JSON both ways. A 401 (no
 * session, or one that ended: signed out elsewhere, STOP, paused) turns the whole app into the
 * page saying how to get a sign-in link (app.tsx).
 */
export const BASE = '/portal';
export const API = `${BASE}/api`;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onSignedOut: () => void = () => undefined;
/** What the app does on a 401: show the sign-in page and nothing else. */
export const whenSignedOut = (f: () => void): void => {
  onSignedOut = f;
};

type ErrorBody = { error?: { code?: string; message?: string } };

/** `path` under /portal/api. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${API}${path}`, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.status === 401) {
    onSignedOut();
    throw new ApiError(401, 'unauthorized', 'Signed out');
  }
  if (!res.ok) {
    const error = (body as ErrorBody | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ?? `Something went wrong (HTTP ${res.status}): try again.`,
    );
  }
  return body as T;
}
