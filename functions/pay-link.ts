import { getDb } from '../lib/db/client';
import { ExternalServiceError } from '../lib/errors';
import { httpHandler } from '../lib/http/handler';
import { page, redirect } from '../lib/http/response';
import { log } from '../lib/log';
import { openCheckout } from '../lib/unlock/open-checkout';

/** The short pay link a provider opens from an SMS: never shows the client's details. */
export const handler = httpHandler(async (req) => {
  const token = req.pathParams.token ?? '';
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) {
    return page(404, 'Link not found', 'This payment link does not exist. Check the link in your SMS.');
  }
  try {
    const outcome = await openCheckout(await getDb(), token);
    switch (outcome.kind) {
      case 'redirect':
        return redirect(outcome.url);
      case 'owned':
        return page(200, 'This lead is yours', "You've already unlocked this lead. The client's contact details were sent to you by SMS.");
      case 'unavailable':
        return page(410, 'Lead no longer available', 'Sorry, this lead has sold out or expired. Watch for the next one by SMS.');
      case 'not_found':
        return page(404, 'Link not found', 'This payment link does not exist. Check the link in your SMS.');
    }
  } catch (err) {
    if (err instanceof ExternalServiceError) {
      log.warn('pay link: Stripe unavailable', { error: err.message });
      return page(503, 'Payment temporarily unavailable', 'We could not reach our payment provider. Please open the link again in a minute.');
    }
    throw err;
  }
});
