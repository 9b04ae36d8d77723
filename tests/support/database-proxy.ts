import { afterAll, afterEach, beforeAll } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeDb } from '../../lib/db/client';
import type { TestApp } from './app';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * Puts a cuttable proxy between the app and its database for the calling test file: every
 * connection the app opens goes through it (for Neon: driver → WebSocket proxy → this proxy →
 * Postgres, or PgBouncer for a pooled app); `app.db.query` still reads Postgres directly.
 * Healed after each test.
 */
export function useDatabaseProxy(app: TestApp): { readonly proxy: TcpProxy } {
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    // Whatever the app would reach: Postgres itself, or PgBouncer in front of it.
    const target = process.env.DATABASE_URL ?? app.db.url;
    const { hostname, port } = new URL(target);
    proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    process.env.DATABASE_URL = proxy.via(target);
    resetConfig();
    await closeDb();
  });
  afterAll(async () => {
    await closeDb();
    await proxy?.close();
  });
  // Whatever a test did to the proxy, the next one starts with the database reachable.
  afterEach(async () => {
    await proxy?.heal();
  });
  return {
    get proxy() {
      if (!proxy) throw new Error('useDatabaseProxy: the proxy is not started yet');
      return proxy;
    },
  };
}
