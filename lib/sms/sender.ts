import { config } from '../config';
import { notConfigured } from '../errors';
import { log } from '../log';
import type { Sender } from './languages/language-module';

/** What local runs speak as when SMS_BRAND_NAME is unset (never a deployed stage). */
export const LOCAL_BRAND = 'Lead Unlock';

let warned = false;

/**
 * The brand and support contact every SMS is built with. A deployed stage never speaks under a
 * brand the operator did not register: with SMS_BRAND_NAME or SUPPORT_CONTACT unset, building an
 * SMS fails the request with a 503 before anything is written (Stripe and TextMagic retry their
 * webhooks, a lead's sender gets the 503), and `/health` names the missing variable. Under
 * `npm start` and serverless-offline they fall back, with a warning, so local runs keep sending.
 */
export function smsSender(): Sender {
  const cfg = config();
  const missing = unsetSenderVariables();
  if (missing.length === 0) return { brand: cfg.smsBrandName!, support: cfg.supportContact! };
  if (!cfg.local) {
    throw notConfigured(
      `${missing.join(' and ')} not set: this stage sends no SMS until the operator sets them`,
    );
  }
  if (!warned) {
    warned = true;
    log.warn('SMS speak as a local fallback brand: set SMS_BRAND_NAME and SUPPORT_CONTACT before deploying', {
      missing,
    });
  }
  return { brand: cfg.smsBrandName ?? LOCAL_BRAND, support: cfg.supportContact ?? cfg.publicBaseUrl };
}

/** The sender variables not set, by name (for the 503 above, `/health` and `npm start`'s warning). */
export function unsetSenderVariables(): string[] {
  const cfg = config();
  return [
    ...(cfg.smsBrandName ? [] : ['SMS_BRAND_NAME']),
    ...(cfg.supportContact ? [] : ['SUPPORT_CONTACT']),
  ];
}
