import { getDb } from '../lib/db/client';
import { log } from '../lib/log';
import { dispatchDue } from '../lib/unlock/dispatch';

/** Every minute: sends what is due in the outbox and retries Stripe follow-ups. */
export const handler = async () => {
  const result = await dispatchDue(await getDb());
  if (result.sms.sent + result.sms.retry + result.sms.failed + result.stripe.done + result.stripe.retry + result.stripe.failed > 0) {
    log.info('dispatcher run', result);
  }
  return result;
};
