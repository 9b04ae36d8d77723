import type { CountryCode } from 'libphonenumber-js';

/** Development keys used under serverless-offline when a key is not configured. */
export const LOCAL_DEV_KEYS = {
  leadApiKey: 'local-lead-key',
  adminApiKey: 'local-admin-key',
  inboundSmsToken: 'local-sms-token',
  formSecret: 'local-form-secret',
} as const;

export type Config = {
  databaseUrl: string | undefined;
  databaseDriver: 'auto' | 'neon' | 'pg';
  neonWsProxy: string | undefined;
  /**
   * A container serves one request at a time, and the most one request holds at once is two
   * (a webhook's SMS and Stripe follow-ups side by side after commit; the lead view's reads):
   * measured by tests/integration/connections-per-request.test.ts.
   */
  databasePoolMax: number;
  /**
   * Named prepared statements for the hottest statements. Off by default: a transaction pooler
   * (Neon's -pooler host, PgBouncer before 1.21, Supavisor, RDS Proxy) runs each transaction on
   * whichever server connection is free, where a statement prepared on another is missing or
   * already exists (42P05). On only for a direct connection or a pooler that tracks
   * protocol-level statements (PgBouncer 1.21+ with max_prepared_statements).
   */
  databasePreparedStatements: boolean;
  /** A stalled database fails a request with a 503 within these, not at the Lambda timeout. */
  databaseConnectTimeoutMs: number;
  databaseQueryTimeoutMs: number;
  stripe: { secretKey?: string; webhookSecret?: string; apiUrl?: string; timeoutMs: number };
  textmagic: {
    username?: string;
    apiKey?: string;
    fromNumber?: string;
    apiUrl: string;
    timeoutMs: number;
    /** SMS_RATE_PER_SECOND: the deployment's shared request rate to TextMagic. */
    ratePerSecond: number;
  };
  /** SMS_DISPATCHER_FUNCTION: the dispatcher's Lambda, started when a burst leaves a backlog. */
  smsDispatcherFunction: string | undefined;
  /** What a request may spend on SMS and Stripe calls after its commit; the rest is left queued. */
  inlineWorkBudgetMs: number;
  /** Keys and tokens; undefined means "not configured" and the route answers 503. */
  keys: { leadApiKey?: string; adminApiKey?: string; inboundSmsToken?: string; formSecret?: string };
  /** True under serverless-offline or `npm start`: unset keys take the development values. */
  local: boolean;
  publicBaseUrl: string;
  defaultCountry: CountryCode;
  /** IANA time zone of providers who have none, for their weekly and daily budgets. */
  defaultTimeZone: string;
  /** Teaser hours of providers who have none, local minutes from midnight (end excluded). */
  teaserHours: TeaserHours;
  leadPriceCents: number;
  leadMaxUnlocks: number;
  leadMaxOffers: number;
  leadTtlHours: number;
  /** A lead from the same client and category as one this many days back is a duplicate of it; 0: never. */
  duplicateWindowDays: number;
  currency: string;
  /** Days after a purchase in which it may be returned. */
  returnWindowDays: number;
  /** 0 (off) to 1: returns under this share of the provider's purchases are approved at once. */
  returnAutoApproveRate: number;
  /**
   * The registered 10DLC brand every SMS speaks as, and the support contact HELP names. Unset in a
   * deployed stage: no SMS is built (lib/sms/sender.ts); locally they fall back with a warning.
   */
  smsBrandName: string | undefined;
  supportContact: string | undefined;
  /** POST /leads refuses a lead without the client's `consent`. */
  requireClientConsent: boolean;
  /** Days (decimals allowed) after which a lead's client data is erased; undefined: kept. */
  clientDataRetentionDays: number | undefined;
  /** The consent wording the hosted form shows (lib/intake/); undefined: each language's default. */
  consentText: string | undefined;
  /** The hosted form's CSP `frame-ancestors` sources: `'none'` (never framed), or where it may be. */
  formFrameAncestors: string;
  /**
   * The most a provider may set in the portal's Settings (lib/portal/account-input.ts): the weekly
   * spend cap in the currency's main unit (137 is $137) and the daily lead cap; undefined: no limit.
   */
  portalMaxWeeklySpendCap: number | undefined;
  portalMaxDailyLeadCap: number | undefined;
  /** The deployed stage (`local` elsewhere): the metrics' `stage` dimension. */
  stage: string;
};

