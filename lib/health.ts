import { unsetSenderVariables } from './sms/sender';
import { config, type VariableName } from './config';
import { getPool } from './db/pool';
import { AppError } from './errors';
import { log } from './log';
import { declaredSecrets, secretProblems } from './secrets';

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
    if (err instanceof AppError && err.code === 'not_configured') {
      return { status: 'error', message: 'database not configured (DATABASE_URL)' };
    }
    log.warn('health: database unreachable', { err });
    return { status: 'error', message: 'database unreachable' };
  }
}

/**
 * Whether an integration's keys are set. The health function reads DATABASE_URL alone (each
 * function gets only the secrets it declares, deployed and under serverless-offline): it does not
 * hold the Stripe or TextMagic keys, and says so rather than guess "not configured";
 * `GET /health/integrations` reaches both with them.
 */
function integration(names: VariableName[], set: boolean) {
  const declared = declaredSecrets();
  if (declared && names.some((name) => !declared.includes(name))) {
    return { status: 'not_checked', message: 'GET /health/integrations checks it' };
  }
  return { status: set ? 'configured' : 'not_configured' };
}

/** Who the SMS speak as: `configured`, or which variables are missing and what that does. */
function sender(local: boolean) {
  const missing = unsetSenderVariables();
  if (missing.length === 0) return { status: 'configured' };
  return {
    status: local ? 'local_fallback' : 'not_configured',
    missing,
    message: local ? 'local runs speak as Lead Unlock' : 'no SMS is sent until they are set',
  };
}

/**
 * `GET /health`: the database answers; which integrations are configured (never their keys);
 * in a deployed stage, `secrets` names those this function could not read from SSM and why.
 */
export async function health() {
  const cfg = config();
  const db = await database();
  const problems = secretProblems();
  return {
    status: db.status,
    checks: {
      database: db,
      stripe: integration(
        ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
        Boolean(cfg.stripe.secretKey && cfg.stripe.webhookSecret),
      ),
      textmagic: integration(
        ['TEXTMAGIC_USERNAME', 'TEXTMAGIC_API_KEY'],
        Boolean(cfg.textmagic.username && cfg.textmagic.apiKey),
      ),
      // SMS_BRAND_NAME and SUPPORT_CONTACT (lib/sms/sender.ts): unset, a deployed stage sends no SMS.
      sender: sender(cfg.local),
      ...(Object.keys(problems).length > 0 && { secrets: { status: 'error', problems } }),
    },
  };
}
