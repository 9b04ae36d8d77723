/**
 * A loopback fake of TextMagic's REST API v2, for the tests, the bench and
 * the local sandbox (`npm start`); never deployed.
 *
 * It implements `POST /api/v2/messages` (and `GET /api/v2/user`, the account, for the
 * integration check) the way the real service does as far as our client can tell: `X-TM-Username` / `X-TM-Key` auth, JSON or form bodies, TextMagic's
 * error envelope `{"code","message","errors":{"common":[…],"fields":{…}}}`, and its
 * `SendMessageResponse` (`type` `message` for one recipient, `session` for several).
 * Faults (`fail`) let tests exercise retries, timeouts, hangs and connection resets; `sent`
 * holds what TextMagic accepted (the phones get it), `unanswered` what it stalled on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type SentSms = {
  /** The `id` of the API response: the message id (one recipient) or the session id (several). */
  id: number;
  text: string;
  phones: string[];
  from?: string;
  receivedAt: Date;
  /** `type` of the API response. */
  type: 'message' | 'session';
  /** The message session id (always present, like the real `sessionId`). */
  sessionId: number;
  /** One message id per phone, in the order of `phones` (what delivery reports refer to). */
  messageIds: number[];
  referenceId?: string;
  /** The request's content type (`json` or `form`). */
  encoding: 'json' | 'form';
  /**
   * How the API answered this accepted message: `answered` in full; `cut` (201 headers and a
   * partial body, then nothing: `hang`); `never` (`lost-reply`); `delayed` (`{ delayMs }`).
   * Whatever the answer, the message went out: a client that gives up and sends again makes
   * a duplicate, as it would with TextMagic, which has no idempotency key.
   */
  reply: 'answered' | 'cut' | 'never' | 'delayed';
};

/** A request received and never answered, its message not accepted (`timeout`). */
export type UnansweredRequest = { receivedAt: Date; body: string };

/**
 * 503, 429 (with Retry-After), 400, 401: answered at once, nothing sent. `timeout`: received,
 * never answered, nothing sent. `reset`: the connection is reset. The others accept the
 * message (it is in `sent`) and then: `hang` answers 201 with a body that never finishes;
 * `lost-reply` never answers; `{ delayMs }` answers that much later.
 */
export type FaultMode =
  503 | 429 | 400 | 401 | 'timeout' | 'hang' | 'reset' | 'lost-reply' | { delayMs: number };

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
  /** The next `times` requests get this fault. */
  fail(times: number, mode: FaultMode): void;
  /** Drops the faults still pending: TextMagic is back. */
  heal(): void;
  /** Clears sent, requests and faults (ids keep increasing). */
  reset(): void;
  /** Stops the server, also ending hung connections. */
  close(): Promise<void>;
}

type Errors = { common: string[]; fields: Record<string, string[]> };

class TmError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

function validationFailed(errors: Partial<Errors>): TmError {
  return new TmError(400, {
    code: 400,
    message: 'Validation Failed',
    errors: { common: errors.common ?? [], fields: errors.fields ?? {} },
  });
}