/** Local minutes from midnight: `start` included, `end` excluded; a start after the end wraps midnight. */
export type TeaserHours = { start: number; end: number };

/**
 * `HH:MM-HH:MM` (`08:00-21:00`; `22:00-06:00` wraps midnight; `00:00-24:00` is all day) as
 * minutes; undefined when not that, or when start and end are the same (empty, or all day?).
 */
export function parseTeaserHours(text: string): TeaserHours | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):00)$/.exec(text.trim());
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = m[5] ? 1440 : Number(m[3]) * 60 + Number(m[4]);
  if (start === end) return undefined;
  // An end at 00:00 is the midnight that ends the day (22:00-00:00 is 22:00-24:00).
  return { start, end: end === 0 ? 1440 : end };
}

/** Minutes as `HH:MM-HH:MM`, as `parseTeaserHours` reads them. */
export function formatTeaserHours(h: TeaserHours): string {
  const hhmm = (n: number) =>
    `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
  return `${hhmm(h.start)}-${hhmm(h.end)}`;
}

/** One configuration variable: what `.env.example`, the README and serverless.yml are generated or checked from. */
export type Variable = {
  /** The value when unset; an empty value is unset too. */
  default?: string;
  /** What unset means when there is no default value to write. */
  unset?: string;
  meaning: string;
  /** Comes from SSM Parameter Store in a deployed stage; never logged. */
  secret?: true;
  /** What serverless.yml sets it to in a deployed stage, instead of the deploying shell's value. */
  deploy?: string;
  /** Heading the variable is listed under in `.env.example`. */
  group: string;
};

/**
 * Every variable the functions read, in the order they are documented. `npm run docs` writes
 * `.env.example` and the README's table from this; tests/unit/config-docs.test.ts fails when
 * either, or serverless.yml's `provider.environment`, disagrees with it.
 */
export const VARIABLES = {
  DATABASE_URL: {
    group: 'Postgres',
    secret: true,
    unset: 'embedded Postgres locally',
    meaning:
      "any Postgres URL: a Neon host (`*.neon.tech`) goes through Neon's serverless driver (WebSocket pool, interactive transactions), any other through a TCP pool; at scale, the pooled endpoint (`-pooler` host)",
  },
  DATABASE_DRIVER: {
    group: 'Postgres',
    default: 'auto',
    meaning: '`auto` (by host), `neon` or `pg`: force a driver',
  },
  NEON_WS_PROXY: {
    group: 'Postgres',
    unset: 'none',
    meaning:
      "`host:port/path` of a WebSocket-to-TCP proxy speaking Neon's protocol, for the Neon driver against a local Postgres (tests)",
  },
  DATABASE_POOL_MAX: {
    group: 'Postgres',
    default: '2',
    meaning:
      'connections per container: a container serves one request at a time, and one request holds at most 2',
  },
  DATABASE_PREPARED_STATEMENTS: {
    group: 'Postgres',
    default: 'off',
    meaning:
      "`on`: named prepared statements for the hottest statements; only on a direct connection or a pooler that keeps them (PgBouncer 1.21+ `max_prepared_statements`), never behind a transaction pooler such as Neon's `-pooler` endpoint",
  },
  DATABASE_CONNECT_TIMEOUT_MS: {
    group: 'Postgres',
    default: '5000',
    meaning: 'give up connecting to Postgres after this long (the request answers 503)',
  },
  DATABASE_QUERY_TIMEOUT_MS: {
    group: 'Postgres',
    default: '4000',
    meaning:
      'give up on a statement after this long (503); a stalled network never holds a request to the Lambda timeout',
  },
  STRIPE_SECRET_KEY: {
    group: 'Stripe',
    secret: true,
    unset: 'none: pay links answer "temporarily unavailable"',
    meaning: 'Stripe secret key',
  },
  STRIPE_WEBHOOK_SECRET: {
    group: 'Stripe',
    secret: true,
    unset: 'none: webhooks answer 503',
    meaning: '`whsec_…` signing secret of the webhook endpoint',
  },
  STRIPE_API_URL: {
    group: 'Stripe',
    unset: "Stripe's own",
    meaning: 'Stripe API base, for local emulators and tests (e.g. `http://127.0.0.1:12111`)',
  },
  STRIPE_TIMEOUT_MS: { group: 'Stripe', default: '8000', meaning: 'Stripe API timeout' },
  TEXTMAGIC_USERNAME: {
    group: 'TextMagic',
    secret: true,
    unset: 'none: SMS are logged, not sent',
    meaning: 'TextMagic REST v2 user name',
  },
  TEXTMAGIC_API_KEY: {
    group: 'TextMagic',
    secret: true,
    unset: 'none: SMS are logged, not sent',
    meaning: 'TextMagic REST v2 API key',
  },
  TEXTMAGIC_FROM_NUMBER: { group: 'TextMagic', unset: "the account's default", meaning: 'sender number' },
  TEXTMAGIC_API_URL: {
    group: 'TextMagic',
    default: 'https://rest.textmagic.com/api/v2',
    meaning: 'TextMagic API base',
  },
  TEXTMAGIC_TIMEOUT_MS: { group: 'TextMagic', default: '5000', meaning: 'TextMagic request timeout' },
  SMS_RATE_PER_SECOND: {
    group: 'TextMagic',
    default: '20',
    meaning:
      "requests to TextMagic per second for the whole deployment, shared by every container through the database (TextMagic's documented per-account limit is 20); decimals allowed",
  },
  SMS_DISPATCHER_FUNCTION: {
    group: 'TextMagic',
    deploy: '${self:service}-${sls:stage}-smsDispatcher',
    unset: 'none: a backlog waits for the next scheduled run',
    meaning:
      "the dispatcher's Lambda, which a new lead's request starts at once (async invoke) when it leaves teasers queued behind the send rate and no run is sending; set by the deploy",
  },
  INLINE_WORK_BUDGET_MS: {
    group: 'Requests',
    default: '1500',
    meaning:
      'time a request spends after its commit on SMS sends and Stripe follow-ups before it answers; the rest stays queued for the dispatcher (which uses the full timeouts)',
  },
  INBOUND_SMS_TOKEN: {
    group: 'Keys (under `npm start` unset keys take the development values it prints)',
    secret: true,
    unset: 'none: callbacks refused (`local-sms-token` locally)',
    meaning: 'secret that TextMagic callback URLs carry as `?token=`',
  },
  LEAD_API_KEY: {
    group: 'Keys (under `npm start` unset keys take the development values it prints)',
    secret: true,
    unset: 'none: refused (`local-lead-key` locally)',
    meaning: 'key for `POST /leads`, sent as `x-api-key`',
  },
  FORM_SECRET: {
    group: 'Keys (under `npm start` unset keys take the development values it prints)',
    secret: true,
    unset: 'none: the hosted form answers 503 (`local-form-secret` locally)',
    meaning:
      "signs the hosted form's hidden fill-time stamp (HMAC): a long random string, e.g. `openssl rand -hex 32`",
  },
  ADMIN_API_KEY: {
    group: 'Keys (under `npm start` unset keys take the development values it prints)',
    secret: true,
    unset: 'none: refused (`local-admin-key` locally)',
    meaning: 'key for admin routes, sent as `Authorization: Bearer …`',
  },
  PUBLIC_BASE_URL: {
    group: 'Leads',
    default: 'http://localhost:3000',
    meaning: 'base of the short payment links put in SMS',
  },
  DEFAULT_COUNTRY: {
    group: 'Leads',
    default: 'US',
    meaning: 'region for phone numbers written without a country code',
  },
  DEFAULT_TIME_ZONE: {
    group: 'Leads',
    default: 'America/Chicago',
    meaning:
      "IANA time zone of providers who have none: their budgets' weeks start Monday 00:00 and days at midnight there",
  },
  TEASER_HOURS: {
    group: 'Leads',
    default: '08:00-21:00',
    meaning:
      'teaser hours (`HH:MM-HH:MM`, local to their time zone) of providers who have none: a lead outside them is teased at their next start if still open; `22:00-06:00` wraps midnight, `00:00-24:00` is all day',
  },
  LEAD_PRICE_CENTS: {
    group: 'Leads',
    default: '1500',
    meaning:
      "unlock price, in the currency's smallest unit, of a category added without one (`POST /categories`)",
  },
  LEAD_MAX_UNLOCKS: {
    group: 'Leads',
    default: '3',
    meaning: 'number of providers that may buy one lead, for a category added without one',
  },
  LEAD_MAX_OFFERS: {
    group: 'Leads',
    default: '10',
    meaning: 'most providers that get a teaser for one lead',
  },
  LEAD_TTL_HOURS: {
    group: 'Leads',
    default: '72',
    meaning: 'hours after which a lead takes no more unlocks, for a category added without them',
  },
  DUPLICATE_WINDOW_DAYS: {
    group: 'Leads',
    default: '30',
    meaning:
      'a lead with the phone or e-mail and the category of one received in the last this many days is its duplicate (`duplicateOf`), offered only to providers not offered the original; `0`: no duplicates',
  },
  CURRENCY: { group: 'Leads', default: 'usd', meaning: 'ISO currency of prices' },
  SMS_BRAND_NAME: {
    group: 'Leads',
    unset: 'locally `Lead Unlock`, with a warning; deployed: no SMS is sent (503, and `/health` says so)',
    meaning: 'the registered 10DLC brand every SMS speaks as (HELP, confirmations, replies)',
  },
  SUPPORT_CONTACT: {
    group: 'Leads',
    unset: 'locally `PUBLIC_BASE_URL`; deployed: as `SMS_BRAND_NAME`',
    meaning: 'the phone, e-mail or URL that HELP and the opt-in confirmation name',
  },
  REQUIRE_CLIENT_CONSENT: {
    group: 'Leads',
    default: 'false',
    meaning: "`true`: `POST /leads` refuses a lead without the client's `consent` (400 naming it)",
  },
  CLIENT_DATA_RETENTION_DAYS: {
    group: 'Leads',
    meaning:
      "erase the client data of leads older than this many days (decimals allowed), in batches, on the dispatcher's schedule; unset: kept",
  },
  CONSENT_TEXT: {
    group: 'Leads',
    unset: "each language's default naming `SMS_BRAND_NAME`",
    meaning:
      "the consent wording the hosted form (`GET /request`) shows beside its button, stored as each lead's `consent.text`",
  },
  FORM_FRAME_ANCESTORS: {
    group: 'Leads',
    default: "'none'",
    meaning:
      "where the hosted form may be embedded (CSP `frame-ancestors`): `'none'`, `'self'` or origins such as `https://www.example.com https://*.example.com`, space-separated",
  },
  RETURN_WINDOW_DAYS: {
    group: 'Leads',
    default: '14',
    meaning: 'days after a purchase in which the provider may return the lead (`BAD <code> <reason>`)',
  },
  RETURN_AUTO_APPROVE_RATE: {
    group: 'Leads',
    default: '0',
    meaning:
      "a return is approved at once while the provider's returns of the last 30 days (this one included) stay under this share of their purchases in those days, e.g. `0.2`; `0`: every return waits for an operator",
  },
  PORTAL_MAX_WEEKLY_SPEND_CAP: {
    group: 'Provider portal',
    unset: 'no limit',
    meaning:
      "the highest weekly spend cap a provider may set in the portal, in the currency's main unit (`500` is $500); above it, or no cap at all, is refused there (the admin API is not limited)",
  },
  PORTAL_MAX_DAILY_LEAD_CAP: {
    group: 'Provider portal',
    unset: 'no limit',
    meaning:
      'the highest daily lead cap a provider may set in the portal; above it, or no cap at all, is refused there (the admin API is not limited)',
  },
  LOG_LEVEL: { group: 'Logs', default: 'info', meaning: '`debug`, `info`, `warn`, `error` or `silent`' },
  STAGE: {
    group: 'Logs',
    default: 'local',
    deploy: '${sls:stage}',
    meaning:
      "the stage, set by the deploy (`--stage`): the business metrics' `stage` dimension, so that each stage's alarms watch its own",
  },
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

