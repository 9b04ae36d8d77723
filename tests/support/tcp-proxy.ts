/**
 * A cuttable TCP proxy for fault tests: app → proxy → Postgres, on loopback.
 *
 * It lets a test take the database away the ways production does: refuse new connections
 * (`down`), kill every open one (`drop`), kill the one connection that is about to send, or has
 * just had answered, a given statement (`dropOn`: between the statements of a transaction, or a
 * COMMIT that the server applied but whose answer never arrived), or stall without closing
 * (`hang`). `heal` puts it back. Bytes are passed through untouched otherwise.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** The protocol's ReadyForQuery message: 'Z', int32 length 5, then a status byte (I, T or E). */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);
const readyForQuery = (bytes: Buffer) => {
  const at = bytes.indexOf(READY_FOR_QUERY);
  return at >= 0 && 'ITE'.includes(String.fromCharCode(bytes[at + 5] ?? 0));
};

type Link = { client: net.Socket; server: net.Socket; held: Buffer[][] };

type Trap = {
  pattern: RegExp;
  /** false: cut before the server sees the bytes; true: let the server answer, then cut. */
  after: boolean;
  fired: () => void;
};

export interface TcpProxy {
  port: number;
  /** `url` (a postgres:// URL) with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** The database is down: open connections are killed and new ones refused (ECONNREFUSED). */
  down(): Promise<void>;
  /** Kills every open connection now; new ones are accepted. Resolves once they are closed. */
  drop(): Promise<void>;
  /**
   * Arms a trap on the next client message matching `pattern` (as latin1 text of the bytes):
   * the connection carrying it is killed before the server sees it or, with `after`, once the
   * server has answered it, the answer withheld. Resolves when it fired.
   */
  dropOn(pattern: RegExp, opts?: { after?: boolean }): Promise<void>;
  /** Stops passing bytes either way (a stalled network); they flow again on `heal`. */
  hang(): void;
  /** Back to normal: listening again, held bytes delivered, traps disarmed. */
  heal(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  const traps: Trap[] = [];
  let hung = false;
  let listening = false;

  const kill = (link: Link) => {
    link.client.destroy();
    link.server.destroy();
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    const link: Link = { client, server: upstream, held: [[], []] };
    links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let cutAfterAnswer: (() => void) | undefined;

    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const i = traps.findIndex((t) => t.pattern.test(text));
      if (i >= 0) {
        const [trap] = traps.splice(i, 1);
        if (!trap!.after) {
          kill(link);
          trap!.fired();
          return;
        }
        cutAfterAnswer = trap!.fired;
      }
      if (hung) link.held[0]!.push(chunk);
      else upstream.write(chunk);
    });
    let answer = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      if (cutAfterAnswer) {
        // Withheld until the server says it is ready for the next query (ReadyForQuery: 'Z',
        // length 5, a status byte): only then has it finished, and committed, what it was asked.
        // Its first bytes may come before that (a result bigger than its send buffer is flushed
        // before the implicit transaction commits at Sync), and a cut there would roll it back.
        answer = Buffer.concat([answer, chunk]);
        if (!readyForQuery(answer)) return;
        // The server has done what it was asked; its answer is lost with the connection.
        const fired = cutAfterAnswer;
        cutAfterAnswer = undefined;
        kill(link);
        fired();
        return;
      }
      if (hung) link.held[1]!.push(chunk);
      else client.write(chunk);
    });
    const close = () => {
      links.delete(link);
      kill(link);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });

  /** Kills all links and waits for their sockets to report closed. */
  const killAll = async () => {
    const closing = [...links].flatMap((l) => [l.client, l.server]).filter((s) => !s.closed);
    for (const l of links) kill(l);
    await Promise.all(
      closing.map(
        (s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))),
      ),
    );
  };

  await listen(0);
  const { port } = server.address() as AddressInfo;

  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    get open() {
      return links.size;
    },
    async down() {
      // close() resolves only once existing connections are gone: kill them meanwhile.
      const closed = listening ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
      listening = false;
      await killAll();
      await closed;
    },
    drop: killAll,
    dropOn(pattern, opts = {}) {
      return new Promise<void>((resolve) =>
        traps.push({ pattern, after: opts.after ?? false, fired: resolve }),
      );
    },
    hang() {
      hung = true;
    },
    async heal() {
      hung = false;
      traps.length = 0;
      for (const l of links) {
        for (const chunk of l.held[0]!.splice(0)) l.server.write(chunk);
        for (const chunk of l.held[1]!.splice(0)) l.client.write(chunk);
      }
      // Same port again, so URLs and pooled configuration stay valid.
      if (!listening) await listen(port);
    },
    async close() {
      const closed = listening ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
      listening = false;
      await killAll();
      await closed;
    },
  };
}
