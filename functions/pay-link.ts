import { getDb } from '../lib/db/client';
import { isConnectionError } from '../lib/db/pool';
import { AppError, ExternalServiceError } from '../lib/errors';
import { httpFunction } from '../lib/http/handler';
import { page, redirect } from '../lib/http/response';
import { log } from '../lib/log';
import { openCheckout } from '../lib/unlock/open-checkout';
import { stripe } from '../lib/stripe';

/** The short pay link a provider opens from an SMS: never shows the client's details. */
export const handler = await httpFunction(
  async (req) => {
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
          return page(
            200,
            'This lead is yours',
            "You've already unlocked this lead. The client's contact details were sent to you by SMS.",
          );
        case 'unavailable':
          return page(
            410,
            'Lead no longer available',
            'Sorry, this lead has sold out or expired. Watch for the next one by SMS.',
          );
        case 'refused':
          return page(
            409,
            outcome.reason === 'weekly_cap' ? 'Weekly spending cap reached' : 'Daily lead limit reached',
            outcome.reason === 'weekly_cap'
              ? 'Buying this lead would take you over your weekly spending cap, so no payment was started. We sent you an SMS saying so.'
              : "You've reached your daily lead limit, so no payment was started. We sent you an SMS saying so.",
          );
        case 'not_found':
          return page(404, 'Link not found', 'This payment link does not exist. Check the link in your SMS.');
      }
    } catch (err) {
      // Stripe down or not configured, or the database unreachable: a page, not JSON.
      const unavailable =
        err instanceof ExternalServiceError ||
        (err instanceof AppError && err.status === 503) ||
        isConnectionError(err);
      if (!unavailable) throw err;
      log.warn('pay link unavailable', { error: (err as Error).message });
      return page(
        503,
        'Payment temporarily unavailable',
        'We could not open the payment page just now. Please open the link again in a minute.',
      );
    }
  },
  [getDb, stripe],
);
