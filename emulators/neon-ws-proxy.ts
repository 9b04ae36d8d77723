/**
 * A local implementation of Neon's wsproxy protocol, for the tests and the bench: lets
 * `@neondatabase/serverless` (Pool/Client over WebSocket) reach a local Postgres.
 *
 * The driver opens `ws://<wsProxy>?address=<host>:<port>`; every binary frame it sends is
 * Postgres wire protocol for that TCP address, and every byte from the server comes back as a
 * binary frame. Only loopback targets are allowed. A frontend Terminate message ('X', length 4)
 * ends the TCP side; either side closing closes the other.
 *
 * Use with:
 *   neonConfig.webSocketConstructor = ws; neonConfig.wsProxy = proxy.wsProxy;
 *   neonConfig.useSecureWebSocket = false; neonConfig.pipelineTLS = false; neonConfig.pipelineConnect = false;
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

export interface NeonWsProxy {
  port: number;
  /** Value for `neonConfig.wsProxy`, e.g. `127.0.0.1:PORT/v1` (the driver appends `?address=host:port`). */
  wsProxy: string;
  /** Number of WebSocket connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Parses `host:port` (or `[v6]:port`); returns undefined when malformed or not loopback. */
function parseTarget(address: string | null): { host: string; port: number } | undefined {
  if (!address) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  const host = m[1]!;
  const port = Number(m[2]);
  if (!LOOPBACK_HOSTS.has(host) || port < 1 || port > 65535) return undefined;
  return { host: host === '[::1]' ? '::1' : host, port };
}

/**
 * Tracks frontend (client → server) Postgres message boundaries so we can notice Terminate.
 * Before startup completes, messages are untyped (Int32 length first): SSLRequest, GSSENCRequest,
 * CancelRequest, StartupMessage. Afterwards each message is Byte1 type + Int32 length.
 */
class FrontendParser {
  private buf: Buffer = Buffer.alloc(0);
  private startup = true;
  private broken = false;

  /** Feeds bytes; returns the offset (in `chunk`) just past a Terminate message, or -1 if none was seen. */
  feed(chunk: Buffer): number {
    if (this.broken) return -1;
    const base = this.buf.length;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let off = 0;
    for (;;) {
      if (this.startup) {
        if (this.buf.length - off < 8) break;
        const len = this.buf.readInt32BE(off);
        if (len < 8) return this.giveUp(); // garbage: let the server deal with it
        if (this.buf.length - off < len) break;
        const code = this.buf.readInt32BE(off + 4);
        off += len;
        // 80877103 SSLRequest, 80877104 GSSENCRequest: another startup packet follows.
        if (code !== 80877103 && code !== 80877104) this.startup = false;
        continue;
      }
      if (this.buf.length - off < 5) break;
      const type = this.buf[off]!;
      const len = this.buf.readInt32BE(off + 1);
      if (len < 4) return this.giveUp();
      if (this.buf.length - off < 1 + len) break;
      off += 1 + len;
      if (type === 0x58 /* 'X' */ && len === 4) {
        const end = off - base; // offset within `chunk`
        this.buf = Buffer.alloc(0);
        return end;
      }
    }
    this.buf = this.buf.subarray(off);
    return -1;
  }

  private giveUp(): number {
    this.broken = true;
    this.buf = Buffer.alloc(0);
    return -1;
  }
}

export async function startNeonWsProxy(): Promise<NeonWsProxy> {
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' });
    res.end('WebSocket upgrade required\n');
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<net.Socket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const target = parseTarget(url.searchParams.get('address'));
    if (!target) {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\naddress must be a loopback host:port\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      proxy.connections++;
      pipe(ws, target);
    });
  });

  const pipe = (ws: WebSocket, target: { host: string; port: number }) => {
    const tcp = net.connect({ host: target.host, port: target.port });
    tcp.setNoDelay(true);
    sockets.add(tcp);
    const parser = new FrontendParser();
    let tcpEnded = false;

    const closeWs = () => {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    };
    const endTcp = () => {
      if (!tcpEnded) {
        tcpEnded = true;
        tcp.end();
      }
    };

    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (tcpEnded) return;
      let chunk: Buffer;
      if (Buffer.isBuffer(data)) chunk = data;
      else if (Array.isArray(data)) chunk = Buffer.concat(data);
      else chunk = Buffer.from(data);
      if (!isBinary) chunk = Buffer.from(chunk); // text frames carry bytes too; pass them on
      const terminateEnd = parser.feed(chunk);
      if (terminateEnd >= 0) {
        tcp.write(chunk.subarray(0, terminateEnd));
        endTcp();
        return;
      }
      tcp.write(chunk);
    });
    ws.on('close', () => {
      endTcp();
      // give the server a moment to read Terminate, then make sure the socket goes away
      setTimeout(() => tcp.destroy(), 1000).unref();
    });
    ws.on('error', () => {
      endTcp();
      tcp.destroy();
    });

    tcp.on('data', (data: Buffer) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: true });
    });
    tcp.on('close', () => {
      sockets.delete(tcp);
      closeWs();
    });
    tcp.on('error', () => {
      // 'close' follows; the client sees the WebSocket close
      if (ws.readyState === WebSocket.OPEN) ws.close(1011, 'upstream error');
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const proxy: NeonWsProxy = {
    port,
    wsProxy: `127.0.0.1:${port}/v1`,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        for (const s of sockets) s.destroy();
        sockets.clear();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return proxy;
}
