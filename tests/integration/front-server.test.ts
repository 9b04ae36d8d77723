/**
 * The local front server (sandbox/front-server.ts) passes requests to the API as they were
 * sent and answers as the API answered: a Stripe signature over a body with odd whitespace
 * still verifies behind it, headers and status come back, and a slow answer holds up no other.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontServer, type FrontServer } from '../../sandbox/front-server';

const WEBHOOK_SECRET = 'whsec_front_server_test';

type Seen = { method: string; url: string; rawHeaders: string[]; body: Buffer };

let upstream: http.Server;
let front: FrontServer;
const seen: Seen[] = [];
/** Releases the held `/slow` request. */
let releaseSlow: () => void = () => {};
const slowHeld = new Promise<void>((resolve) => (releaseSlow = resolve));

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body });
      if (req.url === '/stripe/webhook') {
        // As the webhook function does: the signature over the raw bytes.
        try {
          const event = Stripe.webhooks.constructEvent(
            body,
            String(req.headers['stripe-signature']),
            WEBHOOK_SECRET,
          );
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ received: event.id }));
        } catch (e) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'invalid_signature', message: (e as Error).message } }));
        }
        return;
      }
      if (req.url === '/slow') {
        void slowHeld.then(() => res.end('slow'));
        return;
      }
      if (req.url === '/cors') {
        // What serverless-offline 14 adds to every answer to a request with an Origin.
        res.writeHead(200, [
          'Access-Control-Allow-Origin',
          String(req.headers.origin),
          'access-control-allow-credentials',
          'true',
          'Access-Control-Allow-Methods',
          'GET',
          'Access-Control-Expose-Headers',
          'content-type',
          'Content-Type',
          'application/json',
        ]);
        res.end('{"secret":true}');
        return;
      }
      if (req.url === '/echo-bytes') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(body);
        return;
      }
      res.writeHead(418, 'Short And Stout', [
        'Set-Cookie',
        'a=1; Path=/',
        'Set-Cookie',
        'b=2; Path=/; HttpOnly',
        'X-Upstream-Case',
        'Kept',
        'Content-Type',
        'text/plain; charset=utf-8',
      ]);
      res.end('teapot');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  front = await startFrontServer({ port: 0, upstream: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  releaseSlow();
  await front?.close();
  await new Promise<void>((resolve) => {
    upstream.close(() => resolve());
    upstream.closeAllConnections();
  });
});

type Answer = { status: number; statusMessage: string; rawHeaders: string[]; body: Buffer };

/** A request with exactly these headers (raw, in order) and body chunks. */
function send(opts: {
  method?: string;
  path: string;
  headers: string[];
  chunks?: Buffer[];
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: front.port,
      method: opts.method ?? 'GET',
      path: opts.path,
      headers: opts.headers,
      setHost: false,
      agent: false,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          statusMessage: res.statusMessage!,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    for (const c of opts.chunks ?? []) req.write(c);
    req.end();
  });
}

const header = (raw: string[], name: string) =>
  raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name.toLowerCase() ? [raw[i + 1]!] : []));