/** Fields that TextMagic's send form accepts; anything else is an "extra field". */
const KNOWN_FIELDS = new Set([
  'text',
  'templateId',
  'sendingTime',
  'sendingDateTime',
  'sendingTimezone',
  'contacts',
  'lists',
  'phones',
  'cutExtra',
  'partsCount',
  'referenceId',
  'from',
  'rrule',
  'createChat',
  'tts',
  'local',
  'localCountry',
  'destination',
  'resources',
]);

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** SMS parts a text needs (GSM-7 with extension chars counting two, else UCS-2). */
export function smsParts(text: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length; // UTF-16 code units
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export type FakeTextMagicOptions = {
  username?: string;
  apiKey?: string;
  /** Listen here instead of on a free port (the local emulator). */
  port?: number;
  /** Called with each accepted message (the local emulator prints them). */
  onSend?: (sms: SentSms) => void;
};

export async function startFakeTextMagic(opts: FakeTextMagicOptions = {}): Promise<FakeTextMagic> {
  const username = opts.username ?? 'test-user';
  const apiKey = opts.apiKey ?? 'test-key';
  let nextMessageId = 1_000_001;
  let nextSessionId = 5_000_001;
  const faults: FaultMode[] = [];

  const send = (res: http.ServerResponse, err: TmError) => {
    const payload = JSON.stringify(err.body);
    res.writeHead(err.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
      ...err.headers,
    });
    res.end(payload);
  };

  const checkAuth = (req: http.IncomingMessage) => {
    if (req.headers['x-tm-username'] !== username || req.headers['x-tm-key'] !== apiKey) {
      throw new TmError(401, { code: 401, message: 'Unauthorized' });
    }
  };

  /** `GET /api/v2/user`: the account, as TextMagic's `User` object. */
  const user = () => ({
    id: 1_001,
    displayTimeFormat: '24h',
    username,
    firstName: 'Test',
    lastName: 'Account',
    email: 'account@example.com',
    status: 'A',
    balance: 100,
    phone: '15125550000',
    company: 'Lead Unlock test',
    currency: { id: 'USD', htmlSymbol: '&#36;' },
    country: { id: 'US', name: 'United States' },
    timezone: { id: 14, area: 'America', dst: 0, offset: -21600, timezone: 'America/Chicago' },
    subaccountType: 'P',
    emailAccepted: true,
    phoneAccepted: true,
    avatar: { id: 1, href: '/api/v2/user/avatar', contentType: 'image/png' },
  });

  const handleMessages = (
    req: http.IncomingMessage,
    raw: Buffer,
    reply: SentSms['reply'],
  ): { status: number; body: Record<string, unknown> } => {
    checkAuth(req);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let params: Record<string, unknown>;
    let encoding: 'json' | 'form';
    if (contentType === 'application/json') {
      encoding = 'json';
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new TmError(400, { code: 400, message: 'Invalid JSON in request body', errors: null });
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new TmError(400, { code: 400, message: 'Request body must be a JSON object', errors: null });
      }
      params = parsed as Record<string, unknown>;
    } else if (contentType === 'application/x-www-form-urlencoded') {
      encoding = 'form';
      params = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    } else {
      throw new TmError(400, {
        code: 400,
        message: `Unsupported Content-Type "${contentType || '(none)'}": use application/json or application/x-www-form-urlencoded`,
        errors: null,
      });
    }

    const extra = Object.keys(params).filter((k) => !KNOWN_FIELDS.has(k));
    if (extra.length > 0) {
      throw validationFailed({
        common: [`This form should not contain extra fields. (${extra.join(', ')})`],
      });
    }
    const fields: Record<string, string[]> = {};
    const common: string[] = [];
    const add = (field: string, msg: string) => (fields[field] ??= []).push(msg);

    // This fake only knows ad-hoc phone numbers: no contacts, lists, templates or scheduling.
    for (const unsupported of [
      'contacts',
      'lists',
      'templateId',
      'sendingTime',
      'sendingDateTime',
      'rrule',
    ]) {
      if (params[unsupported] !== undefined && params[unsupported] !== '') {
        add(unsupported, `fake-textmagic does not support "${unsupported}".`);
      }
    }

    const text = params.text;
    if (text === undefined || text === null || text === '') add('text', 'This value should not be blank.');
    else if (typeof text !== 'string') add('text', 'This value is not valid.');

    const phonesRaw = params.phones;
    let phones: string[] = [];
    if (phonesRaw === undefined || phonesRaw === null || phonesRaw === '') {
      common.push('You should specify at least one recipient: contacts, lists or phones.');
      add('phones', 'This value should not be blank.');
    } else if (typeof phonesRaw !== 'string') {
      add('phones', 'This value is not valid: phones must be a comma-separated string.');
    } else {
      phones = phonesRaw.split(',');
      for (const p of phones) {
        if (!/^\d+$/.test(p)) {
          add(
            'phones',
            p.startsWith('+')
              ? `Phone number "${p}" is invalid: use international format without the leading "+".`
              : `Phone number "${p}" is invalid: only digits are allowed.`,
          );
        } else if (p.length < 7 || p.length > 15) {
          add('phones', `Phone number "${p}" is invalid: it must have 7 to 15 digits.`);
        }
      }
    }

    let partsCount = 6;
    if (params.partsCount !== undefined) {
      const pc = Number(asString(params.partsCount));
      if (!Number.isInteger(pc) || pc < 1 || pc > 6)
        add('partsCount', 'This value should be between 1 and 6.');
      else partsCount = pc;
    }
    const cutExtra = ['1', 'true'].includes(String(params.cutExtra ?? '0'));
    if (typeof text === 'string' && text !== '') {
      const parts = smsParts(text);
      if (parts > partsCount && !cutExtra) {
        add('text', `Message is too long: it needs ${parts} parts, maximum allowed is ${partsCount}.`);
      }
    }

    let from: string | undefined;
    if (params.from !== undefined && params.from !== '') {
      from = asString(params.from);
      if (from === undefined || !(/^\d{7,15}$/.test(from) || /^[A-Za-z0-9 ]{1,11}$/.test(from))) {
        add('from', 'This value is not a valid sender ID or phone number.');
      }
    }
    let referenceId: string | undefined;
    if (params.referenceId !== undefined && params.referenceId !== '') {
      referenceId = asString(params.referenceId);
      if (referenceId === undefined) add('referenceId', 'This value is not valid.');
    }

    if (common.length > 0 || Object.keys(fields).length > 0) throw validationFailed({ common, fields });

    const sessionId = nextSessionId++;
    const messageIds = phones.map(() => nextMessageId++);
    const single = phones.length === 1;
    const id = single ? messageIds[0]! : sessionId;
    const entry: SentSms = {
      id,
      text: text as string,
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
    fake.sent.push(entry);
    opts.onSend?.(entry);
    return {
      status: 201,
      body: {
        id,
        href: single ? `/api/v2/messages/${id}` : `/api/v2/sessions/${sessionId}`,
        type: single ? 'message' : 'session',
        sessionId,
        bulkId: null,
        messageId: single ? id : null,
        scheduleId: null,
      },
    };
  };

  const server = http.createServer(async (req, res) => {
    fake.requests++;
    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    const fault = faults.shift();
    // These accept the message like a healthy API, then answer late, in part or never.
    const slow = fault === 'hang' || fault === 'lost-reply' || typeof fault === 'object';
    if (fault !== undefined && !slow) {
      switch (fault) {
        case 'timeout':
          fake.unanswered.push({ receivedAt: new Date(), body: raw.toString('utf8') });
          return; // never answer; close() ends the connection
        case 'reset':
          req.socket.resetAndDestroy();
          return;
        case 503:
          return send(res, new TmError(503, { code: 503, message: 'Service Unavailable' }));
        case 429:
          return send(
            res,
            new TmError(
              429,
              { code: 429, message: 'Too Many Requests' },
              {
                'X-RateLimit-Limit': '50',
                'X-RateLimit-Remaining': '0',
                'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 1),
                'Retry-After': '1',
              },
            ),
          );
        case 400:
          return send(res, validationFailed({ common: ['Injected fault: request rejected.'] }));
        case 401:
          return send(res, new TmError(401, { code: 401, message: 'Unauthorized' }));
      }
    }
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    try {
      if (path === '/api/v2/messages' && req.method === 'POST') {
        const out = handleMessages(
          req,
          raw,
          fault === 'hang' ? 'cut' : fault === 'lost-reply' ? 'never' : slow ? 'delayed' : 'answered',
        );
        const payload = JSON.stringify(out.body);
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(out.status, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          });
          res.end(payload);
        };
        if (fault === 'hang') {
          res.writeHead(out.status, { 'Content-Type': 'application/json' });
          res.write(payload.slice(0, 6));
          return; // headers and a partial body, then nothing
        }
        if (fault === 'lost-reply') return; // never answer; close() ends the connection
        if (typeof fault === 'object') {
          const timer = setTimeout(answer, fault.delayMs);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        answer();
        return;
      }
      if (path === '/api/v2/user' && req.method === 'GET') {
        checkAuth(req);
        const payload = JSON.stringify(user());
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(200, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          });
          res.end(payload);
        };
        if (fault === 'hang') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write(payload.slice(0, 6));
          return;
        }
        if (fault === 'lost-reply') return;
        if (typeof fault === 'object') {
          const timer = setTimeout(answer, fault.delayMs);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        answer();
        return;
      }
      throw new TmError(404, { code: 404, message: `No route found for "${req.method} ${path || '/'}"` });
    } catch (e) {
      if (e instanceof TmError) return send(res, e);
      send(res, new TmError(500, { code: 500, message: 'Internal Server Error' }));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const fake: FakeTextMagic = {
    url: `http://127.0.0.1:${port}/api/v2`,
    username,
    apiKey,
    sent: [],
    unanswered: [],
    requests: 0,
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
      faults.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
