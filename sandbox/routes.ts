/**
 * `/sandbox/*`: what the console's sandbox pages (Phones, New inquiry) call under `npm start`
 * with the local Stripe and TextMagic stand-ins. Each route talks to the API the way the
 * outside world would (the admin API, a website posting a lead, TextMagic posting a reply);
 * none reaches into the database, and none keeps anything of its own: the threads are what the
 * API stored, so they are the same after a restart.
 *
 * Every route but `status` takes the console's session (or the admin key, as a Bearer header),
 * judged by the API itself (`GET /admin/session` with the request's credentials and origin
 * headers), and a change must come from the console's own pages, as the API's own changes must.
 *
 * - `GET /sandbox/status` → `{ sandbox: true, stripe, textmagic }` (the stand-ins' URLs; no data,
 *   asked by the console to know whether to show the sandbox pages)
 * - `GET /sandbox/phones` → `{ phones: [{ providerId, name, phone, messages: [{ direction, text, at }] }] }`
 * - `POST /sandbox/phones/reply {phone, text}` → `{ phone, message, outcome }` once the API took it
 * - `POST /sandbox/inquiry {…lead}` → what `POST /leads` answered
 * - `POST /sandbox/seed` → `{ created, existing, providers }` (sandbox/seed.ts)
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { CountryCode } from 'libphonenumber-js';
import type { FakeStripe } from '../emulators/fake-stripe';
import type { FakeTextMagic, SentSms } from '../emulators/fake-textmagic';
import { toE164, toTextMagicNumber } from '../lib/phone';
import { sendError, sendJson, type SandboxHandler } from './front-server';
import { SeedError, seedDemoProviders } from './seed';

export type SandboxOptions = {
  /** The API, as the sandbox calls it (serverless-offline's own port). */
  api: string;
  stripe: FakeStripe;
  textmagic: FakeTextMagic;
  keys: { adminApiKey: string; leadApiKey: string; inboundSmsToken: string };
  /** The number providers reply to, in digits (TextMagic's `receiver`). */
  receiver: string;
  defaultCountry: CountryCode;
};

export type PhoneMessage = { direction: 'in' | 'out'; text: string; at: string };
export type Phone = { providerId: string; name: string; phone: string; messages: PhoneMessage[] };

type Provider = { id: string; name: string; phone: string };
/** A message of `GET /providers/{id}/sms`, as much of it as a phone shows. */
type Stored = { direction: 'in' | 'out'; text: string; at: string; status?: string };
/** The newest messages of a thread shown (the API's largest page). */
const THREAD_SHOWN = 100;

const MAX_BODY = 64 * 1024;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ field: string; message: string }>,
  ) {
    super(message);
  }
}

const invalid = (details: Array<{ field: string; message: string }>) =>
  new HttpError(
    400,
    'validation_failed',
    `Invalid fields: ${[...new Set(details.map((d) => d.field))].join(', ')}`,
    details,
  );

async function readJson(req: http.IncomingMessage, required: boolean): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'payload_too_large', 'The body is over 64 KiB');
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') {
    if (required) throw new HttpError(400, 'invalid_json', 'A JSON object is required');
    return {};
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send JSON (content-type: application/json)');
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON');
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The sandbox serves a browser on this machine only: a request naming another host (DNS
 * rebinding) or a change from another origin (a web page the developer has open) is refused. A
 * change with the console's cookie must say it comes from the console (a browser sends Origin
 * with every POST), as the API's own changes must (lib/http/auth.ts); with the Bearer key
 * (curl), no Origin is needed.
 */
function checkOrigin(req: http.IncomingMessage): void {
  const host = req.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  if (!LOCAL_HOSTS.has(hostname)) {
    throw new HttpError(403, 'bad_host', 'The sandbox answers only requests to localhost');
  }
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const origin = req.headers.origin;
  if (origin === undefined ? req.headers.authorization === undefined : origin !== `http://${host}`) {
    throw new HttpError(403, 'bad_origin', 'The sandbox accepts changes only from its own pages');
  }
}