describe('front server: everything but /sandbox goes to the API untouched', () => {
  it('a Stripe-signed webhook body with odd whitespace arrives byte for byte and verifies', async () => {
    const payload =
      '{\n  "id" :  "evt_odd_whitespace",\t"object":"event",\r\n"type":"checkout.session.completed" ,' +
      '"data":{ "object" : {"name":"Zoë \\u00e9 ☃"} } }\n\n   ';
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const bytes = Buffer.from(payload, 'utf8');
    const answer = await send({
      method: 'POST',
      path: '/stripe/webhook',
      headers: [
        'Host',
        'localhost:3000',
        'Content-Type',
        'application/json; charset=utf-8',
        'Stripe-Signature',
        signature,
        'Content-Length',
        String(bytes.length),
      ],
      // In pieces, split inside a multi-byte character.
      chunks: [
        bytes.subarray(0, 7),
        bytes.subarray(7, bytes.indexOf('☃') + 1),
        bytes.subarray(bytes.indexOf('☃') + 1),
      ],
    });
    expect(answer.status, answer.body.toString()).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ received: 'evt_odd_whitespace' });
    const got = seen.find((s) => s.url === '/stripe/webhook')!;
    expect(got.body.equals(bytes)).toBe(true);
    expect(header(got.rawHeaders, 'stripe-signature')).toEqual([signature]);

    // One byte changed on the way would fail the signature: the same check refuses it.
    const tampered = await send({
      method: 'POST',
      path: '/stripe/webhook',
      headers: ['Host', 'localhost:3000', 'Content-Type', 'application/json', 'Stripe-Signature', signature],
      chunks: [Buffer.from(payload.trimEnd())],
    });
    expect(tampered.status).toBe(400);
  });

  it('method, path and query, Host and the other headers arrive as sent', async () => {
    await send({
      method: 'PATCH',
      path: '/providers/abc?x=1&y=%20two&y=3&empty=&flag',
      headers: [
        'Host',
        'localhost:3000',
        'X-Api-Key',
        'key-as-sent',
        'Cookie',
        'lu_session=v1.abc',
        'Origin',
        'http://localhost:3000',
        'X-Repeated',
        'one',
        'X-Repeated',
        'two',
      ],
    });
    const got = seen.find((s) => s.method === 'PATCH')!;
    expect(got.url).toBe('/providers/abc?x=1&y=%20two&y=3&empty=&flag');
    expect(header(got.rawHeaders, 'host')).toEqual(['localhost:3000']);
    expect(header(got.rawHeaders, 'x-api-key')).toEqual(['key-as-sent']);
    expect(header(got.rawHeaders, 'cookie')).toEqual(['lu_session=v1.abc']);
    expect(header(got.rawHeaders, 'origin')).toEqual(['http://localhost:3000']);
    expect(header(got.rawHeaders, 'x-repeated')).toEqual(['one', 'two']);
  });

  it('the status, its reason phrase, every header (each Set-Cookie) and the body come back', async () => {
    const answer = await send({ path: '/anything', headers: ['Host', 'localhost:3000'] });
    expect(answer.status).toBe(418);
    expect(answer.statusMessage).toBe('Short And Stout');
    expect(header(answer.rawHeaders, 'set-cookie')).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    expect(answer.rawHeaders).toContain('X-Upstream-Case');
    expect(header(answer.rawHeaders, 'x-upstream-case')).toEqual(['Kept']);
    expect(answer.body.toString()).toBe('teapot');
  });

  it('but no Access-Control-* header: serverless.yml configures no CORS, whatever serverless-offline adds', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const answer = await send({
        method,
        path: '/cors',
        headers: ['Host', 'localhost:3000', 'Origin', 'http://localhost:5555'],
      });
      expect(answer.status).toBe(200);
      expect(answer.rawHeaders.filter((h, i) => i % 2 === 0 && /^access-control-/i.test(h))).toEqual([]);
      expect(header(answer.rawHeaders, 'content-type')).toEqual(['application/json']);
    }
  });

  it('a large binary body, chunked, comes back unchanged', async () => {
    const bytes = randomBytes(1024 * 1024 + 17);
    const chunks = [bytes.subarray(0, 1000), bytes.subarray(1000, 500_000), bytes.subarray(500_000)];
    const answer = await send({
      method: 'POST',
      path: '/echo-bytes',
      headers: [
        'Host',
        'localhost:3000',
        'Content-Type',
        'application/octet-stream',
        'Transfer-Encoding',
        'chunked',
      ],
      chunks,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.equals(bytes)).toBe(true);
    expect(seen.find((s) => s.url === '/echo-bytes')!.body.equals(bytes)).toBe(true);
  });

  it('a slow answer holds up no other request', async () => {
    let slowDone = false;
    const slow = send({ path: '/slow', headers: ['Host', 'localhost:3000'] }).then((a) => {
      slowDone = true;
      return a;
    });
    // The upstream holds /slow until the others have been answered.
    while (!seen.some((s) => s.url === '/slow')) await new Promise((r) => setTimeout(r, 10));
    const others = await Promise.all(
      [1, 2, 3].map(() => send({ path: '/anything', headers: ['Host', 'localhost:3000'] })),
    );
    expect(others.map((a) => a.status)).toEqual([418, 418, 418]);
    expect(slowDone).toBe(false);
    releaseSlow();
    expect((await slow).body.toString()).toBe('slow');
  });

  it('/sandbox/* is never passed on; without the sandbox it is a JSON 404', async () => {
    const before = seen.length;
    const answer = await send({ method: 'POST', path: '/sandbox/seed', headers: ['Host', 'localhost:3000'] });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ error: { code: 'not_found' } });
    expect(seen.length).toBe(before);
  });

  it('an API that is not listening is a JSON 502', async () => {
    const lone = await startFrontServer({ port: 0, upstream: 'http://127.0.0.1:1' });
    try {
      const res = await fetch(`${lone.url}/health`);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: { code: 'upstream_unavailable' } });
    } finally {
      await lone.close();
    }
  });
});
