import { getDb } from '../lib/db/client';
import { log } from '../lib/log';
import { scheduledFunction } from '../lib/scheduled-function';
import { dispatchDue } from '../lib/messaging/dispatch';
import { dispatchDueSms } from '../lib/messaging/outbox';
import { KICK_EVENT } from '../lib/messaging/dispatcher-kick';

/**
 * Every minute: sends what is due in the outbox and retries Stripe follow-ups. Most runs make no
 * Stripe call, so the client is built when a follow-up first needs it, not at init. Started by a
 * burst's request (`KICK_EVENT`, lib/messaging/dispatcher-kick.ts): the SMS only.
 */
export const handler = await scheduledFunction(
  async (event) => {
    const db = await getDb();
    if (isKick(event)) {
      const sms = await dispatchDueSms(db);
      log.info('dispatcher run (kicked)', { sms });
      return { sms, stripe: { done: 0, retry: 0, failed: 0 }, erasedLeads: 0, agedLeads: 0 };
    }
    const result = await dispatchDue(db);
    const worked =
      result.erasedLeads > 0 ||
      result.agedLeads > 0 ||
      [result.sms, result.stripe].some((r) => r.done + r.retry + r.failed > 0);
    if (worked) log.info('dispatcher run', result);
    return result;
  },
  [getDb],
);

const isKick = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { kick?: unknown }).kick === KICK_EVENT.kick;
