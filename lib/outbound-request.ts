/**
 * One HTTP(S) request to an outside API (TextMagic, SSM Parameter Store), answered as status and
 * body text: `body` undefined when the answer was cut short.
 */
export type Reply = {
  status: number;
  statusText: string;
  body: string | undefined;
  headers: Record<string, string | string[] | undefined>;
};

// node:http(s) with a keep-alive agent rather than fetch: undici spends about 2 ms of CPU per
// request on top (streams, Headers, Response), which a create-lead burst pays on every teaser, and
// loading it costs a cold start that reads secrets tens of ms more than node:http (docs/performance.md).
// Loaded on the first request, not at import (cold start). Idle sockets are dropped
// after 4 s, as fetch's agent does, so that a container thawed later does not write into a
// connection TextMagic has since closed.
let transport: Promise<{ http: typeof import('node:http'); https: typeof import('node:https') }> | undefined;
const agents = new Map<string, import('node:http').Agent>();

export async function request(
  method: 'GET' | 'POST',
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
): Promise<Reply> {
  transport ??= Promise.all([import('node:http'), import('node:https')]).then(([http, https]) => ({
    http: http.default,
    https: https.default,
  }));
  const { http, https } = await transport;
  const client = url.protocol === 'https:' ? https : http;
  let agent = agents.get(url.protocol);
  if (!agent) {
    agent = new client.Agent({ keepAlive: true, timeout: 4_000 });
    agents.set(url.protocol, agent);
  }
  return new Promise<Reply>((resolve, reject) => {
    const req = client.request(url, {
      method,
      headers:
        body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent,
      // Aborting destroys the request: before the answer it fails with an AbortError, after it
      // the body is cut short.
      signal,
    });
    let answered = false;
    // Once the status is in, an abort or a reset only cuts the body: judged by 'close' below.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => {}); // a body cut short: 'close' below says so
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: res.complete ? Buffer.concat(chunks).toString('utf8') : undefined,
        }),
      );
    });
    req.end(body);
  });
}
