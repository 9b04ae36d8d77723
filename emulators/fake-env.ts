import type { FakeStripe } from './fake-stripe';
import type { FakeTextMagic } from './fake-textmagic';

/** The environment that points the app at the Stripe and TextMagic fakes. */
export function fakeServicesEnv(stripe: FakeStripe, textmagic: FakeTextMagic): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    TEXTMAGIC_USERNAME: textmagic.username,
    TEXTMAGIC_API_KEY: textmagic.apiKey,
    TEXTMAGIC_API_URL: textmagic.url,
  };
}
