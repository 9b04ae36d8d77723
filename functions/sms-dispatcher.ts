import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { log } from '../lib/log';
import { dispatchDue } from '../lib/unlock/dispatch';
import { initClients } from '../lib/init-clients';
import { stripe } from '../lib/stripe';

// Configuration, pool and query builder built in Lambda's init phase (lib/init-clients.ts).
await initClients(config, getDb, stripe);

/** Every minute: sends what is due in the outbox and retries Stripe follow-ups. */
export const handler = async () => {
  const result = await dispatchDue(await getDb());
  const worked = [result.sms, result.stripe].some((r) => r.done + r.retry + r.failed > 0);
  if (worked) {
    log.info('dispatcher run', result);
  }
  return result;
};
