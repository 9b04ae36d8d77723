/**
 * The API's routes, the one place each is declared: what serves it, who may call it, its API
 * Gateway throttle, what it does, and a request it accepts. From this table:
 * - scripts/serverless-routes.cjs adds each function's httpApi events when serverless.yml loads
 *   (packaged and under serverless-offline alike);
 * - `npm run docs` writes the README's routes table and docs/routes.md (scripts/route-docs.ts);
 * - tests/integration/hostile-input.test.ts fuzzes every route around its `example`;
 * - each function serves exactly its routes: `httpFunction('providers', { 'GET /providers': … })`
 *   is typed by this table (a route missing from the map, or one that is not the function's, does
 *   not compile), and dispatches by the route key API Gateway sends (lib/http/handler.ts).
 * Pure data: no function imports it at run time (only its types), so no bundle carries it.
 */
import type { Access } from '../operators/access';

/** Who may call a route; the hostile-input test calls each with and without the credential. */
export type Caller =
  /** No credential. */
  | 'anyone'
  /** `Authorization: Bearer <ADMIN_API_KEY>`, or the console's session (lib/http/auth.ts). */
  | 'admin'
  /** `x-api-key: <LEAD_API_KEY>`. */
  | 'lead key'
  /** TextMagic's callbacks: `?token=<INBOUND_SMS_TOKEN>`. */
  | 'TextMagic'
  /** Stripe's signed events (`Stripe-Signature`, STRIPE_WEBHOOK_SECRET). */
  | 'Stripe'
  /**
   * A provider's phone: a link's own token (the pay link, the portal's sign-in link), and the
   * portal's sign-out, which ends whatever session the cookie names and needs none.
   */
  | 'provider'
  /** The operator's browser: the console's pages and its sign-in. */
  | 'browser'
  /**
   * An operator signed in to the console, for their own account: the `lu_session` cookie of an
   * operator's session (never the admin key, which is no one's account), and for a change an
   * `Origin` of our own.
   */
  | 'operator'
  /** A client's browser: the hosted inquiry form (pages, not JSON; its own abuse checks). */
  | 'client'
  /** A form tool's webhook: the intake source's own `?token=` (PUT /intake/sources/{source}). */
  | 'form tool'
  /**
   * A provider signed in to the portal: the `lu_portal` session cookie (lib/portal/session.ts),
   * and for a change an `Origin` of our own (lib/http/auth.ts requireProvider).
   */
  | 'portal';

/**
 * A request the route accepts (2xx or 3xx) from the right caller, which the hostile-input test
 * sends as is and then mangles. A value `{name}` stands for something that test makes for the
 * route: `{provider}`, `{lead}`, `{payToken}` (an offer's unpaid pay link), `{portalLink}` (a portal
 * sign-in link not yet used, from ACCOUNT by SMS), `{purchase}` (a paid unlock), `{openReturn}`,
 * `{portalOffer}` (an open offer to the portal's signed-in provider), `{portalPurchase}` (the
 * offer id of a lead that provider bought), `{failedSms}`, `{adminKey}`, `{category}` (a category's slug), `{operator}` (an operator
 * invited, not yet signed up), `{inviteToken}` (an invite link's token, not yet used),
 * `{intakeSource}` (a form tool's source, mapped as PUT /intake/sources/{source}'s example; the
 * test sends its token), `{formStamp}` (the hosted form's signed stamp, old enough), and fresh
 * for each request `{newPhone}`, `{newTextMagicId}`, `{newEventId}`, `{newSlug}`, `{newEmail}`.
 */
export type Example = {
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, string>>;
  body?: Readonly<Record<string, unknown>>;
};

/** An audit trail action: `<object>.<verb>`, e.g. `return.approve`. */
export type AuditAction = `${string}.${string}`;

export type RouteSpec = {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** API Gateway's route path: `{name}` one segment, `{name+}` the rest of the path. */
  path: `/${string}`;
  /** The function in serverless.yml that serves it (its handler: functions/<kebab-case name>.ts). */
  fn: string;
  who: Caller;
  /**
   * `admin` and `operator` routes: the access level the handler asks of the caller's role
   * (lib/operators/access.ts: read, change, money, owner, self); tests/integration/operator-roles.test.ts
   * tries every such route with every role against it.
   */
  access?: Access;
  /** API Gateway's throttle: requests per second, and the burst a token bucket lets through. */
  throttle: { burst: number; rate: number };
  /** The README's routes table: a short line. */
  does: string;
  /**
   * An admin change route's action in the audit trail (lib/audit/audited.ts, docs/audit.md):
   * `<object>.<verb>`. Every admin route that is not a GET has one (tests/unit/routes.test.ts), and
   * its handler is `audited(<this name>, …)` (the compiler checks it: lib/http/handler.ts `Routes`).
   */
  audit?: AuditAction;
  /** docs/routes.md: fields, statuses and errors. */
  details?: string;
  example: Example;
};

/**
 * Throttles: TextMagic and Stripe retry a 429, so the webhooks get room for their bursts; the
 * admin routes and the pay page, used by hand, get little; sign-in is throttled tight (besides the
 * per-address count of wrong keys, API Gateway lets a guesser try about once a second).
 */
const ADMIN = { burst: 10, rate: 5 };
/** The portal, used by hand from a phone. */
const PORTAL = { burst: 20, rate: 10 };

