/**
 * What the console and the portal share in calling their APIs: same origin, the session cookie,
 * JSON both ways, and our JSON errors (`{"error":{"code","message"}}`) as an `ApiError`. Each
 * app says what a 401 means for it (the console's sign-in page, the portal's "text ACCOUNT").
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Our 400s' `details`: each bad field (`field`, its path dotted) and what is wrong with it. */
    readonly details?: ReadonlyArray<{ field?: string; message?: string }>,
  ) {
    super(message);
  }
}

type ErrorBody = { error?: { code?: string; message?: string; details?: unknown } };

export type FetchJsonOptions = {
  /** A 401 the app takes over (true: it did, and the call fails as signed out). */
  signedOut: () => boolean;
  /** The message of an error answer that carries none of ours. */
  fallback: (status: number) => string;
};

export async function fetchJson<T>(
  url: string,
  init: { method?: string; body?: unknown },
  opts: FetchJsonOptions,
): Promise<T> {
  const res = await fetch(url, {
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
  if (res.status === 401 && opts.signedOut()) throw new ApiError(401, 'unauthorized', 'Signed out');
  if (!res.ok) {
    const error = (body as ErrorBody | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ?? opts.fallback(res.status),
      Array.isArray(error?.details) ? (error.details as ApiError['details']) : undefined,
    );
  }
  return body as T;
}
