import { Pool, neonConfig } from '@neondatabase/serverless';
import { onlyDriver, usesNeonDriver, type Connection, type PoolSettings } from './pool-settings';

/**
 * Neon's WebSocket driver, imported statically: a bundle built for Neon (condition `db-neon`)
 * evaluates it once at the top, instead of through the lazy wrapper esbuild puts around a
 * dynamic import, which V8 parses twice (measured: 0.2× of create-lead's cold start).
 */
export async function createPool(s: PoolSettings): Promise<Connection> {
  if (!usesNeonDriver(s.url, s.driver)) throw onlyDriver('neon');
  // Node 22 has a global WebSocket (which the driver uses by default); Node 20 needs `ws`.
  // BUNDLED_GLOBAL_WEBSOCKET is replaced at build time for nodejs22.x (esbuild.config.cjs), so
  // that a deployed bundle carries no `ws`.
  if (process.env.BUNDLED_GLOBAL_WEBSOCKET !== 'true' && typeof WebSocket === 'undefined') {
    neonConfig.webSocketConstructor = (await import('ws')).default;
  }
  if (s.neonWsProxy) {
    const proxy = s.neonWsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  return { driver: 'neon', pool: new Pool(s.options) };
}
