import { config } from './config';
import { timeoutWithin, type Deadline } from './deadline';
import { ExternalServiceError } from './errors';
import { request } from './outbound-request';
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

/** Whether an error of `request` is its signal's timeout. */
const isTimeout = (err: unknown, signal: AbortSignal) =>
  signal.aborted || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));

/** Network errors raised before a connection was made: nothing reached TextMagic. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What TextMagic answered: its status, and its JSON (undefined when not JSON or `cut` short). */
type Answer = {
  status: number;
  statusText: string;
  payload: unknown;
  cut: boolean;
  /** The Retry-After header (a 429's). */
  retryAfter: string | string[] | undefined;
};

type Call = {
  query?: Record<string, string | number>;
  body?: Record<string, string | number>;
  timeoutMs: number;
};

/**
 * Every request to TextMagic goes through here (sends, the lookups before a resend, the /user
 * probe): one place for the headers, the timeout and what a request that got no answer means.
 * Throws ExternalServiceError (retryable) when no answer came: a POST that may have reached
 * TextMagic (a timeout, a reset) carries `sentUnheardAt`, for TextMagic may have acted on it.
 * Any answer is returned, whatever its status.
 */
async function callTextMagic(method: 'GET' | 'POST', path: string, call: Call): Promise<Answer> {
  const tm = config().textmagic;
  if (!tm.username || !tm.apiKey) throw new Error(`TextMagic is not configured ${TEXTMAGIC_KEYS}`);
  const url = new URL(`${tm.apiUrl}${path}`);
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {
    'X-TM-Username': tm.username,
    'X-TM-Key': tm.apiKey,
    accept: 'application/json',
    ...(call.body && { 'content-type': 'application/json' }),
  };
  const startedAt = new Date();
  // One signal for the whole exchange: it also cuts a body that stalls after the headers.
  const signal = AbortSignal.timeout(call.timeoutMs);
  let reply;
  try {
    reply = await request(method, url, headers, call.body && JSON.stringify(call.body), signal);
  } catch (err) {
    const timedOut = isTimeout(err, signal);
    const neverConnected = !timedOut && NEVER_CONNECTED.has((err as NodeJS.ErrnoException).code ?? '');
    throw new ExternalServiceError(
      'textmagic',
      timedOut
        ? `TextMagic did not answer within ${call.timeoutMs} ms`
        : `TextMagic unreachable: ${(err as Error).message}`,
      true,
      undefined,
      method === 'POST' && !neverConnected ? { sentUnheardAt: startedAt } : {},
    );
  }
  let payload: unknown;
  try {
    payload = reply.body === undefined ? undefined : JSON.parse(reply.body);
  } catch {
    payload = undefined; // not JSON: judged by the status alone
  }
  return {
    status: reply.status,
    statusText: reply.statusText,
    payload,
    cut: reply.body === undefined,
    retryAfter: reply.headers['retry-after'],
  };
}

const ok = (a: Answer) => a.status >= 200 && a.status <= 299;

/** A non-2xx answer as an error: retryable for 429 and 5xx (or always, with `retryable`). */
function refusal(a: Answer, retryable = a.status === 429 || a.status >= 500): ExternalServiceError {
  const message = (a.payload as { message?: string } | undefined)?.message ?? a.statusText;
  return new ExternalServiceError(
    'textmagic',
    `TextMagic answered ${a.status}: ${message}`,
    retryable,
    a.status,
    a.status === 429 ? { retryAfterMs: retryAfterMs(a.retryAfter) } : {},
  );
}

/**
 * TextMagic takes no idempotency key: a send cut short after TextMagic took the message is sent
 * again on retry unless `findSentTextMagic` finds it first. A send started near the end of a
 * request's budget still gets this long, so that a busy event loop or a slow answer is not
 * mistaken for a failure (the 200-payment race of `npm run reliability` sent 14–26 SMS twice
 * with the budget's last 200–250 ms as timeout).
 */
const MIN_SEND_TIMEOUT_MS = 1000;

/**
 * `POST {TEXTMAGIC_API_URL}/messages`: one request for all `phones`, tagged with `referenceId`
 * (our sms id: TextMagic keeps it on the message session, see `findSentTextMagic`). Throws
 * ExternalServiceError: retryable for timeouts, network faults, 429 and 5xx; not for other 4xx;
 * with `sentUnheardAt` when TextMagic may have taken it unheard. A `deadline` (a request's
 * budget after commit) shortens TEXTMAGIC_TIMEOUT_MS, never lengthens it, and never below
 * MIN_SEND_TIMEOUT_MS.
 */
