/**
 * The console's calls to the API: same origin, the session cookie, JSON both ways. A 401 (no
 * session, or an expired one) goes to the sign-in page, which comes back here afterwards.
 */
import { navigate } from 'wouter-preact/use-browser-location';

export const BASE = '/admin';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The sign-in page, remembering where to come back to. */
export function toSignIn(): void {
  const here = location.pathname + location.search;
  // Several calls may answer 401 at once: the first one's `next` stays.
  if (here.startsWith(`${BASE}/sign-in`)) return;
  navigate(`${BASE}/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
}

type ErrorBody = { error?: { code?: string; message?: string } };

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.status === 401 && !path.startsWith(`${BASE}/sign-in`)) {
    toSignIn();
    throw new ApiError(401, 'unauthorized', 'Signed out');
  }
  if (!res.ok) {
    const error = (body as ErrorBody | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}

/** `?a=1&b=2` from the set values of `params`. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
