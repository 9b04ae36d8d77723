import { config } from './config';
import { getPool } from './db/pool';
import { log } from './log';

type Check = { status: 'ok' | 'error'; latencyMs?: number; message?: string };

const TIMEOUT_MS = 3_000;

async function database(): Promise<Check> {
  const started = performance.now();
  try {
    // The raw pool, not drizzle: the health function then carries no query builder or schema.
    const pool = await getPool();
    await Promise.race([
      pool.query('select 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref()),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    log.warn('health: database unreachable', { err });
    return { status: 'error', message: 'database unreachable' };
  }
}

/** `GET /health`: the database answers; which integrations are configured (never their keys). */
export async function health() {
  const cfg = config();
  const db = await database();
  const configured = (yes: boolean) => ({ status: yes ? 'configured' : 'not_configured' });
  return {
    status: db.status,
    checks: {
      database: db,
      stripe: configured(Boolean(cfg.stripe.secretKey && cfg.stripe.webhookSecret)),
      textmagic: configured(Boolean(cfg.textmagic.username && cfg.textmagic.apiKey)),
    },
  };
}
