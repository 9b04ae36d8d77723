import { getDb } from '../lib/db/client';
import { isConnectionError } from '../lib/db/pool';
import { AppError, ExternalServiceError } from '../lib/errors';
import { httpFunction } from '../lib/http/handler';
import { page, redirect } from '../lib/http/response';
import { log } from '../lib/log';
import { openCheckout } from '../lib/purchases/open-checkout';
import { stripe } from '../lib/stripe';
import { languageModule, LANGUAGES, type PayPage } from '../lib/sms/language';

/** A page of the provider's language; without a provider to tell it, in every language. */
const payPage = (status: number, key: PayPage, language?: string) => {
  if (language) {
    const { code, payPages } = languageModule(language);
    return page(status, payPages[key].title, payPages[key].message, code);
  }
  const all = LANGUAGES.map((l) => l.payPages[key]);
  return page(status, all.map((p) => p.title).join(' / '), all.map((p) => p.message).join(' '));
};

/** The short pay link a provider opens from an SMS: never shows the client's details. */
export const handler = await httpFunction(
  'payLink',
  {
    'GET /p/{token}': async (req) => {
      const token = req.pathParams.token ?? '';
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return payPage(404, 'not_found');
      try {
        const outcome = await openCheckout(await getDb(), token);
        switch (outcome.kind) {
          case 'redirect':
            return redirect(outcome.url);
          case 'owned':
            return payPage(200, 'owned', outcome.language);
          case 'unavailable':
            return payPage(410, 'unavailable', outcome.language);
          case 'refused':
            return payPage(409, outcome.reason, outcome.language);
          case 'not_found':
            return payPage(404, 'not_found');
        }
      } catch (err) {
        // Stripe down or not configured, or the database unreachable: a page, not JSON.
        const unavailable =
          err instanceof ExternalServiceError ||
          (err instanceof AppError && err.status === 503) ||
          isConnectionError(err);
        if (!unavailable) throw err;
        log.warn('pay link unavailable', { error: (err as Error).message });
        return payPage(503, 'down');
      }
    },
  },
  [getDb, stripe],
);
