import { config } from './config';
import { timeoutWithin, type Deadline } from './deadline';
import { ExternalServiceError } from './errors';
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

/** True when TextMagic credentials are configured; otherwise SMS go to the log. */
export function textMagicConfigured(): boolean {
  const tm = config().textmagic;
  return Boolean(tm.username && tm.apiKey);
}

/**
 * `POST {TEXTMAGIC_API_URL}/messages`: one request for all `phones`. Throws
 * ExternalServiceError: retryable for timeouts, network faults, 429 and 5xx; not for other 4xx.
 * A `deadline` (a request's budget after commit) shortens TEXTMAGIC_TIMEOUT_MS, never lengthens it.
 */
export async function sendTextMagic(text: string, phones: string[], deadline?: Deadline): Promise<SentSms> {
  const tm = config().textmagic;
  const timeoutMs = timeoutWithin(tm.timeoutMs, deadline);
  // One signal for the whole exchange: it also cuts a body that stalls after the headers.
  const signal = AbortSignal.timeout(timeoutMs);
  if (!tm.username || !tm.apiKey) throw new Error('TextMagic is not configured');
  const body: Record<string, string> = {
    text,
    phones: phones.map(toTextMagicNumber).join(','),
  };
  if (tm.fromNumber) body.from = toTextMagicNumber(tm.fromNumber);

  let res: Response;
  try {
    res = await fetch(`${tm.apiUrl}/messages`, {
      method: 'POST',
      headers: {
        'X-TM-Username': tm.username,
        'X-TM-Key': tm.apiKey,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new ExternalServiceError(
      'textmagic',
      timedOut
        ? `TextMagic did not answer within ${timeoutMs} ms`
        : `TextMagic unreachable: ${(err as Error).message}`,
      true,
    );
  }
  let payload: unknown;
  try {
    payload = await res.json();
  } catch {
    payload = undefined; // a body cut short or not JSON: judged by the status alone
  }
  if (!res.ok) {
    const message = (payload as { message?: string } | undefined)?.message ?? res.statusText;
    throw new ExternalServiceError(
      'textmagic',
      `TextMagic answered ${res.status}: ${message}`,
      res.status === 429 || res.status >= 500,
      res.status,
    );
  }
  const p = (payload ?? {}) as TextMagicResponse;
  return { transport: 'textmagic', messageId: str(p.messageId), sessionId: str(p.sessionId ?? p.id) };
}