/** What the API's admin check reads of a request: its credentials, and where it came from. */
const SESSION_HEADERS = ['host', 'cookie', 'authorization', 'origin', 'sec-fetch-site', 'x-forwarded-proto'];

/** A GET with exactly these headers, Host included (which fetch() would set itself). */
function getAs(url: URL, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const out = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers,
        setHost: !headers.host,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end();
  });
}

/** TextMagic's `messageTime`: `YYYY-MM-DD HH:MM:SS`, UTC. */
const messageTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

export type Sandbox = {
  handler: SandboxHandler;
  /**
   * Reports an SMS the TextMagic stand-in accepted as delivered to each of its phones (status
   * `d`), as TextMagic would to `/sms/status`, once the API has recorded its ids.
   */
  reportDelivered(sms: SentSms): void;
};

export function createSandbox(opts: SandboxOptions): Sandbox {
  // TextMagic ids are unique for good: the API handles each id once, also after a restart on
  // the same database. Milliseconds since the epoch, times 1000, plus a counter.
  const idBase = Date.now() * 1000;
  let nextId = 0;

  const api = (path: string, init: RequestInit = {}) => fetch(new URL(path, opts.api), init);
  const admin = { authorization: `Bearer ${opts.keys.adminApiKey}` };

  async function providers(): Promise<Provider[]> {
    const res = await api('/providers', { headers: admin });
    const text = await res.text();
    if (res.status !== 200) {
      throw new HttpError(502, 'api_failed', `GET /providers answered ${res.status}: ${text.slice(0, 300)}`);
    }
    return (JSON.parse(text) as { providers: Provider[] }).providers;
  }

  /**
   * The session the request carries (or the admin key), as the API judges it for its admin
   * routes: its refusal (401, 403) is the sandbox's. A change (posting an inquiry or a reply,
   * seeding) needs a role that may change things: a viewer only looks.
   */
  async function requireSession(req: http.IncomingMessage): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of SESSION_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await getAs(new URL('/admin/session', opts.api), headers);
    if (answer.status === 200) {
      const { role } = JSON.parse(answer.text) as { role?: string };
      if (req.method !== 'GET' && role === 'viewer') {
        throw new HttpError(
          403,
          'forbidden_role',
          'Viewers can look but not change anything: ask an owner for the staff role',
        );
      }
      return;
    }
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(answer.text) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    throw new HttpError(
      answer.status,
      error?.code ?? 'api_failed',
      error?.message ?? `GET /admin/session answered ${answer.status}`,
    );
  }

  /**
   * A provider's thread, oldest first, from what the API stored (`GET /providers/{id}/sms`):
   * the SMS that reached TextMagic (status `sent`) and the replies.
   */
  async function thread(id: string): Promise<PhoneMessage[]> {
    const res = await api(`/providers/${id}/sms?limit=${THREAD_SHOWN}`, { headers: admin });
    const text = await res.text();
    if (res.status !== 200) {
      throw new HttpError(
        502,
        'api_failed',
        `GET /providers/{id}/sms answered ${res.status}: ${text.slice(0, 300)}`,
      );
    }
    const { messages } = JSON.parse(text) as { messages: Stored[] };
    return messages
      .filter((m) => m.direction === 'in' || m.status === 'sent')
      .reverse()
      .map(({ direction, text, at }) => ({ direction, text, at }));
  }

  async function phones(): Promise<{ phones: Phone[] }> {
    const out: Phone[] = [];
    // One after another: in parallel, serverless-offline would start a worker (a cold start and a
    // pool) per request in flight.
    for (const p of await providers()) {
      out.push({ providerId: p.id, name: p.name, phone: p.phone, messages: await thread(p.id) });
    }
    return { phones: out };
  }

  async function reply(body: unknown, res: http.ServerResponse): Promise<void> {
    if (!isObject(body)) throw invalid([{ field: '(body)', message: 'must be a JSON object' }]);
    const problems: Array<{ field: string; message: string }> = [];
    const phone = typeof body.phone === 'string' ? toE164(body.phone, opts.defaultCountry) : undefined;
    if (!phone) problems.push({ field: 'phone', message: 'must be a valid phone number' });
    const text = typeof body.text === 'string' ? body.text.trim() : undefined;
    if (!text) problems.push({ field: 'text', message: 'must be a non-empty string' });
    else if (text.length > 2000) problems.push({ field: 'text', message: 'must be at most 2000 characters' });
    if (problems.length > 0) throw invalid(problems);
    if (!(await providers()).some((p) => p.phone === phone)) {
      throw new HttpError(404, 'unknown_phone', 'No provider has this phone number');
    }
    const at = new Date();
    // As TextMagic posts it (form-encoded, numbers in digits without "+").
    const callback = new URLSearchParams({
      id: String(idBase + nextId++),
      sender: toTextMagicNumber(phone!),
      receiver: opts.receiver,
      messageTime: messageTime(at),
      text: text!,
    });
    const answer = await api(`/sms/inbound?token=${encodeURIComponent(opts.keys.inboundSmsToken)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: callback.toString(),
    });
    const answered = await answer.text();
    if (answer.status !== 200) {
      res.writeHead(answer.status, {
        'Content-Type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(answered);
      return;
    }
    const { outcome } = JSON.parse(answered) as { outcome?: unknown };
    sendJson(res, 200, { phone, message: { direction: 'in', text, at: at.toISOString() }, outcome });
  }

  async function inquiry(req: http.IncomingMessage, body: unknown, res: http.ServerResponse): Promise<void> {
    if (!isObject(body)) throw invalid([{ field: '(body)', message: 'must be a JSON object' }]);
    const key = req.headers['idempotency-key'];
    const answer = await api('/leads', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': opts.keys.leadApiKey,
        'idempotency-key': typeof key === 'string' && key !== '' ? key : `sandbox-${randomUUID()}`,
      },
      body: JSON.stringify(body),
    });
    const text = await answer.text();
    res.writeHead(answer.status, {
      'Content-Type': answer.headers.get('content-type') ?? 'application/json',
      'Cache-Control': 'no-store',
    });
    res.end(text);
  }

  const routes: Record<
    string,
    Partial<Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>>>
  > = {
    '/sandbox/status': {
      GET: (_req, res) =>
        sendJson(res, 200, { sandbox: true, stripe: opts.stripe.url, textmagic: opts.textmagic.url }),
    },
    '/sandbox/phones': { GET: async (_req, res) => sendJson(res, 200, await phones()) },
    '/sandbox/phones/reply': { POST: async (req, res) => reply(await readJson(req, true), res) },
    '/sandbox/inquiry': { POST: async (req, res) => inquiry(req, await readJson(req, true), res) },
    '/sandbox/seed': {
      POST: async (req, res) => {
        await readJson(req, false);
        try {
          sendJson(res, 200, await seedDemoProviders(opts.api, opts.keys.adminApiKey));
        } catch (e) {
          if (e instanceof SeedError) throw new HttpError(502, 'api_failed', e.message);
          throw e;
        }
      },
    },
  };

  const statusUrl = `/sms/status?token=${encodeURIComponent(opts.keys.inboundSmsToken)}`;
  /** One report, tried again while the API has not yet stored the message's id (its send is still answering). */
  async function report(fields: Record<string, string>): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      const res = await api(statusUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      const answer = (await res.json().catch(() => ({}))) as { matched?: boolean };
      if (res.status !== 200 || answer.matched) return;
    }
  }
  function reportDelivered(sms: SentSms): void {
    sms.phones.forEach((phone, i) => {
      const fields = {
        id: String(sms.messageIds[i]),
        receiver: phone,
        status: 'd',
        sessionId: String(sms.sessionId),
      };
      report(fields).catch(() => {});
    });
  }

  const handler: SandboxHandler = async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
      const route = routes[path];
      if (!route) throw new HttpError(404, 'not_found', `No sandbox route ${path}`);
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
      const run = route[method];
      if (!run) {
        res.setHeader('Allow', Object.keys(route).join(', '));
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not supported here`);
      }
      checkOrigin(req);
      if (path !== '/sandbox/status') await requireSession(req);
      await run(req, res);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      req.resume();
      sendError(res, e.status, e.code, e.message, e.details);
    }
  };
  return { handler, reportDelivered };
}