export async function sendTextMagic(
  text: string,
  phones: string[],
  opts: { deadline?: Deadline; referenceId?: number } = {},
): Promise<SentSms> {
  const tm = config().textmagic;
  const timeoutMs = Math.min(
    tm.timeoutMs,
    Math.max(MIN_SEND_TIMEOUT_MS, timeoutWithin(tm.timeoutMs, opts.deadline)),
  );
  const body: Record<string, string | number> = {
    text,
    phones: phones.map(toTextMagicNumber).join(','),
  };
  if (tm.fromNumber) body.from = toTextMagicNumber(tm.fromNumber);
  // SendMessageRequest.referenceId, a Number: "Custom message reference id which can be used in
  // your application infrastructure" (textmagic-rest-nodejs-v2 docs/SendMessageRequest.md).
  if (opts.referenceId !== undefined) body.referenceId = opts.referenceId;
  const answer = await callTextMagic('POST', '/messages', { body, timeoutMs });
  if (!ok(answer)) throw refusal(answer);
  // A 201 whose body was cut: TextMagic took it (sent, its ids unknown).
  const p = (answer.payload ?? {}) as TextMagicResponse;
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
 * `MessageOut`, as `GET /api/v2/messages/search` lists it (textmagic-rest-nodejs-v2
 * docs/MessageOut.md, docs/MessageOutSession.md): the fields the lookup reads.
 */
type MessageOut = {
  id: number;
  receiver?: string;
  text: string;
  sessionId: number;
  /** "Sending time", ISO 8601. */
  messageTime: string;
  session?: { id?: number; referenceId?: string | null };
};

/** SearchOutboundMessagesPaginatedResponse (docs/SearchOutboundMessagesPaginatedResponse.md). */
type SearchPage = { page: number; pageCount: number; limit: number; resources: MessageOut[] };

/** A page of the lookup: messages to one phone rarely number more since an unheard try. */
const LOOKUP_PAGE = 25;
/** Pages read before giving up (the lookup then fails and is tried again later). */
const LOOKUP_PAGES = 4;
/** Our clock against TextMagic's: a message stamped this much before the try still counts. */
const CLOCK_SKEW_MS = 60_000;

const isSearchPage = (p: unknown): p is SearchPage =>
  typeof p === 'object' &&
  p !== null &&
  Array.isArray((p as SearchPage).resources) &&
  typeof (p as SearchPage).pageCount === 'number';

/**
 * Asks TextMagic whether it sent `text` to `phones` since `since` (the start of a try whose
 * answer never came), tagged `referenceId`: its message (one phone) or session (several) if so.
 *
 * `GET /api/v2/messages/search` ("Find outbound messages by given parameters": page, limit,
 * lastId, ids, sessionId, statuses, includeDeleted, query; textmagic-rest-nodejs-v2
 * docs/TextMagicApi.md#searchOutboundMessages) with `query` the first phone: one request
 * (TextMagic lists it newest first, as GET /api/v2/history's documented default order, id
 * desc) where the other routes take two per phone (GET /api/v2/chats/{phone}/by/phone, then
 * the chat's messages) or page through the whole account (GET /api/v2/history, /sessions).
 * One phone is enough: a request to several phones is one session of one message per phone
 * (MessageSession.numbersCount), taken whole or not at all, and `recipients` only ever lose
 * phones between tries. A message matches on its receiver, its text, its time and, where the
 * answer carries its session's `referenceId`, our sms id: a resend of the same text to the
 * same phone (another row) is not taken for it. Deleted messages count (`includeDeleted`): they
 * went out. Throws ExternalServiceError, always retryable: a failed lookup is tried again
 * later, never answered by sending.
 */
export async function findSentTextMagic(
  sms: { text: string; phones: string[]; since: Date; referenceId?: number },
  deadline?: Deadline,
): Promise<SentSms | undefined> {
  const tm = config().textmagic;
  const phone = toTextMagicNumber(sms.phones[0]!);
  const from = sms.since.getTime() - CLOCK_SKEW_MS;
  for (let page = 1; page <= LOOKUP_PAGES; page++) {
    const answer = await callTextMagic('GET', '/messages/search', {
      query: { query: phone, limit: LOOKUP_PAGE, page, includeDeleted: 1 },
      timeoutMs: timeoutWithin(tm.timeoutMs, deadline),
    });
    if (!ok(answer)) throw refusal(answer, true);
    if (!isSearchPage(answer.payload)) {
      throw new ExternalServiceError('textmagic', 'TextMagic’s message search answer was cut short', true);
    }
    const { resources, pageCount } = answer.payload;
    const found = resources.find(
      (m) =>
        m.receiver === phone &&
        m.text === sms.text &&
        Date.parse(m.messageTime) >= from &&
        (m.session?.referenceId == null || m.session.referenceId === String(sms.referenceId)),
    );
    if (found) {
      return {
        transport: 'textmagic',
        messageId: sms.phones.length === 1 ? String(found.id) : undefined,
        sessionId: String(found.sessionId),
      };
    }
    // Newest first: a page ending before the try leaves nothing later to look at.
    const oldest = resources.at(-1);
    if (page >= pageCount || !oldest || Date.parse(oldest.messageTime) < from) return undefined;
  }
  throw new ExternalServiceError(
    'textmagic',
    `TextMagic lists more than ${LOOKUP_PAGE * LOOKUP_PAGES} messages to this phone since the unanswered try`,
    true,
  );
}

/**
 * `GET {TEXTMAGIC_API_URL}/user`, the account: a cheap authenticated read for
 * `GET /health/integrations`, with the timeout sends use. Undefined when TextMagic answered
 * 2xx, else a short reason (the status, a timeout): never its message.
 */
export async function probeTextMagic(): Promise<string | undefined> {
  const tm = config().textmagic;
  if (!tm.username || !tm.apiKey) return `not configured ${TEXTMAGIC_KEYS}`;
  try {
    const answer = await callTextMagic('GET', '/user', { timeoutMs: tm.timeoutMs });
    if (!ok(answer)) return `TextMagic answered ${answer.status}`;
    return answer.cut ? 'TextMagic answer cut short' : undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    return message.startsWith('TextMagic did not answer') ? message : 'TextMagic unreachable';
  }
}