export const ROUTES = [
  {
    method: 'GET',
    path: '/health',
    fn: 'health',
    who: 'anyone',
    throttle: { burst: 10, rate: 5 },
    does: "the database's state, and whether Stripe's and TextMagic's keys were read; 503 when the database is down",
    details:
      '200 `{"status":"ok","checks":{"database":{"status":"ok","latencyMs":n},"stripe":…,"textmagic":…}}` (`not_checked`: the function holds no key; `secrets` names any it could not read); 503 with `"status":"error"` when the database is unreachable. No secrets.',
    example: {},
  },
  {
    method: 'POST',
    path: '/leads',
    fn: 'createLead',
    who: 'lead key',
    throttle: { burst: 50, rate: 20 },
    does: 'create a lead, match providers, send the teaser; `Idempotency-Key` makes retries safe',
    details:
      'Fields (docs/leads-api.md) `name`, `phone`, `email?`, `category`, `zipCode` (`DEFAULT_COUNTRY` US: five digits, a ZIP+4 kept as its five), `city?`, `description`, `budget?` (text), `priceCents?`, `maxUnlocks?`, `consent?`, `source?` (`utmSource`, `utmMedium`, `utmCampaign`, `gclid`, `fbclid`, `affiliate`, `landingPage`); any other field is 400 `unknown_fields`, each named. `category` is a slug or synonym of the catalogue (`GET /categories`; case, spaces and punctuation aside), stored as its slug; an unknown one is 400 `unknown_category` naming the active slugs, an inactive one 400 `inactive_category`; the lead\'s price, cap and life are its category\'s unless `priceCents`/`maxUnlocks` are given; 201 `{"id","code","status":"open","priceCents","maxUnlocks","offeredTo":n,"unmatchedReason","teasersHeldUntil","duplicateOf"}`: `unmatchedReason` says why a lead was offered to nobody (`duplicate`, `no_provider`, `all_paused`, `all_awaiting_opt_in`, `all_at_cap`, `all_opted_out`; docs/unmatched-demand.md), null when offered; `teasersHeldUntil` the earliest time a teaser held for quiet hours goes, null when none waits. The teaser goes at once within each provider\'s teaser hours, else it is queued for their next start. An `Idempotency-Key` (1 to 255 characters) makes a retry with the same body return the same lead (200) and send nothing again; a reuse with another body is a 409. The same client (phone, or e-mail in any case) in the same category within `DUPLICATE_WINDOW_DAYS` is a duplicate: `duplicateOf` the original, teased only to providers not offered it.',
    example: {
      body: {
        name: 'Jane Client',
        phone: '(512) 555-0142',
        email: 'jane.client@example.com',
        category: 'plumbing',
        zipCode: '99999',
        city: 'Austin',
        description: 'Kitchen sink leaking under the cabinet, needs a fix this week.',
        budget: '$300',
        source: { utmSource: 'google', utmMedium: 'cpc', landingPage: 'https://plumbers.example.com/leaks' },
      },
    },
  },
  {
    method: 'GET',
    path: '/leads',
    fn: 'lead',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'the leads, newest first, filtered, a page at a time',
    details:
      '`cursor`, `limit` ≤ 100; filters `status`, `category`, `zipCode`, `from`, `to`, `q` (code or client name): `leads` (code, status, offered, unlocked of max, `revenueCents` net of refunds, `duplicateOf`, `unmatchedReason`) and `nextCursor`.',
    example: { query: { limit: '10', status: 'open' } },
  },
  {
    method: 'GET',
    path: '/leads/{id}',
    fn: 'lead',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'one lead, with its offers, purchases and SMS',
    details:
      'The lead (`open`, `full` when sold `maxUnlocks` times, or `expired`) with `duplicateOf` and its `duplicates` (`id`, `code`, `createdAt`), its `consent` and `source` (null when none was sent), `unmatchedReason` (why nobody was offered it, null when offered), `teasersHeldUntil` (the earliest teaser still held for quiet hours, else null), its price now (`priceCents`; `aging: {at, priceCents}` while a drop to its aged price is to come, `agedAt` once it happened), its `offers` (each with the `priceCents` it is charged), `unlocks`, `sms` (status, tries, delivery per phone) and `smsNeedingAttention`. 404 for an unknown id or one that is not a UUID.',
    example: { params: { id: '{lead}' } },
  },
  {
    method: 'POST',
    path: '/leads/{id}/close',
    fn: 'leadActions',
    who: 'admin',
    access: 'change',
    throttle: ADMIN,
    does: 'close a lead: sold no more, its open Checkout Sessions expired at Stripe',
    audit: 'lead.close',
    details:
      'No body. An open lead is closed now: it takes no more unlocks (a `YES` is answered as for an expired lead, its pay links answer 410, a payment that completes anyway is refunded past expiry), its code is freed, its teasers held for quiet hours are cancelled, and its open Checkout Sessions are expired at Stripe (retried by the dispatcher when Stripe cannot be reached). 200 `{"lead":{"id","code","status":"closed","closedAt","checkoutSessionsExpired","teasersCancelled"}}`; `GET /leads/{id}` then shows `status: closed` and `closedAt` (its `expiresAt` the time it was closed). 409 `lead_not_open` for a lead full, expired or closed already; 404 for an unknown id.',
    example: { params: { id: '{lead}' } },
  },
  {
    method: 'POST',
    path: '/leads/{id}/offers',
    fn: 'leadActions',
    who: 'admin',
    access: 'change',
    throttle: ADMIN,
    does: 'offer a lead to a provider the operator names: the teaser, as matching sends it',
    audit: 'lead.offer',
    details:
      '`providerId`: 201 `{"offer":{"id","leadId","providerId","priceCents","currency"},"teaserAt","held"}`: an offer at the lead\'s price now and its teaser, sent at once within the provider\'s teaser hours, else held until their next start (`held: true`, `teaserAt`). Whatever the provider\'s categories and zip codes, and beyond `LEAD_MAX_OFFERS`; otherwise as matching: 409 `provider_already_offered`, `provider_duplicate` (offered this client\'s original or a duplicate of it), `provider_opted_out` (STOP), `provider_paused`, `provider_awaiting_opt_in`, `provider_weekly_cap`, `provider_daily_cap`, `category_inactive`, and `lead_not_open` for a lead full, expired or closed; 404 for an unknown lead or provider.',
    example: { params: { id: '{lead}' }, body: { providerId: '{provider}' } },
  },
  {
    method: 'GET',
    path: '/stats',
    fn: 'stats',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'the funnel per day, category, source or provider, and in total (`from`, `to`, `groupBy=day|category|source|provider`)',
    details:
      "The funnel of the leads created in the range (`from`, `to`: whole UTC days, default the last 30), per day (`groupBy=day`, every day present), `category` or `source` (the lead's `source.utmSource`, leads without one under the key `null`, last), `provider` (each provider offered a lead of the range, keyed by id, with its `name`, by name; `leads` the leads offered to them, `teasersSent` those whose teaser reached their phone; the total stays the leads' own), and in total: leads, teasers sent, YES replies, links opened, checkouts, paid unlocks (`savedCardUnlocks` of them by a saved card, left out of checkout-to-paid), refunds, revenue per currency net of refunds, each step's conversion, median teaser-to-payment seconds. `unmatched`: the range's leads offered to nobody, `{leads, reasons: {<unmatchedReason>: n}}` in all and for each of `byCategory` (`category`), `byZip` (`zipCode`) and `byCategoryAndZip`, most leads first. `aged`: the range's leads that dropped to their aged price, their unlocks after it and its revenue (docs/pricing.md).",
    example: { query: { groupBy: 'category' } },
  },
  {
    method: 'GET',
    path: '/exports/{kind}',
    fn: 'stats',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: "a range's `leads`, `purchases` or `refunds` as CSV (`from`, `to`)",
    details:
      '`kind` `leads` (created in the range, with the client\'s name, phone, e-mail and description), `purchases` (paid in it) or `refunds` (purchases refunded in it: `reason` `return` or `other`); `from`, `to` whole UTC days as for `GET /stats` (default the last 30, at most 366). 200 `text/csv` (RFC 4180, CRLF, a header line) with `Content-Disposition: attachment; filename="<kind>-<from>-to-<to>.csv"`; text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is prefixed with `\'`. An export is one answer (Lambda answers at most 6 MB, nothing streams): more than 10,000 rows or 5 MB is a 400 `export_too_large` asking for a shorter range. 404 for another `kind`.',
    example: { params: { kind: 'leads' }, query: { from: '2026-01-01', to: '2026-01-31' } },
  },
  {
    method: 'GET',
    path: '/audit',
    fn: 'stats',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'the audit trail: every change made through the admin API or the console, newest first (an owner or the admin key)',
    details:
      "`{ entries: [{ at, actor: { type, id }, action, route, objectId, amountCents?, outcome }], nextCursor }`, newest first, `limit` ≤ 100 (default 50). `actor.type` `operator` (`id` the operator's id) or `api_key` (`id` `admin`). `outcome`: `done`, `unchanged` (the request changed nothing, e.g. an erasure that found no lead), or `pending` (the request did not finish: the change may have taken effect; docs/audit.md). Filters: `actor` (an operator's id, or `api_key`), `action` (e.g. `return.approve`), `from`, `to` (ISO dates or date-times with an offset, both inclusive: a date `to` runs through its end, UTC), `cursor`. A bad filter is 400 `validation_failed` naming it; a caller who is not an owner 403.",
    example: { query: { limit: '20', action: 'return.approve' } },
  },
  {
    method: 'GET',
    path: '/categories',
    fn: 'categories',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'the catalogue: the services leads are sold in, with their prices',
    details:
      '`{"categories":[{"slug","name","synonyms","priceCents","zipPrices","maxUnlocks","ttlHours","agedAfterHours","agedPriceCents","active",…}]}` by slug, inactive ones included.',
    example: {},
  },
  {
    method: 'POST',
    path: '/categories',
    fn: 'categories',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'add a category (a service, its price, cap and life)',
    audit: 'category.create',
    details:
      "Fields `slug` (lowercase letters, digits, hyphens), `name`, `synonyms?` (other names `POST /leads` accepts, case, spaces and punctuation aside), `priceCents?`, `maxUnlocks?`, `ttlHours?` (default `LEAD_PRICE_CENTS`, `LEAD_MAX_UNLOCKS`, `LEAD_TTL_HOURS`), `active?`, `zipPrices?` (`[{zipPrefix, priceCents}]`: a lead whose zip code starts with a prefix of 1 to 5 digits takes its price, the longest prefix winning, unless the request sets one), `agedAfterHours?` and `agedPriceCents?` (both or neither, below `priceCents`: a lead still unsold that many hours after it came in drops to that price once, with one more teaser round; docs/pricing.md); 201 with the category; 409 `category_exists` for a slug taken, 409 `category_name_taken` for a name (slug or synonym) that reads as another category's.",
    example: {
      body: {
        slug: '{newSlug}',
        name: 'Heating and cooling',
        priceCents: 2500,
        maxUnlocks: 2,
        ttlHours: 48,
      },
    },
  },
  {
    method: 'PATCH',
    path: '/categories/{slug}',
    fn: 'categories',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'change a category; `active: false` stops its new leads and queued teasers',
    audit: 'category.update',
    details:
      'Change `name`, `synonyms`, `priceCents`, `zipPrices` (the whole list; `[]` clears it), `maxUnlocks`, `ttlHours`, `agedAfterHours` and `agedPriceCents` (null clears), `active`; leads already created keep their price and their aging. `active: false`: `POST /leads` answers 400 `inactive_category` and its queued teasers are dropped. 404 for an unknown slug, 409 `category_name_taken` as on `POST`.',
    example: { params: { slug: '{category}' }, body: { priceCents: 1800, ttlHours: 48 } },
  },
  {
    method: 'POST',
    path: '/providers',
    fn: 'providers',
    who: 'admin',
    access: 'change',
    throttle: ADMIN,
    does: 'create a provider (phone stored in E.164)',
    audit: 'provider.create',
    details:
      'Fields `name`, `phone`, `email?`, `categories`, `zipCodes`, `active?`, `autoPay?`, `language?` (`en`, `es`), the budgets `weeklySpendCapCents?`, `dailyLeadCap?`, `timeZone?`, and `teaserHours?`; 201 with the provider (`id`, phone in E.164); 409 for a phone another provider has.',
    example: {
      body: {
        name: 'Example Plumbing',
        phone: '{newPhone}',
        email: 'office@example.com',
        categories: ['plumbing'],
        zipCodes: ['99999'],
        active: false,
        weeklySpendCapCents: 1_000_000,
        dailyLeadCap: 100,
        timeZone: 'America/Chicago',
        teaserHours: '08:00-20:00',
      },
    },
  },
  {
    method: 'GET',
    path: '/providers',
    fn: 'providers',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'the providers',
    details: '`{"providers":[…]}`.',
    example: {},
  },
  {
    method: 'GET',
    path: '/providers/{id}',
    fn: 'providers',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'one provider: their numbers, purchases and budget',
    details:
      "The provider with their teasers, YES replies, purchases, spend net of refunds, response rate, median reply time, last activity, newest 50 purchases, `budget` (this week's spend, today's purchases, at a cap), `savedCard` (never its id), `openNow` and `nextTeaserAt`.",
    example: { params: { id: '{provider}' } },
  },
  {
    method: 'PATCH',
    path: '/providers/{id}',
    fn: 'providers',
    who: 'admin',
    access: 'change',
    throttle: ADMIN,
    does: 'change a provider (null clears)',
    audit: 'provider.update',
    details:
      'Change `active`, `categories`, `zipCodes`, `name`, `autoPay` (charge the saved card on YES), `language` (`en`, `es`), the budgets `weeklySpendCapCents`, `dailyLeadCap`, `timeZone`, and `teaserHours` (null clears).',
    example: {
      params: { id: '{provider}' },
      body: { name: 'Renamed Plumbing', active: true, zipCodes: ['99999', '10001'], dailyLeadCap: 50 },
    },
  },
  {
    method: 'GET',
    path: '/providers/{id}/sms',
    fn: 'providers',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'their SMS conversation, newest first',
    details:
      '`messages`: what went to their phone, with body, kind and status, and their replies, newest first, by `cursor`/`limit`.',
    example: { params: { id: '{provider}' }, query: { limit: '20' } },
  },
  {
    method: 'GET',
    path: '/sms',
    fn: 'smsAdmin',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'SMS needing the operator across leads (`status=failed|attention`), never a body',
    details: 'Paged by `cursor`/`limit`.',
    example: { query: { status: 'attention' } },
  },
  {
    method: 'POST',
    path: '/sms/{id}/retry',
    fn: 'smsAdmin',
    who: 'admin',
    access: 'change',
    throttle: ADMIN,
    does: 'queue a failed SMS again, once',
    audit: 'sms.retry',
    details: '202, then 200 `retried:false`; 409 `not_failed` for one that has not failed.',
    example: { params: { id: '{failedSms}' } },
  },
  {
    method: 'GET',
    path: '/stripe/tasks',
    fn: 'stripeFollowUps',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'Stripe follow-ups still queued or failed',
    details: 'Stripe follow-ups (expiries, refunds) still queued or failed (`status=pending`).',
    example: { query: { status: 'pending' } },
  },
  {
    method: 'GET',
    path: '/returns',
    fn: 'returns',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'the Returns queue',
    details: '`status` open, approved or declined; `cursor`/`limit`.',
    example: { query: { status: 'open' } },
  },
  {
    method: 'POST',
    path: '/returns/{id}/approve',
    fn: 'returns',
    who: 'admin',
    access: 'money',
    throttle: ADMIN,
    does: 'approve a return: the refund and the SMS, once',
    audit: 'return.approve',
    details: '409 `return_decided` once decided.',
    example: { params: { id: '{openReturn}' } },
  },
  {
    method: 'POST',
    path: '/returns/{id}/decline',
    fn: 'returns',
    who: 'admin',
    access: 'change',
    throttle: ADMIN,
    does: 'decline a return with a `note`, sent by SMS',
    audit: 'return.decline',
    details: '`note` at most 160 characters; 409 `return_decided` once decided.',
    example: { params: { id: '{openReturn}' }, body: { note: 'Spoke to the client: the job is real.' } },
  },
  {
    method: 'POST',
    path: '/privacy/erasures',
    fn: 'privacy',
    who: 'admin',
    access: 'money',
    throttle: ADMIN,
    does: "erase a client's personal data, by `leadId`, `phone` or `email`: 200 `{erasedLeads}`",
    audit: 'client.erase',
    details:
      "Exactly one of `leadId`, `phone` (read as POST /leads reads one) or `email` (any case). Erases, for good and across all their leads, the name, phone, e-mail, city, description and budget, the consent's IP and user agent (its page, and the source's landing page, lose query and fragment), and every teaser and details SMS body; ids, codes, amounts, times, statuses and the consent wording stay, and `erasedAt` is set. The leads are sold no more: a payment that completes later is refunded, a buyer whose details had not gone out is refunded and told why. Idempotent: a repeat answers `erasedLeads: 0`. Each erasure is recorded (when, by the admin key or which console session, which leads), never the data.",
    example: { body: { email: 'nobody@example.com' } },
  },
  {
    method: 'POST',
    path: '/unlocks/{id}/return',
    fn: 'returns',
    who: 'admin',
    access: 'change',
    throttle: ADMIN,
    does: 'open a return for a provider',
    audit: 'return.open',
    details:
      '`reason`, `text?`: 201 with the return (and the SMS); 409 `already_returned`, `return_window_closed`.',
    example: { params: { id: '{purchase}' }, body: { reason: 'wrong_area', text: 'Outside my area' } },
  },
  {
    method: 'GET',
    path: '/health/integrations',
    fn: 'integrationHealth',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: 'Stripe and TextMagic reached, the outbox, the dispatcher, pending follow-ups',
    details:
      "Stripe and TextMagic are asked with the configured keys (cached 60 s, never a key); the outbox's due SMS, the dispatcher's last run, the Stripe follow-ups pending.",
    example: {},
  },
  {
    method: 'GET',
    path: '/admin',
    fn: 'console',
    who: 'browser',
    throttle: { burst: 20, rate: 10 },
    does: 'the operator console',
    details: "The console's shell (README, Operator console).",
    example: {},
  },
  {
    method: 'GET',
    path: '/admin/session',
    fn: 'console',
    who: 'admin',
    access: 'read',
    throttle: { burst: 50, rate: 20 },
    does: 'who is signed in to the console, with their role',
    details:
      'Asked by the console on start: 200 `{"signedIn":true,"actor":{type,id},"role","moneyActions","operator"}` (`operator`: `{id,name,email,role,totp}`, null for the admin key; `moneyActions`: whether they may approve returns and erase clients now), else 401 (to the sign-in page).',
    example: {},
  },
  {
    method: 'GET',
    path: '/admin/{proxy+}',
    fn: 'console',
    who: 'browser',
    throttle: { burst: 50, rate: 20 },
    does: "the console's pages and hashed assets",
    details:
      "A page's path gets the shell; `/admin/assets/<name>` a hashed asset (cached for a year), 404 for an unknown one.",
    example: { params: { proxy: 'leads' } },
  },
  {
    method: 'POST',
    path: '/admin/sign-in',
    fn: 'console',
    who: 'browser',
    throttle: { burst: 5, rate: 1 },
    does: "an operator's session from e-mail and password (and code); the admin key's until an owner exists",
    details:
      "`email`, `password`, and `code` (6 digits) for an operator with a second factor; or `key` (the admin key) while no active owner exists, after which it is 403 `key_sign_in_closed`. JSON, form or multipart: a 12-hour session cookie; 403 `invalid_credentials` for a wrong e-mail or password alike, 401 `totp_required` without a needed code, 403 `invalid_code`; 429 after five failures from one address or ten for one e-mail in 15 minutes; an `Origin` other than the console's is refused.",
    example: { body: { key: '{adminKey}' } },
  },
  {
    method: 'GET',
    path: '/admin/sign-in-options',
    fn: 'console',
    who: 'browser',
    throttle: { burst: 10, rate: 5 },
    does: 'how the console signs in: e-mail and password, and the admin key while no owner exists',
    details: '200 `{"password":true,"adminKey":boolean}`; nothing else about the operators.',
    example: {},
  },
  {
    method: 'POST',
    path: '/admin/invite',
    fn: 'console',
    who: 'browser',
    throttle: { burst: 5, rate: 1 },
    does: 'accept an invite: set the password, then signed in',
    details:
      "`token` (from the invite link's fragment) and `password` (12 to 1,000 characters, any): the operator's password, and a 12-hour session cookie. 410 `invite_not_valid` for a link used, expired (7 days), replaced or unknown, or an operator deactivated; an `Origin` other than the console's is refused.",
    example: { body: { token: '{inviteToken}', password: 'correct horse battery staple' } },
  },
  {
    method: 'POST',
    path: '/admin/account/totp',
    fn: 'console',
    who: 'operator',
    access: 'self',
    throttle: { burst: 5, rate: 1 },
    does: 'start turning on the second factor: a new TOTP secret',
    details:
      '200 `{"secret","uri"}`: the base32 secret and its `otpauth://` URI for an authenticator app (SHA-1, 6 digits, 30 s); not in force until confirmed. 409 `totp_on` when it is on already.',
    example: {},
  },
  {
    method: 'POST',
    path: '/admin/account/totp/confirm',
    fn: 'console',
    who: 'operator',
    access: 'self',
    throttle: { burst: 5, rate: 1 },
    does: 'turn on the second factor with a code from the new secret',
    details:
      '`code`: 200 `{"totp":true}`, and sign-in asks for a code from then on. 400 `invalid_code`, 409 `totp_not_started` or `totp_on`; 429 after five wrong codes in 15 minutes.',
    example: { body: { code: '{totpCode}' } },
  },
  {
    method: 'POST',
    path: '/admin/account/totp/off',
    fn: 'console',
    who: 'operator',
    access: 'self',
    throttle: { burst: 5, rate: 1 },
    does: 'turn off the second factor, with a current code',
    details:
      '`code`: 200 `{"totp":false}`. 400 `invalid_code`, 409 `totp_off`; 429 after five wrong codes in 15 minutes.',
    example: { body: { code: '{totpCode}' } },
  },
  {
    method: 'POST',
    path: '/admin/sign-out',
    fn: 'console',
    who: 'browser',
    throttle: { burst: 5, rate: 2 },
    does: 'ends the session',
    details: 'On the server too (a copy of the cookie stops working) and the cookie cleared.',
    example: {},
  },
  {
    method: 'POST',
    path: '/sms/inbound',
    fn: 'inboundSms',
    who: 'TextMagic',
    throttle: { burst: 100, rate: 50 },
    does: "a provider's reply (JSON, form or multipart)",
    details:
      'TextMagic\'s inbound callback with `id`, `sender`, `receiver`, `messageTime`, `text`: 200 `{"status":"accepted","outcome"}` for anything accepted, each TextMagic `id` handled once.',
    example: {
      body: {
        id: '{newTextMagicId}',
        sender: '15125550100',
        receiver: '15125550000',
        messageTime: '2026-11-26 10:00:00',
        text: 'HELP',
      },
    },
  },
  {
    method: 'POST',
    path: '/sms/status',
    fn: 'smsStatus',
    who: 'TextMagic',
    throttle: { burst: 200, rate: 100 },
    does: 'a delivery report, recorded on the message',
    details:
      'A delivery report: message id, receiver, status code (`d` delivered; `f`, `e`, `j`, `u` failed or unknown; others in flight); recorded on the message, 200 `{"status":"recorded","matched"}`.',
    example: { body: { id: '12345', status: 'd', receiver: '15125550100', sessionId: '777' } },
  },
  {
    method: 'POST',
    path: '/stripe/webhook',
    fn: 'stripeWebhook',
    who: 'Stripe',
    throttle: { burst: 100, rate: 50 },
    does: 'signed events, verified over the raw body',
    details:
      'A Stripe event, verified against `Stripe-Signature` on the raw body before anything parses it; each event id applied once. The events to enable: README, Deploying.',
    example: {
      body: {
        id: '{newEventId}',
        object: 'event',
        type: 'customer.created',
        data: { object: { id: 'cus_example', object: 'customer' } },
      },
    },
  },
  {
    method: 'GET',
    path: '/p/{token}',
    fn: 'payLink',
    who: 'provider',
    throttle: { burst: 20, rate: 10 },
    does: 'the short pay link: 303 to Stripe Checkout, or a page saying why not',
    details:
      "303 to a Stripe Checkout Session (created, or the open one reused; its page in the provider's language), or a page in that language saying the lead is theirs (200: the details come by SMS, never on a page), gone (410) or past a budget (409); 404 for an unknown token.",
    example: { params: { token: '{payToken}' } },
  },
  {
    method: 'GET',
    path: '/portal/s/{token}',
    fn: 'portalPages',
    who: 'provider',
    throttle: { burst: 10, rate: 5 },
    does: "the portal's sign-in link (ACCOUNT by SMS): a page with a Sign in button; opening it uses nothing",
    details:
      "200 a page in the provider's language whose one button posts to the same address; a link used already or past its 15 minutes (or its provider paused or opted out) 410, an unknown one 404, each a page saying to text ACCOUNT (CUENTA) for a new link, to our number when `TEXTMAGIC_FROM_NUMBER` is set (an unknown link in every language). Changes nothing, so a link previewer's fetch does not spend the link.",
    example: { params: { token: '{portalLink}' } },
  },
  {
    method: 'POST',
    path: '/portal/s/{token}',
    fn: 'portalPages',
    who: 'provider',
    throttle: { burst: 5, rate: 2 },
    does: 'the button: uses the link once, a portal session',
    details:
      "303 to `/portal` with the session cookie `lu_portal` (30 days; HttpOnly, SameSite=Strict, Path=/portal, Secure but locally); a link used already, expired or unknown: the GET's page and status, no cookie. An `Origin` other than ours is 403 `bad_origin`.",
    example: { params: { token: '{portalLink}' } },
  },
  {
    method: 'POST',
    path: '/portal/sign-out',
    fn: 'portalPages',
    who: 'provider',
    throttle: { burst: 5, rate: 2 },
    does: 'ends the portal session',
    details:
      "On the server too (a copy of the cookie stops working), the cookie cleared, 303 to `/portal/signed-out` (with `?lang=` of the provider's language); without a session the same. An `Origin` other than ours is 403 `bad_origin`.",
    example: {},
  },
  {
    method: 'GET',
    path: '/portal/signed-out',
    fn: 'portalPages',
    who: 'provider',
    throttle: { burst: 10, rate: 5 },
    does: 'the page after signing out',
    details: '`lang` (`en`, `es`; default `en`): how to sign in again (ACCOUNT by SMS).',
    example: { query: { lang: 'es' } },
  },
  {
    method: 'GET',
    path: '/portal',
    fn: 'portalPages',
    who: 'provider',
    throttle: PORTAL,
    does: "the portal's pages (Leads, Bought, Returns, Spending, Settings, How you compare)",
    details:
      "The portal's shell (docs/portal.md): no inline script, never framed; its pages call `/portal/api/…` with the session cookie, and without one show how to get a sign-in link (text ACCOUNT).",
    example: {},
  },
  {
    method: 'GET',
    path: '/portal/{proxy+}',
    fn: 'portalPages',
    who: 'provider',
    throttle: PORTAL,
    does: "the portal's pages and hashed assets",
    details:
      "A page's path gets the shell; `/portal/assets/<name>` a hashed asset (cached for a year), 404 for an unknown one; an unknown `/portal/api/…` path a JSON 404.",
    example: { params: { proxy: 'bought' } },
  },
  {
    method: 'GET',
    path: '/request',
    fn: 'intake',
    who: 'client',
    throttle: { burst: 20, rate: 10 },
    does: 'the hosted inquiry form (`?category=&zip=` prefill it, `?lang=es` in Spanish)',
    details:
      "A page a lead-generation site links to or embeds (docs/intake.md): the catalogue's active services, `name`, `phone`, `email`, `category`, `zipCode`, `description` as `POST /leads` names them, and `CONSENT_TEXT` beside the button. Its CSP allows no script; `FORM_FRAME_ANCESTORS` says where it may be framed. 503 when `FORM_SECRET` is not configured.",
    example: { query: { category: 'plumbing', zip: '78701', lang: 'es' } },
  },
  {
    method: 'POST',
    path: '/request',
    fn: 'intake',
    who: 'client',
    throttle: { burst: 10, rate: 5 },
    does: "the form's submission: the lead through `POST /leads`'s path, then a thank-you page",
    details:
      "Form-encoded (JSON and multipart too), into the same validation and lead creation as `POST /leads`, with `consent` the wording shown, the client's IP, user agent and the form's URL. 200 a thank-you page (never the lead's id or code); 400 the form again with each field's error beside it; refused and counted, changing nothing else (`GET /intake/sources`, `formBlocked`): a filled honeypot (answered as if accepted), a form sent within 2 s of its page or with a bad or day-old stamp (400), over 10 submissions an hour from one address or 3 for one phone (429), a body over 32 KiB (413).",
    example: {
      body: {
        name: 'Jane Client',
        phone: '(512) 555-0142',
        email: 'jane.client@example.com',
        category: 'plumbing',
        zipCode: '99999',
        description: 'Kitchen sink leaking under the cabinet, needs a fix this week.',
        stamp: '{formStamp}',
      },
    },
  },
  {
    method: 'POST',
    path: '/intake/{source}',
    fn: 'intake',
    who: 'form tool',
    throttle: { burst: 50, rate: 20 },
    does: "a form tool's post (JSON or form), through the source's field mapping, into `POST /leads`'s path",
    details:
      'JSON (nested objects read as `a[b]`; a Typeform webhook\'s answers by their field `ref`) or `application/x-www-form-urlencoded`, each mapped field read by its name as posted: 201 `{"status":"created","id"}` (200 for the same body again: a form tool\'s retry makes no second lead); 400 `validation_failed` naming each unmapped or invalid field (`field` ours, `posted` theirs), writing nothing; 401 `invalid_intake_token` for an unknown source or a wrong token, alike.',
    example: {
      params: { source: '{intakeSource}' },
      body: {
        'names[first_name]': 'Jane',
        'names[last_name]': 'Client',
        phone: '(512) 555-0142',
        email: 'jane.client@example.com',
        service: 'plumbing',
        zip: '99999',
        message: 'Kitchen sink leaking under the cabinet, needs a fix this week.',
      },
    },
  },
  {
    method: 'PUT',
    path: '/intake/sources/{source}',
    fn: 'intake',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: "set a form tool's field mapping: `{ token }` for its URL, shown once",
    audit: 'intake_source.set',
    details:
      "`{ fields: { name, phone, email?, category?, zipCode, description?, consent? }, defaults?: { category? } }`, each field the name the tool posts it under (`names[first_name]`, Gravity Forms' `1.3`, a Typeform `ref`); `name` may list several (joined with a space). A source is 1 to 63 of `a-z`, `0-9`, `-`, `_`. 200 `{ source, token, url }`: every PUT issues a new token (the old stops working), stored only as its SHA-256.",
    example: {
      params: { source: 'example-site' },
      body: {
        fields: {
          name: ['names[first_name]', 'names[last_name]'],
          phone: 'phone',
          email: 'email',
          category: 'service',
          zipCode: 'zip',
          description: 'message',
        },
        defaults: { category: 'plumbing' },
      },
    },
  },
  {
    method: 'GET',
    path: '/intake/sources',
    fn: 'intake',
    who: 'admin',
    access: 'read',
    throttle: ADMIN,
    does: "the form tools' mappings (never a token), and the hosted form's refused submissions",
    details:
      "`sources`: each `{ source, fields, defaults, createdAt, updatedAt }`; `formBlocked`: the hosted form's refused submissions of the last 30 days by reason (`honeypot`, `too_fast`, `bad_stamp`, `stale_stamp`, `ip_rate`, `phone_rate`, `too_large`) and `total`.",
    example: {},
  },
  // The provider portal's Leads and Returns (lib/portal/leads.ts, lib/portal/returns.ts).
  {
    method: 'GET',
    path: '/portal/api/leads',
    fn: 'portal',
    who: 'portal',
    throttle: PORTAL,
    does: "their open offers, and the leads they bought with the client's details",
    details:
      '`{"open":[…],"bought":[…],"nextCursor"}`; `cursor`/`limit` page `bought` (a next page has `open: []`). `open`: the offers they can still buy (as `YES` finds them), each `offerId`, `code`, `category`, `categoryName`, `zipCode`, `city`, `description`, `budget` (as the teaser shows them: never the client\'s contact), `priceCents` and `currency` (the offer\'s), `offeredAt`, `expiresAt`, `payWith` (`saved_card` or `pay_link`), `charging`. `bought`, newest first: `offerId`, `code`, `category`, `categoryName`, `zipCode`, `client` (`name`, `phone`, `email`, `city`, `description`, `budget`; null and `erased: true` for a lead erased at the client\'s request), `amountCents`, `currency`, `paidAt`, `paidWith`, `refundedAt`, `canOpen` and `openUntil` (a return, within `RETURN_WINDOW_DAYS`), `return` (`id`, `status`, `reason`, `text`, `note`, `createdAt`, `decidedAt`, or null).',
    example: { query: { limit: '20' } },
  },
  {
    method: 'POST',
    path: '/portal/api/offers/{id}/buy',
    fn: 'portal',
    who: 'portal',
    throttle: PORTAL,
    does: 'buy an open lead, as `YES <code>` does: the saved card, or the pay link',
    details:
      'By the path of `YES <code>`, budgets included: 200 `{"status":"charging"}` when the saved card is charged (auto-pay on; the details follow by SMS on payment, and the lead moves to `bought`), `{"payUrl"}` (the offer\'s pay link, to Stripe Checkout) otherwise, `{"status":"unlocked"}` when bought already; 409 `budget_refused` (`details.cap`: `weekly_cap` or `daily_cap`; the message is the SMS\'s), 409 `unavailable` for a lead sold out or expired; 404 for an offer not theirs.',
    example: { params: { id: '{portalOffer}' } },
  },
  {
    method: 'GET',
    path: '/portal/api/returns',
    fn: 'portal',
    who: 'portal',
    throttle: PORTAL,
    does: "their returns, with status and the operator's note",
    details:
      '`{"returns":[{"id","offerId","code","category","zipCode","status","reason","text","note","amountCents","currency","paidAt","createdAt","decidedAt"}],"nextCursor"}`, newest first, by `cursor`/`limit`.',
    example: { query: { limit: '20' } },
  },
  {
    method: 'POST',
    path: '/portal/api/returns',
    fn: 'portal',
    who: 'portal',
    throttle: PORTAL,
    does: 'return a lead they bought, with a reason, as `BAD <code>` does',
    details:
      '`offerId` (a bought lead\'s, from `GET /portal/api/leads`), `reason` (`wrong_area`, `wrong_service`, `bad_contact`, `duplicate`, `other`), `text?`: 201 `{"return"}` and the SMS a BAD gets (auto-approved under `RETURN_AUTO_APPROVE_RATE`: refunded at once); 409 `not_bought`, `window_closed` (past `RETURN_WINDOW_DAYS`), `already_returned` (once per purchase), each message the SMS\'s; 404 for an offer not theirs.',
    example: { body: { offerId: '{portalPurchase}', reason: 'wrong_area', text: 'Outside my area' } },
  },
  // The provider portal's Spending, Settings and How they compare (functions/portal-account.ts,
  // lib/portal/): the signed-in provider's own data only (docs/portal-account.md).
  {
    method: 'GET',
    path: '/portal/api/account',
    fn: 'portalAccount',
    who: 'portal',
    throttle: { burst: 10, rate: 5 },
    does: "the provider's own Settings: caps, hours, zone, language, auto-pay, whether a card is saved",
    details:
      "`{ name, phone, categories, zipCodes, language, timeZone, teaserHours, weeklySpendCap: { cents, currency } | null, dailyLeadCap, autoPay, card: { saved }, optedOut, defaults: { timeZone, teaserHours }, limits: { weeklySpendCap, dailyLeadCap } }` (null: none). Categories and zip codes are the operator's. 401 without a live portal session.",
    example: {},
  },
  {
    method: 'PATCH',
    path: '/portal/api/account',
    fn: 'portalAccount',
    who: 'portal',
    throttle: { burst: 10, rate: 5 },
    does: 'change their own caps, teaser hours, time zone, language and auto-pay',
    details:
      "Any of `weeklySpendCap` (in the currency's main unit: `137` is $137; null: no cap), `dailyLeadCap`, `teaserHours`, `timeZone`, `language`, `autoPay`, under `PATCH /providers/{id}`'s rules; a cap above `PORTAL_MAX_WEEKLY_SPEND_CAP` / `PORTAL_MAX_DAILY_LEAD_CAP` (or no cap while one is set) is a 400 naming it; any other field is 400 `unknown_fields`. 200: the Settings as `GET` shows them. The YES path checks the caps set here.",
    example: { body: { weeklySpendCap: 137, dailyLeadCap: 3, teaserHours: '08:00-20:00', autoPay: true } },
  },
  {
    method: 'POST',
    path: '/portal/api/stop',
    fn: 'portalAccount',
    who: 'portal',
    throttle: { burst: 10, rate: 5 },
    does: 'STOP from the portal: opted out as by SMS, and signed out',
    details:
      "As the SMS STOP: no more teasers, the consent record's `optedOutAt` and `optOutText` (`STOP (portal)`), STOP's one confirmation by SMS; every portal session of theirs ends (the response clears the cookie). 200 `{ optedOut: true }`. START is SMS-only: an opted-out provider has no session.",
    example: {},
  },
  {
    method: 'GET',
    path: '/portal/api/spending',
    fn: 'portalAccount',
    who: 'portal',
    throttle: { burst: 10, rate: 5 },
    does: "this week's spend and today's leads against their caps, and each payment and refund with Stripe's receipt",
    details:
      "`cursor`, `limit` ≤ 100: `{ timeZone, week: { startedAt, spent, cap, atCap }, today: { startedAt, leads, cap, atCap }, entries, nextCursor }`: the budget's own periods (Monday 00:00 and midnight in their zone) and sums (net of refunds), as the YES path checks them; `entries` newest first, each `{ type: payment | refund, amount: { cents, currency }, at, leadCode, paidWith, receiptUrl }` (Stripe's receipt, which shows a refund too; null until read after the payment).",
    example: { query: { limit: '20' } },
  },
  {
    method: 'POST',
    path: '/portal/api/card',
    fn: 'portalAccount',
    who: 'portal',
    throttle: { burst: 5, rate: 1 },
    does: 'replace their saved card: a Stripe Checkout in setup mode, `{ url }` to go to',
    details:
      "200 `{ url }`: a Checkout Session in `setup` mode for their Stripe Customer (made as the pay link makes it when they have none), coming back to `PUBLIC_BASE_URL/portal/settings?card=saved` (or `?card=cancelled`). Once Stripe's `checkout.session.completed` arrives, the card saved there is theirs and the old one is detached at Stripe; auto-pay charges it on the next YES. 503 `payments_unavailable` when Stripe cannot be reached.",
    example: {},
  },
  {
    method: 'POST',
    path: '/portal/api/card/remove',
    fn: 'portalAccount',
    who: 'portal',
    throttle: { burst: 5, rate: 1 },
    does: 'remove their saved card: detached at Stripe; a YES then sends a pay link',
    details:
      '200 `{ card: { saved: false } }` (also when none was saved): the card is detached at Stripe (`POST /v1/payment_methods/{id}/detach`) and forgotten; auto-pay then has no card, and a YES gets the pay link (whose Checkout saves the card it pays with, as a first payment does). 503 `payments_unavailable` when Stripe cannot be reached: the card stays.',
    example: {},
  },
  {
    method: 'GET',
    path: '/portal/api/compare',
    fn: 'portalAccount',
    who: 'portal',
    throttle: { burst: 10, rate: 5 },
    does: 'their response rate and median reply time beside the median of providers in their categories and areas',
    details:
      'Over the last 30 days: `{ days, you: { offersReceived, answered, responseRate, medianReplySeconds }, peers: { responseRate, medianReplySeconds } | null }`. Offers received: those whose teaser was due; answered: a YES or a purchase; response rate: answered over received (0 to 1, null with none); reply time: teaser to first YES. Peers: the other providers sharing a category and a zip code with them who received an offer in those days, as medians only; null when fewer than 3.',
    example: {},
  },
  // The console's operators and the team's setting (lib/operators/, docs/operators.md).
  {
    method: 'POST',
    path: '/operators',
    fn: 'operators',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'invite an operator (`owner`, `staff` or `viewer`): a one-time link to copy',
    audit: 'operator.invite',
    details:
      '`email` (unique in any case), `name`, `role`: 201 `{"id","inviteUrl","inviteExpiresAt"}`; `inviteUrl` is `PUBLIC_BASE_URL/admin/invite#<token>` (the token in the fragment reaches no server log), good once, for 7 days. No e-mail is sent: pass the link on yourself. 409 `operator_exists`. The first owner is made this way with the admin key, or by `npm run operator:create`.',
    example: { body: { email: '{newEmail}', name: 'Sam Staff', role: 'staff' } },
  },
  {
    method: 'GET',
    path: '/operators',
    fn: 'operators',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'the operators, with their role and status',
    details:
      '`{"operators":[{"id","email","name","role","active","status","totp","createdAt","lastSignInAt","inviteExpiresAt"}]}`, oldest first; `status` `invited`, `active` or `deactivated`.',
    example: {},
  },
  {
    method: 'PATCH',
    path: '/operators/{id}',
    fn: 'operators',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: "change an operator's role, name or `active`; deactivating signs them out at once",
    audit: 'operator.update',
    details:
      'Any of `role`, `active`, `name`: 200 the operator. A role counts from their next request; `active: false` ends their sessions and refuses their sign-in. 409 `last_owner` for a change that would leave no active owner with a password; 404 for an unknown id.',
    example: { params: { id: '{operator}' }, body: { role: 'viewer', active: true } },
  },
  {
    method: 'POST',
    path: '/operators/{id}/invite',
    fn: 'operators',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'a new invite link for an operator who has not set a password (the old one stops working)',
    audit: 'operator.reinvite',
    details:
      '200 `{"inviteUrl","inviteExpiresAt"}`; 409 `password_set` once they have a password, `inactive` for one deactivated; 404 for an unknown id.',
    example: { params: { id: '{operator}' } },
  },
  {
    method: 'POST',
    path: '/operators/{id}/sign-out',
    fn: 'operators',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'end every console session of an operator (a lost laptop)',
    audit: 'operator.sign_out',
    details: '200 `{"endedSessions":n}`; they can sign in again with their password. 404 for an unknown id.',
    example: { params: { id: '{operator}' } },
  },
  {
    method: 'GET',
    path: '/team/settings',
    fn: 'operators',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: "the team's settings: whether staff may do money actions",
    details: '200 `{"staffMoneyActions":boolean}` (default true).',
    example: {},
  },
  {
    method: 'PATCH',
    path: '/team/settings',
    fn: 'operators',
    who: 'admin',
    access: 'owner',
    throttle: ADMIN,
    does: 'let staff approve returns and erase clients, or not',
    audit: 'team.update',
    details:
      '`staffMoneyActions`: 200 the settings. Off, staff get 403 `forbidden_role` on `POST /returns/{id}/approve` and `POST /privacy/erasures` from their next request; owners and the admin key always may.',
    example: { body: { staffMoneyActions: true } },
  },
] as const satisfies readonly RouteSpec[];

type Entry = (typeof ROUTES)[number];
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** `'GET /providers/{id}'`: a route's method and path, as API Gateway's routeKey names it. */
export type RouteKey = KeyOf<Entry>;
/** The functions that serve routes (serverless.yml's names). */
export type HttpFunctionName = Entry['fn'];
/** The routes function `F` serves. */
export type RouteKeyOf<F extends HttpFunctionName> = KeyOf<Extract<Entry, { fn: F }>>;
type AuditOf<E, K> = E extends { audit: infer A extends AuditAction }
  ? KeyOf<E> extends K
    ? A
    : never
  : never;
/** Route `K`'s audit action (its `audit` field), or never for a route that has none. */
export type AuditActionOf<K extends string> = AuditOf<Entry, K>;

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>): string => `${r.method} ${r.path}`;

/** The handler file of function `fn`: serverless.yml's `functions/<kebab-case name>.handler`. */
export const handlerFile = (fn: string): string =>
  `functions/${fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.ts`;