/** What an IANA zone name looks like (`America/Chicago`, `UTC`, `Etc/GMT+5`); not a POSIX rule such as `UTC+5`. */
export const TIME_ZONE_SHAPE = /^(?:[A-Za-z][A-Za-z0-9_-]*\/)*[A-Za-z][A-Za-z0-9_-]*$|^Etc\/GMT[+-]\d{1,2}$/;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment by hand, not with a schema library: every function parses it on a cold
 * start, and zod cost more there than all of these checks. An empty value is unset for every
 * variable (serverless.yml passes an empty string for what is not configured) and takes the
 * table's default; every bad variable is named at once.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const bad = (name: VariableName, message: string) => {
    problems.push(`${name}: ${message}`);
  };
  /** The value, or the table's default when unset or empty. */
  const value = (name: VariableName): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw === '' ? (VARIABLES[name] as Variable).default : raw;
  };
  const fallback = (name: VariableName) => (VARIABLES[name] as Variable).default!;

  /** Trimmed; unset when empty. */
  const optionalString = (name: VariableName): string | undefined => value(name)?.trim() || undefined;

  /** A safe integer of at least 0, as `Number()` reads it. */
  const wholeNumber = (name: VariableName): number => {
    const n = Number(value(name));
    if (!Number.isSafeInteger(n) || n < 0) {
      bad(name, 'must be a whole number, 0 or more');
      return Number(fallback(name));
    }
    return n;
  };

  /** A positive safe integer, as `Number()` reads it. */
  const positiveInt = (name: VariableName): number => {
    const n = Number(value(name));
    if (!Number.isSafeInteger(n) || n <= 0) {
      bad(name, 'must be a positive whole number');
      return Number(fallback(name));
    }
    return n;
  };

  /** A number above 0 (decimals allowed), or undefined when unset. */
  const optionalPositive = (name: VariableName): number | undefined => {
    const raw = value(name)?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) {
      bad(name, 'must be a number above 0, such as 1095 or 0.5');
      return undefined;
    }
    return n;
  };

  /** A whole number of at least 1, or undefined when unset. */
  const optionalPositiveInt = (name: VariableName): number | undefined => {
    const raw = value(name)?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n <= 0) {
      bad(name, 'must be a positive whole number');
      return undefined;
    }
    return n;
  };

  /** A number from 0 to 1, as `Number()` reads it. */
  const fraction = (name: VariableName): number => {
    const n = Number(value(name)!.trim());
    if (!Number.isFinite(n) || n < 0 || n > 1) {
      bad(name, 'must be a number from 0 to 1');
      return Number(fallback(name));
    }
    return n;
  };

  /** on/off (also true/false, 1/0, yes/no). */
  const flag = (name: VariableName): boolean => {
    const raw = value(name)!.trim().toLowerCase();
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    bad(name, 'must be on or off');
    return false;
  };

  /** An absolute URL, trimmed, tabs and line breaks removed (as the URL parser ignores them). */
  const optionalUrl = (name: VariableName): string | undefined => {
    const raw = value(name);
    if (raw === undefined) return undefined;
    const trimmed = raw.trim();
    if (!URL.canParse(trimmed)) bad(name, 'must be an absolute URL');
    return trimmed.replace(/[\t\n\r]/g, '').replace(/\/+$/, '');
  };
  const url = (name: VariableName): string => optionalUrl(name)!;

  /** Trimmed, cased by `normalize`, matching `shape`. */
  const code = (name: VariableName, normalize: (s: string) => string, shape: RegExp, what: string) => {
    const v = normalize(value(name)!.trim());
    if (!shape.test(v)) bad(name, what);
    return v;
  };

  const teaserHours = (): TeaserHours => {
    const hours = parseTeaserHours(value('TEASER_HOURS')!);
    if (hours) return hours;
    bad('TEASER_HOURS', 'must be HH:MM-HH:MM, such as 08:00-21:00 (start and end not the same)');
    return parseTeaserHours(fallback('TEASER_HOURS'))!;
  };

  /**
   * CSP sources only: `'none'` alone, or `'self'`, schemes (`https:`) and origins with an optional
   * `*.` host wildcard and port; nothing that could end the directive (`;`, `,`) or add another.
   */
  const frameAncestors = (): string => {
    const raw = value('FORM_FRAME_ANCESTORS')!.trim().split(/\s+/);
    const source = /^(?:'self'|https?:|https?:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?)$/i;
    if ((raw.length === 1 && raw[0] === "'none'") || raw.every((s) => source.test(s))) return raw.join(' ');
    bad('FORM_FRAME_ANCESTORS', "must be 'none', or 'self' and origins such as https://www.example.com");
    return fallback('FORM_FRAME_ANCESTORS');
  };

  const driver = value('DATABASE_DRIVER')!.trim();
  if (driver !== 'auto' && driver !== 'neon' && driver !== 'pg')
    bad('DATABASE_DRIVER', 'must be auto, neon or pg');

  const local = env.IS_OFFLINE?.trim() === 'true';
  const leadApiKey = optionalString('LEAD_API_KEY');
  const adminApiKey = optionalString('ADMIN_API_KEY');
  const inboundSmsToken = optionalString('INBOUND_SMS_TOKEN');
  const formSecret = optionalString('FORM_SECRET');
  const config: Config = {
    databaseUrl: optionalString('DATABASE_URL'),
    databaseDriver: driver as Config['databaseDriver'],
    neonWsProxy: optionalString('NEON_WS_PROXY'),
    databasePoolMax: positiveInt('DATABASE_POOL_MAX'),
    databasePreparedStatements: flag('DATABASE_PREPARED_STATEMENTS'),
    databaseConnectTimeoutMs: positiveInt('DATABASE_CONNECT_TIMEOUT_MS'),
    databaseQueryTimeoutMs: positiveInt('DATABASE_QUERY_TIMEOUT_MS'),
    stripe: {
      secretKey: optionalString('STRIPE_SECRET_KEY'),
      webhookSecret: optionalString('STRIPE_WEBHOOK_SECRET'),
      apiUrl: optionalUrl('STRIPE_API_URL'),
      timeoutMs: positiveInt('STRIPE_TIMEOUT_MS'),
    },
    textmagic: {
      username: optionalString('TEXTMAGIC_USERNAME'),
      apiKey: optionalString('TEXTMAGIC_API_KEY'),
      fromNumber: optionalString('TEXTMAGIC_FROM_NUMBER'),
      apiUrl: url('TEXTMAGIC_API_URL'),
      timeoutMs: positiveInt('TEXTMAGIC_TIMEOUT_MS'),
      ratePerSecond: optionalPositive('SMS_RATE_PER_SECOND') ?? Number(fallback('SMS_RATE_PER_SECOND')),
    },
    smsDispatcherFunction: optionalString('SMS_DISPATCHER_FUNCTION'),
    inlineWorkBudgetMs: positiveInt('INLINE_WORK_BUDGET_MS'),
    keys: {
      leadApiKey: leadApiKey ?? (local ? LOCAL_DEV_KEYS.leadApiKey : undefined),
      adminApiKey: adminApiKey ?? (local ? LOCAL_DEV_KEYS.adminApiKey : undefined),
      inboundSmsToken: inboundSmsToken ?? (local ? LOCAL_DEV_KEYS.inboundSmsToken : undefined),
      formSecret: formSecret ?? (local ? LOCAL_DEV_KEYS.formSecret : undefined),
    },
    local,
    publicBaseUrl: url('PUBLIC_BASE_URL'),
    defaultCountry: code(
      'DEFAULT_COUNTRY',
      (s) => s.toUpperCase(),
      /^[A-Z]{2}$/,
      'a two-letter ISO country code',
    ) as CountryCode,
    // The shape only: a check against the zone database (Intl) costs some 35 ms of a cold start.
    defaultTimeZone: code('DEFAULT_TIME_ZONE', (s) => s, TIME_ZONE_SHAPE, 'an IANA time zone name'),
    teaserHours: teaserHours(),
    leadPriceCents: positiveInt('LEAD_PRICE_CENTS'),
    leadMaxUnlocks: positiveInt('LEAD_MAX_UNLOCKS'),
    leadMaxOffers: positiveInt('LEAD_MAX_OFFERS'),
    leadTtlHours: positiveInt('LEAD_TTL_HOURS'),
    duplicateWindowDays: wholeNumber('DUPLICATE_WINDOW_DAYS'),
    returnWindowDays: wholeNumber('RETURN_WINDOW_DAYS'),
    returnAutoApproveRate: fraction('RETURN_AUTO_APPROVE_RATE'),
    currency: code('CURRENCY', (s) => s.toLowerCase(), /^[a-z]{3}$/, 'a three-letter ISO currency code'),
    smsBrandName: optionalString('SMS_BRAND_NAME'),
    supportContact: optionalString('SUPPORT_CONTACT'),
    requireClientConsent: flag('REQUIRE_CLIENT_CONSENT'),
    clientDataRetentionDays: optionalPositive('CLIENT_DATA_RETENTION_DAYS'),
    consentText: optionalString('CONSENT_TEXT'),
    formFrameAncestors: frameAncestors(),
    portalMaxWeeklySpendCap: optionalPositive('PORTAL_MAX_WEEKLY_SPEND_CAP'),
    portalMaxDailyLeadCap: optionalPositiveInt('PORTAL_MAX_DAILY_LEAD_CAP'),
    stage: code(
      'STAGE',
      (s) => s,
      /^[A-Za-z0-9-]{1,64}$/,
      'letters, digits and hyphens (a serverless stage)',
    ),
  };
  if (problems.length) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

let cached: Config | undefined;
/** Secrets a deployed function read from SSM Parameter Store at init (lib/secrets.ts). */
let secretValues: Record<string, string> = {};

/**
 * The configuration, parsed once per container from the environment and, in a deployed stage,
 * the secrets read from SSM over it: one parse, one set of rules, wherever a value comes from.
 */
export function config(): Config {
  cached ??= parseConfig({ ...process.env, ...secretValues });
  return cached;
}

/** Sets the secrets read from SSM (lib/secrets.ts); the next `config()` parses them in. */
export function useSecrets(values: Record<string, string>): void {
  secretValues = values;
  cached = undefined;
}

/** Forget the parsed configuration so the next call re-reads the environment (tests, scripts). */
export function resetConfig(): void {
  cached = undefined;
}
