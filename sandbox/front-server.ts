/**
 * The local front server: one port (PORT, 3000) in front of serverless-offline. It answers
 * `/sandbox/*` itself (when the sandbox is on) and passes every other request to the API
 * untouched: method, path and query as sent, the headers as sent (Host included, so the API
 * sees the origin the browser used), the body streamed byte for byte (Stripe signs the raw
 * bytes), and the answer back the same way, less the CORS headers serverless-offline adds
 * (`withoutCors`). Local only: nothing under functions/ imports it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers every `/sandbox/*` request (its own 404 for unknown ones). */
export type SandboxHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export type FrontServer = {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
};

/** Headers of one connection, not of the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** `rawHeaders` ([name, value, name, value, …]) without the hop-by-hop ones, names as sent. */
function endToEnd(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/**
 * Answer headers without `Access-Control-*`. serverless.yml configures no CORS (`httpApi.cors:
 * false`), so API Gateway adds none, but serverless-offline 14 answers every request that has an
 * `Origin` with `Access-Control-Allow-Origin: <that origin>` and `-Allow-Credentials: true`, and
 * approves every preflight (the `onPreResponse` hook of its src/events/http/HttpServer.js, with no
 * option to turn it off: https://github.com/dherault/serverless-offline/issues/1213). Any page on
 * another port of localhost, which is the same site and so gets the SameSite=Strict cookie sent,
 * could then read the admin API. Should serverless.yml ever configure CORS, this goes.
 */
function withoutCors(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!raw[i]!.toLowerCase().startsWith('access-control-')) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
  });
  res.end(payload);
}

export function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  details?: Array<{ field: string; message: string }>,
): void {
  sendJson(res, status, { error: details ? { code, message, details } : { code, message } });
}

const isSandboxPath = (url: string) => url === '/sandbox' || /^\/sandbox[/?]/.test(url);

/**
 * Listens on `host:port` (127.0.0.1, a free port when 0) and proxies to `upstream`
 * (`http://127.0.0.1:<port>`). Without `sandbox`, `/sandbox/*` answers 404.
 */
export async function startFrontServer(opts: {
  port: number;
  host?: string;
  upstream: string;
  sandbox?: SandboxHandler;
}): Promise<FrontServer> {
  const upstream = new URL(opts.upstream);
  // One connection per request, as a browser's own requests would be: a slow answer holds
  // only its own connection.
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

  const proxy = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const out = http.request({
      agent,
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.rawHeaders),
      // The client's framing (Content-Length or chunked) is in the headers passed on.
      setHost: false,
    });
    out.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutCors(endToEnd(answer.rawHeaders)));
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    out.on('error', (e) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 502, 'upstream_unavailable', `The local API is not answering (${e.message})`);
    });
    req.pipe(out);
    req.on('error', () => out.destroy());
    // The client went away before the answer ended: so does the upstream request.
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (!isSandboxPath(url)) return proxy(req, res);
    if (!opts.sandbox) {
      req.resume();
      return sendError(
        res,
        404,
        'not_found',
        'The sandbox runs only with the local Stripe and TextMagic stand-ins (no credentials set)',
      );
    }
    opts.sandbox(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, 'internal', `The sandbox failed: ${(e as Error).message}`);
    });
  });
  // Headers and the first request line may take a while on a cold serverless-offline: no timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
