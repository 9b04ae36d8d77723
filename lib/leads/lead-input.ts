import * as z from 'zod/mini';
import type { CountryCode } from 'libphonenumber-js';
import type { LeadSource } from '../db/schema';
import { config } from '../config';
import { badRequest } from '../errors';
import { parseWith } from '../http/body';
import { lazy } from '../lazy';
import { consentInput } from '../privacy/consent-input';
import {
  category,
  cursorParam,
  email,
  INSTANT_MESSAGE,
  instant,
  int,
  kind,
  normalizeCategory,
  normalizeZip,
  optionalText,
  param,
  parsed,
  phone,
  text,
  toNotBeforeFrom,
  zipCode,
} from '../http/fields';

/**
 * `source` on POST /leads: where the lead came from, as the form read it from its page's URL
 * (UTM parameters, ad click ids) or knows it (an affiliate). Not contact data: kept when the
 * client's details are erased, but `landingPage` then loses its query and fragment, which a
 * form may have filled with the client's own fields (lib/privacy/erase-client.ts).
 */
export const sourceInput = () =>
  z.pipe(
    z.strictObject(
      {
        utmSource: optionalText(200),
        utmMedium: optionalText(200),
        utmCampaign: optionalText(200),
        // Google's and Meta's click ids run to a few hundred characters.
        gclid: optionalText(500),
        fbclid: optionalText(500),
        affiliate: optionalText(200),
        landingPage: optionalText(2048),
      },
      { error: kind('an object such as {"utmSource": "google"}') },
    ),
    // As stored (LeadSource): the keys given and not empty; null when none is.
    z.transform((given): LeadSource | null => {
      const kept = Object.entries(given).filter(([, v]) => typeof v === 'string');
      return kept.length ? Object.fromEntries(kept) : null;
    }),
  );

/**
 * `POST /leads`: the inquiry as a website posts it. Strict: a field it does not know is a 400
 * `unknown_fields` (lib/http/body.ts), not dropped.
 */
export function leadInput(country: CountryCode) {
  return z.strictObject({
    name: text(200),
    phone: phone(country),
    email: email(),
    category: category(),
    zipCode: zipCode(country),
    city: optionalText(100),
    description: text(2000),
    budget: optionalText(100),
    // Stripe's smallest charge is 50 cents (in USD); the top guards against typos.
    priceCents: z.optional(int(50, 1_000_000)),
    maxUnlocks: z.optional(int(1, 50)),
    // What the client agreed to (lib/privacy/consent-input.ts); REQUIRE_CLIENT_CONSENT makes it required.
    consent: z.optional(consentInput()),
    source: z.optional(z.nullable(sourceInput())),
  });
}

/** REQUIRE_CLIENT_CONSENT: a lead without the client's `consent` is a 400 naming it. */
export function requireConsent(lead: LeadInput): void {
  if (lead.consent === undefined) {
    throw badRequest('validation_failed', 'Invalid fields: consent', [
      { field: 'consent', message: 'is required: the wording the client agreed to (REQUIRE_CLIENT_CONSENT)' },
    ]);
  }
}
export type LeadInput = z.output<ReturnType<typeof leadInput>>;

const leadSchema = lazy(() => leadInput(config().defaultCountry));

/**
 * A lead's fields checked as `POST /leads` checks them (its schema, REQUIRE_CLIENT_CONSENT), for
 * the leads that come in another way: the hosted form and form tools' posts (lib/intake/).
 */
export function checkedLead(body: Record<string, unknown>): LeadInput {
  const input = parseWith(leadSchema(), body);
  if (config().requireClientConsent) requireConsent(input);
  return input;
}

/** `GET /leads`: cursor, limit 1..100, and the filters. */
export const leadListQuery = lazy(() =>
  z
    .object({
      cursor: cursorParam(),
      limit: param(
        parsed(
          (v) => (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 100 ? Number(v) : undefined),
          'must be a whole number from 1 to 100',
        ),
      ),
      status: param(
        z.enum(['open', 'full', 'closed', 'expired'], { error: 'must be open, full, closed or expired' }),
      ),
      category: param(z.pipe(text(100), z.transform(normalizeCategory))),
      zipCode: param(z.pipe(text(20), z.transform(normalizeZip))),
      from: param(parsed(instant, INSTANT_MESSAGE)),
      to: param(parsed(instant, INSTANT_MESSAGE)),
      q: param(text(200)),
    })
    .check(toNotBeforeFrom()),
);
export type LeadListQuery = z.output<ReturnType<typeof leadListQuery>>;

/** `POST /leads/{id}/offers`: the provider the operator offers the lead to. */
export const offerLeadInput = lazy(() =>
  z.object({ providerId: z.uuid({ error: 'must be the UUID of a provider' }) }),
);
