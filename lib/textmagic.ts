import { config } from './config';
import { timeoutWithin, type Deadline } from './deadline';
import { ExternalServiceError } from './errors';
import { request, type Reply } from './outbound-request';
import { toTextMagicNumber } from './phone';

export type SentSms = {
  transport: 'textmagic' | 'log';
  /** TextMagic's message id when it made a single message, else its session id. */
  messageId?: string;
  sessionId?: string;
};

type TextMagicResponse = {
  id?: number | string;
  type?: string;
  sessionId?: number | string | null;
  messageId?: number | string | null;
};

const str = (v: number | string | null | undefined) =>
  v === null || v === undefined ? undefined : String(v);

/** The variables TextMagic's credentials come from, as messages name them. */
const TEXTMAGIC_KEYS = '(TEXTMAGIC_USERNAME, TEXTMAGIC_API_KEY)';

/** True when TextMagic credentials are configured; otherwise SMS go to the log. */
export function textMagicConfigured(): boolean {
  const tm = config().textmagic;
  return Boolean(tm.username && tm.apiKey);
}

const authHeaders = (username: string, apiKey: string) => ({
  'X-TM-Username': username,
  'X-TM-Key': apiKey,
  accept: 'application/json',
});

/** Whether an error of `request` is its signal's timeout. */
const isTimeout = (err: unknown, signal: AbortSignal) =>
  signal.aborted || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));

/**
 * TextMagic takes no idempotency key: a send cut short after TextMagic took the message is sent
 * again on retry. A send started near the end of a request's budget still gets this long, so
 * that a busy event loop or a slow answer is not mistaken for a failure (the 200-payment race
 * of `npm run reliability` sent 14–26 SMS twice with the budget's last 200–250 ms as timeout).
 */
const MIN_SEND_TIMEOUT_MS = 1000;

/**
 * `POST {TEXTMAGIC_API_URL}/messages`: one request for all `phones`. Throws
 * ExternalServiceError: retryable for timeouts, network faults, 429 and 5xx; not for other 4xx.
 * A `deadline` (a request's budget after commit) shortens TEXTMAGIC_TIMEOUT_MS, never lengthens
 * it, and never below MIN_SEND_TIMEOUT_MS.
 */
export async function sendTextMagic(text: string, phones: string[], deadline?: Deadline): Promise<SentSms> {
  const tm = config().textmagic;
  const timeoutMs = Math.min(
    tm.timeoutMs,
    Math.max(MIN_SEND_TIMEOUT_MS, timeoutWithin(tm.timeoutMs, deadline)),
  );
  // One signal for the whole exchange: it also cuts a body that stalls after the headers.
  const signal = AbortSignal.timeout(timeoutMs);
  if (!tm.username || !tm.apiKey) throw new Error(`TextMagic is not configured ${TEXTMAGIC_KEYS}`);
  const body: Record<string, string> = {
    text,
    phones: phones.map(toTextMagicNumber).join(','),
  };
  if (tm.fromNumber) body.from = toTextMagicNumber(tm.fromNumber);

  let res: Reply;
  try {
    res = await request(
      'POST',
      new URL(`${tm.apiUrl}/messages`),
      { ...authHeaders(tm.username, tm.apiKey), 'content-type': 'application/json' },
      JSON.stringify(body),
      signal,
    );
  } catch (err) {
    throw new ExternalServiceError(
      'textmagic',
      isTimeout(err, signal)
        ? `TextMagic did not answer within ${timeoutMs} ms`
        : `TextMagic unreachable: ${(err as Error).message}`,
      true,
    );
  }
  let payload: unknown;
  try {
    payload = res.body === undefined ? undefined : JSON.parse(res.body);
  } catch {
    payload = undefined; // not JSON: judged by the status alone
  }
  if (res.status < 200 || res.status > 299) {
    const message = (payload as { message?: string } | undefined)?.message ?? res.statusText;
    throw new ExternalServiceError(
      'textmagic',
      `TextMagic answered ${res.status}: ${message}`,
      res.status === 429 || res.status >= 500,
      res.status,
      res.status === 429 ? { retryAfterMs: retryAfterMs(res.headers['retry-after']) } : {},
    );
  }
  const p = (payload ?? {}) as TextMagicResponse;
  return { transport: 'textmagic', messageId: str(p.messageId), sessionId: str(p.sessionId ?? p.id) };
}

/**
 * A 429's Retry-After (seconds, or an HTTP date: RFC 9110 §10.2.3), in ms; 1 s when missing or
 * unreadable, since TextMagic's limit is per second.
 */
function retryAfterMs(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && /^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - Date.now());
}

/**
 * `GET {TEXTMAGIC_API_URL}/user`, the account: a cheap authenticated read for
 * `GET /health/integrations`, with the headers and the timeout sends use. Undefined when
 * TextMagic answered 2xx, else a short reason (the status, a timeout): never its message.
 */
export async function probeTextMagic(): Promise<string | undefined> {
  const tm = config().textmagic;
  if (!tm.username || !tm.apiKey) return `not configured ${TEXTMAGIC_KEYS}`;
  const signal = AbortSignal.timeout(tm.timeoutMs);
  try {
    const res = await request(
      'GET',
      new URL(`${tm.apiUrl}/user`),
      authHeaders(tm.username, tm.apiKey),
      undefined,
      signal,
    );
    if (res.status < 200 || res.status > 299) return `TextMagic answered ${res.status}`;
    return res.body === undefined ? 'TextMagic answer cut short' : undefined;
  } catch (err) {
    return isTimeout(err, signal)
      ? `TextMagic did not answer within ${tm.timeoutMs} ms`
      : 'TextMagic unreachable';
  }
}
