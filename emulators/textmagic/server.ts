/** The TextMagic stand-in's server on 127.0.0.1 and its handle for tests (see ../fake-textmagic.ts). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendError, TmError, unauthorized } from './errors';
import { answerUnder, refuseUnder, replyUnder, type FaultMode } from './faults';
import { sendParams, sendResponse, validMessage, type SentSms } from './messages';
import { RateLimiter, tooManyRequests } from './rate-limit';
import { searchMessages, searchParams } from './search';
import { user } from './user';

/** A request received and never answered, its message not accepted (`timeout`). */
export type UnansweredRequest = { receivedAt: Date; body: string };

export interface FakeTextMagic {
  /** API base, e.g. http://127.0.0.1:PORT/api/v2 (the client POSTs `${url}/messages`). */
  url: string;
  username: string;
  apiKey: string;
  /** Accepted messages, one entry per API request: what the phones get. */
  sent: SentSms[];
  /** Requests received and never answered whose message was not accepted (`timeout`). */
  unanswered: UnansweredRequest[];
  /** All requests seen, including rejected and faulted ones. */
  requests: number;
  /** Requests refused with 429 by the rate limit (`limitRate`), not by an injected fault. */
  rateLimited: number;
  /**
   * Enforces TextMagic's per-account request rate: above `perSecond`, 429 with Retry-After.
   * Undefined lifts it. See `rate-limit.ts` for the model.
   */
  limitRate(perSecond: number | undefined): void;
  /** Of those, `GET /messages/search` requests (lookups before a resend). */
  searches: number;
  /** The next `times` requests get this fault. */
  fail(times: number, mode: FaultMode): void;
  /** Drops the faults still pending: TextMagic is back. */
  heal(): void;
  /** Clears sent, requests, searches and faults (ids keep increasing). */
  reset(): void;
  /** Stops the server, also ending hung connections. */
  close(): Promise<void>;
}

export type FakeTextMagicOptions = {
  username?: string;
  apiKey?: string;
  /** Listen here instead of on a free port (the local emulator). */
  port?: number;
  /** TextMagic's per-account request rate, enforced from the start (see `limitRate`). */
  ratePerSecond?: number;
  /** Called with each accepted message (the local emulator prints them). */
  onSend?: (sms: SentSms) => void;
};

/** The handle (whose `sent`, `unanswered` and `requests` the server writes) and what only the server keeps. */
type State = {
  fake: FakeTextMagic;
  faults: FaultMode[];
  ids: { message: number; session: number };
  onSend: ((sms: SentSms) => void) | undefined;
  limiter: RateLimiter | undefined;
};

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFakeTextMagic(opts: FakeTextMagicOptions = {}): Promise<FakeTextMagic> {
  const faults: FaultMode[] = [];
  const fake: FakeTextMagic = {
    url: '', // once it listens
    username: opts.username ?? 'test-user',
    apiKey: opts.apiKey ?? 'test-key',
    sent: [],
    unanswered: [],
    requests: 0,
    rateLimited: 0,
    limitRate(perSecond) {
      state.limiter = perSecond === undefined ? undefined : new RateLimiter(perSecond);
    },
    searches: 0,
    fail(times, mode) {
      for (let i = 0; i < times; i++) faults.push(mode);
    },
    heal() {
      faults.length = 0;
    },
    reset() {
      fake.sent.length = 0;
      fake.unanswered.length = 0;
      fake.requests = 0;
      fake.rateLimited = 0;
      fake.searches = 0;
      faults.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  const state: State = {
    fake,
    faults,
    ids: { message: 1_000_001, session: 5_000_001 },
    onSend: opts.onSend,
    limiter: opts.ratePerSecond === undefined ? undefined : new RateLimiter(opts.ratePerSecond),
  };
  const server = http.createServer((req, res) => handleRequest(state, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2`;
  return fake;
}

async function handleRequest(state: State, req: http.IncomingMessage, res: http.ServerResponse) {
  const { fake } = state;
  fake.requests++;
  if ((req.url ?? '').startsWith('/api/v2/messages/search')) fake.searches++;
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch {
    res.destroy();
    return;
  }
  const waitMs = state.limiter?.take();
  if (waitMs !== undefined) {
    fake.rateLimited++;
    return sendError(res, tooManyRequests(waitMs));
  }
  const fault = state.faults.shift();
  const stalled = () => fake.unanswered.push({ receivedAt: new Date(), body: raw.toString('utf8') });
  if (refuseUnder(fault, req, res, stalled)) return;
  const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  try {
    if (path === '/api/v2/messages' && req.method === 'POST') {
      checkAuth(fake, req);
      const sms = accept(state, req, raw, replyUnder(fault));
      return answerUnder(fault, res, 201, JSON.stringify(sendResponse(sms)));
    }
    if (path === '/api/v2/messages/search' && req.method === 'GET') {
      checkAuth(fake, req);
      const query = new URL(req.url ?? '/', 'http://fake').searchParams;
      const page = searchMessages(fake.sent, searchParams(query));
      return answerUnder(fault, res, 200, JSON.stringify(page));
    }
    if (path === '/api/v2/user' && req.method === 'GET') {
      checkAuth(fake, req);
      return answerUnder(fault, res, 200, JSON.stringify(user(fake.username)));
    }
    throw new TmError(404, { code: 404, message: `No route found for "${req.method} ${path || '/'}"` });
  } catch (e) {
    if (e instanceof TmError) return sendError(res, e);
    sendError(res, new TmError(500, { code: 500, message: 'Internal Server Error' }));
  }
}

function checkAuth(fake: FakeTextMagic, req: http.IncomingMessage): void {
  if (req.headers['x-tm-username'] !== fake.username || req.headers['x-tm-key'] !== fake.apiKey) {
    throw unauthorized();
  }
}

/** A valid message goes out (it is in `sent`, whatever the answer); an invalid one is refused. */
function accept(state: State, req: http.IncomingMessage, raw: Buffer, reply: SentSms['reply']): SentSms {
  const { params, encoding } = sendParams(req, raw);
  const { text, phones, from, referenceId } = validMessage(params);
  const sessionId = state.ids.session++;
  const messageIds = phones.map(() => state.ids.message++);
  const single = phones.length === 1;
  const entry: SentSms = {
    id: single ? messageIds[0]! : sessionId,
    text,
    phones,
    receivedAt: new Date(),
    type: single ? 'message' : 'session',
    sessionId,
    messageIds,
    encoding,
    reply,
  };
  if (from !== undefined) entry.from = from;
  if (referenceId !== undefined) entry.referenceId = referenceId;
  state.fake.sent.push(entry);
  state.onSend?.(entry);
  return entry;
}
