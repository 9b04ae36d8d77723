import { getDb } from '../lib/db/client';
import { log } from '../lib/log';
import { scheduledFunction } from '../lib/scheduled-function';
import { dispatchDue } from '../lib/messaging/dispatch';

/**
 * Every minute: sends what is due in the outbox and retries Stripe follow-ups. Most runs make no
 * Stripe call, so the client is built when a follow-up first needs it, not at init.
 */
export const handler = await scheduledFunction(async () => {
  const result = await dispatchDue(await getDb());
  const worked =
    result.erasedLeads > 0 ||
    result.agedLeads > 0 ||
    [result.sms, result.stripe].some((r) => r.done + r.retry + r.failed > 0);
  if (worked) log.info('dispatcher run', result);
  return result;
}, [getDb]);
