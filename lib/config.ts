import type { CountryCode } from 'libphonenumber-js';

/** Development keys used under serverless-offline when a key is not configured. */
export const LOCAL_DEV_KEYS = {
  leadApiKey: 'local-lead-key',
  adminApiKey: 'local-admin-key',
  inboundSmsToken: 'local-sms-token',
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
  };
  /** What a request may spend on SMS and Stripe calls after its commit; the rest is left queued. */
  inlineWorkBudgetMs: number;
  /** Keys and tokens; undefined means "not configured" and the route answers 503. */
  keys: { leadApiKey?: string; adminApiKey?: string; inboundSmsToken?: string };
  /** True under serverless-offline or `npm start`: unset keys take the development values. */
  local: boolean;
  publicBaseUrl: string;
  defaultCountry: CountryCode;
  leadPriceCents: number;
  leadMaxUnlocks: number;
  leadMaxOffers: number;
  leadTtlHours: number;
  currency: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment by hand, not with a schema library: every function parses it on a cold
 * start, and zod cost more there than all of these checks (Issue 4). Same rules as before: an
 * empty string is unset for keys, URLs and numbers; every bad variable is named at once.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const bad = (name: string, message: string) => {
    problems.push(`${name}: ${message}`);
  };

  /** Trimmed; unset when empty. */
  const optionalString = (name: string): string | undefined => env[name]?.trim() || undefined;

  /** A positive safe integer, as `Number()` reads it; the fallback when unset or empty. */
  const positiveInt = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n <= 0) bad(name, 'must be a positive whole number');
    return n;
  };

  /** on/off (also true/false, 1/0, yes/no); the fallback when unset or empty. */
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    bad(name, 'must be on or off');
    return fallback;
  };

  /** An absolute URL, trimmed, tabs and line breaks removed (as the URL parser ignores them). */
  const checkedUrl = (name: string, value: string): string => {
    const trimmed = value.trim();
    if (!URL.canParse(trimmed)) bad(name, 'must be an absolute URL');
    return trimmed.replace(/[\t\n\r]/g, '');
  };
  const url = (name: string, fallback: string): string => checkedUrl(name, env[name] || fallback);
  const optionalUrl = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : checkedUrl(name, raw);
  };

  /** Unset: the default. Set (even empty): trimmed, cased by `normalize`, matching `shape`. */
  const code = (
    name: string,
    fallback: string,
    normalize: (s: string) => string,
    shape: RegExp,
    what: string,
  ) => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    const value = normalize(raw.trim());
    if (!shape.test(value)) bad(name, what);
    return value;
  };

  const driver = env.DATABASE_DRIVER ?? 'auto';
  if (driver !== 'auto' && driver !== 'neon' && driver !== 'pg')
    bad('DATABASE_DRIVER', 'must be auto, neon or pg');

  const local = env.IS_OFFLINE?.trim() === 'true';
  const leadApiKey = optionalString('LEAD_API_KEY');
  const adminApiKey = optionalString('ADMIN_API_KEY');
  const inboundSmsToken = optionalString('INBOUND_SMS_TOKEN');
  const config: Config = {
    databaseUrl: optionalString('DATABASE_URL'),
    databaseDriver: driver as Config['databaseDriver'],
    neonWsProxy: optionalString('NEON_WS_PROXY'),
    databasePoolMax: positiveInt('DATABASE_POOL_MAX', 2),
    databasePreparedStatements: flag('DATABASE_PREPARED_STATEMENTS', false),
    databaseConnectTimeoutMs: positiveInt('DATABASE_CONNECT_TIMEOUT_MS', 5000),
    databaseQueryTimeoutMs: positiveInt('DATABASE_QUERY_TIMEOUT_MS', 4000),
    stripe: {
      secretKey: optionalString('STRIPE_SECRET_KEY'),
      webhookSecret: optionalString('STRIPE_WEBHOOK_SECRET'),
      apiUrl: optionalUrl('STRIPE_API_URL'),
      timeoutMs: positiveInt('STRIPE_TIMEOUT_MS', 8000),
    },
    textmagic: {
      username: optionalString('TEXTMAGIC_USERNAME'),
      apiKey: optionalString('TEXTMAGIC_API_KEY'),
      fromNumber: optionalString('TEXTMAGIC_FROM_NUMBER'),
      apiUrl: url('TEXTMAGIC_API_URL', 'https://rest.textmagic.com/api/v2').replace(/\/+$/, ''),
      timeoutMs: positiveInt('TEXTMAGIC_TIMEOUT_MS', 5000),
    },
    inlineWorkBudgetMs: positiveInt('INLINE_WORK_BUDGET_MS', 1500),
    keys: {
      leadApiKey: leadApiKey ?? (local ? LOCAL_DEV_KEYS.leadApiKey : undefined),
      adminApiKey: adminApiKey ?? (local ? LOCAL_DEV_KEYS.adminApiKey : undefined),
      inboundSmsToken: inboundSmsToken ?? (local ? LOCAL_DEV_KEYS.inboundSmsToken : undefined),
    },
    local,
    publicBaseUrl: url('PUBLIC_BASE_URL', 'http://localhost:3000').replace(/\/+$/, ''),
    defaultCountry: code(
      'DEFAULT_COUNTRY',
      'US',
      (s) => s.toUpperCase(),
      /^[A-Z]{2}$/,
      'a two-letter ISO country code',
    ) as CountryCode,
    leadPriceCents: positiveInt('LEAD_PRICE_CENTS', 1500),
    leadMaxUnlocks: positiveInt('LEAD_MAX_UNLOCKS', 3),
    leadMaxOffers: positiveInt('LEAD_MAX_OFFERS', 10),
    leadTtlHours: positiveInt('LEAD_TTL_HOURS', 72),
    currency: code(
      'CURRENCY',
      'usd',
      (s) => s.toLowerCase(),
      /^[a-z]{3}$/,
      'a three-letter ISO currency code',
    ),
  };
  if (problems.length) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

let cached: Config | undefined;

/** The configuration, parsed once per container from the environment. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Forget the parsed configuration so the next call re-reads the environment (tests, scripts). */
export function resetConfig(): void {
  cached = undefined;
}
