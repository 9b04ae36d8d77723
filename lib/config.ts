import * as z from 'zod/mini';
import type { CountryCode } from 'libphonenumber-js';

/** Development keys used under serverless-offline when a key is not configured. */
export const LOCAL_DEV_KEYS = {
  leadApiKey: 'local-lead-key',
  adminApiKey: 'local-admin-key',
  inboundSmsToken: 'local-sms-token',
} as const;

// zod/mini: the same checks as full zod at a tenth of the bundle (cold start, Issue 4).
const optionalString = z.optional(
  z.pipe(
    z.string().check(z.trim()),
    z.transform((v) => (v === '' ? undefined : v)),
  ),
);

const positiveInt = (fallback: number) =>
  z.pipe(
    z.transform((v: unknown) => (v === undefined || v === '' ? fallback : Number(v))),
    z.int().check(z.positive()),
  );

const url = (fallback: string) =>
  z.pipe(
    z.transform((v: unknown) => (v === undefined || v === '' ? fallback : v)),
    z.url(),
  );
const optionalUrl = z.pipe(
  z.transform((v: unknown) => (v === '' ? undefined : v)),
  z.optional(z.url()),
);

const schema = z.object({
  DATABASE_URL: optionalString,
  DATABASE_DRIVER: z._default(z.enum(['auto', 'neon', 'pg']), 'auto'),
  NEON_WS_PROXY: optionalString,
  DATABASE_POOL_MAX: positiveInt(4),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5000),
  DATABASE_QUERY_TIMEOUT_MS: positiveInt(4000),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_URL: optionalUrl,
  STRIPE_TIMEOUT_MS: positiveInt(8000),
  TEXTMAGIC_USERNAME: optionalString,
  TEXTMAGIC_API_KEY: optionalString,
  TEXTMAGIC_FROM_NUMBER: optionalString,
  TEXTMAGIC_API_URL: url('https://rest.textmagic.com/api/v2'),
  TEXTMAGIC_TIMEOUT_MS: positiveInt(5000),
  INLINE_WORK_BUDGET_MS: positiveInt(1500),
  INBOUND_SMS_TOKEN: optionalString,
  LEAD_API_KEY: optionalString,
  ADMIN_API_KEY: optionalString,
  PUBLIC_BASE_URL: url('http://localhost:3000'),
  DEFAULT_COUNTRY: z._default(
    z.string().check(z.trim(), z.toUpperCase(), z.regex(/^[A-Z]{2}$/, 'a two-letter ISO country code')),
    'US',
  ),
  LEAD_PRICE_CENTS: positiveInt(1500),
  LEAD_MAX_UNLOCKS: positiveInt(3),
  LEAD_MAX_OFFERS: positiveInt(10),
  LEAD_TTL_HOURS: positiveInt(72),
  CURRENCY: z._default(
    z.string().check(z.trim(), z.toLowerCase(), z.regex(/^[a-z]{3}$/, 'a three-letter ISO currency code')),
    'usd',
  ),
  IS_OFFLINE: optionalString,
});

export type Config = {
  databaseUrl: string | undefined;
  databaseDriver: 'auto' | 'neon' | 'pg';
  neonWsProxy: string | undefined;
  databasePoolMax: number;
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

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const local = e.IS_OFFLINE === 'true';
  return {
    databaseUrl: e.DATABASE_URL,
    databaseDriver: e.DATABASE_DRIVER,
    neonWsProxy: e.NEON_WS_PROXY,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    databaseQueryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
    stripe: {
      secretKey: e.STRIPE_SECRET_KEY,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET,
      apiUrl: e.STRIPE_API_URL,
      timeoutMs: e.STRIPE_TIMEOUT_MS,
    },
    textmagic: {
      username: e.TEXTMAGIC_USERNAME,
      apiKey: e.TEXTMAGIC_API_KEY,
      fromNumber: e.TEXTMAGIC_FROM_NUMBER,
      apiUrl: e.TEXTMAGIC_API_URL.replace(/\/+$/, ''),
      timeoutMs: e.TEXTMAGIC_TIMEOUT_MS,
    },
    inlineWorkBudgetMs: e.INLINE_WORK_BUDGET_MS,
    keys: {
      leadApiKey: e.LEAD_API_KEY ?? (local ? LOCAL_DEV_KEYS.leadApiKey : undefined),
      adminApiKey: e.ADMIN_API_KEY ?? (local ? LOCAL_DEV_KEYS.adminApiKey : undefined),
      inboundSmsToken: e.INBOUND_SMS_TOKEN ?? (local ? LOCAL_DEV_KEYS.inboundSmsToken : undefined),
    },
    local,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    defaultCountry: e.DEFAULT_COUNTRY as CountryCode,
    leadPriceCents: e.LEAD_PRICE_CENTS,
    leadMaxUnlocks: e.LEAD_MAX_UNLOCKS,
    leadMaxOffers: e.LEAD_MAX_OFFERS,
    leadTtlHours: e.LEAD_TTL_HOURS,
    currency: e.CURRENCY,
  };
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
