/**
 * What an accepted (2xx) request must have stored, worked out from the bytes sent and the
 * normalisation the API documents (trimmed text, E.164 phones, categories lower-case and zip
 * codes upper-case with single spaces, lists without repeats, NUL dropped from TextMagic's free
 * text), never from our own validation code: a validator that let garbage through would
 * otherwise agree with itself.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { expect } from 'vitest';
import type { EventInput } from '../../emulators/events';
import type { TestApp } from './app';
import { parseTeaserHours } from '../../lib/config';

// The parsed body is whatever the sender made it: fields are read as the handler reads them.
type Fields = Record<string, any>;

/** The body as the handler got it (API Gateway's bytes), decoded by its media type. */
export async function sentFields(input: EventInput): Promise<Fields> {
  const body = input.body ?? '';
  // A REST (v1) event carries the body as a string; an HTTP API (v2) event the exact bytes.
  const raw =
    input.version === 'v2'
      ? Buffer.from(body)
      : Buffer.from(Buffer.isBuffer(body) ? body.toString('utf8') : body, 'utf8');
  const contentType = input.headers?.['content-type'] ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    return Object.fromEntries([...form].filter(([, v]) => typeof v === 'string'));
  }
  return JSON.parse(raw.toString('utf8'));
}

/**
 * Text as Postgres gets it: a lone UTF-16 surrogate (JSON can escape one, `"\ud800"`) has no
 * UTF-8 form and arrives as U+FFFD, as any UTF-8 encoder sends it.
 */
export const utf8 = (s: string) => s.replace(/\p{Cs}/gu, '\uFFFD');
const trimmed = (s: string) => utf8(s.trim());
const squash = (s: string) => s.trim().replace(/\s+/g, ' ');
const category = (s: string) => squash(s).toLowerCase();
// US ZIP codes (the tests' DEFAULT_COUNTRY): a ZIP+4 is kept as its five digits.
const zip = (s: string) => /^\s*(\d{5})(-?\d{4})?\s*$/.exec(s)?.[1] ?? squash(s).toUpperCase();
/** POST /leads `source` as stored: its fields trimmed, the empty ones left out; null when none is left. */
function source(sent: unknown): Record<string, string> | null {
  if (sent == null) return null;
  const kept = Object.entries(sent as Record<string, unknown>).flatMap(([k, v]) =>
    typeof v === 'string' && v.trim() ? [[k, trimmed(v)]] : [],
  );
  return kept.length ? Object.fromEntries(kept) : null;
}
const optionalText = (v: string | null | undefined) => (v == null ? null : trimmed(v) || null);
// Repeats are dropped as sent (before encoding), the order of first appearance kept.
const unique = (items: string[]) => [...new Set(items)].map(utf8);

/** A phone as a person wrote it, in E.164 (DEFAULT_COUNTRY is US in the tests). */
function e164(written: string): string {
  const parsed = parsePhoneNumberFromString(written.trim(), 'US');
  expect(parsed?.isValid(), `stored a phone from "${written}", which is no valid number`).toBe(true);
  return parsed!.number;
}

/** TextMagic's free text as stored: as sent, less NUL (Postgres text cannot hold it). */
const lessNul = (s: string) => utf8(s.replaceAll('\u0000', ''));

/** A JSON value as jsonb keeps it: strings (and keys) less NUL, nesting cut at 16 levels. */
function jsonLessNul(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return lessNul(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 16) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((v) => jsonLessNul(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [lessNul(k), jsonLessNul(v, depth + 1)]));
}

/**
 * Text fields within the documented limits (in characters: code points, so an emoji is one) and
 * free of NUL: what the validator must refuse is not there.
 */
function expectWithin(row: Record<string, unknown>, limits: Record<string, [number, number]>) {
  for (const [field, [min, max]] of Object.entries(limits)) {
    const values = ([] as unknown[]).concat(row[field] ?? []);
    for (const v of values) {
      expect(typeof v, field).toBe('string');
      const characters = [...(v as string)].length;
      expect(characters, `${field}: ${String(v).slice(0, 80)}`).toBeGreaterThanOrEqual(min);
      expect(characters, field).toBeLessThanOrEqual(max);
      expect(v as string, field).not.toContain('\u0000');
    }
  }
}

const LEAD_COLUMNS = `name, phone, email, category, zip_code, city, description, budget, price_cents,
  max_unlocks, currency, source`;

/** A lead accepted by POST /leads (created, or replayed for its Idempotency-Key) is the one sent. */
export async function expectLeadAsSent(app: TestApp, id: string, sent: Fields): Promise<Fields> {
  const [row] = await app.db.query(`select ${LEAD_COLUMNS} from leads where id = $1`, [id]);
  expect(row).toEqual({
    name: trimmed(sent.name),
    phone: e164(sent.phone),
    email: sent.email ?? null,
    category: utf8(category(sent.category)),
    zip_code: utf8(zip(sent.zipCode)),
    city: optionalText(sent.city),
    description: trimmed(sent.description),
    budget: optionalText(sent.budget),
    // The documented defaults: LEAD_PRICE_CENTS 1500, LEAD_MAX_UNLOCKS 3, CURRENCY usd.
    price_cents: sent.priceCents ?? 1500,
    max_unlocks: sent.maxUnlocks ?? 3,
    currency: 'usd',
    source: source(sent.source),
  });
  expectWithin(row!, {
    name: [1, 200],
    category: [1, 100],
    zip_code: [1, 20],
    city: [1, 100],
    description: [1, 2000],
    budget: [1, 100],
    email: [3, 254],
  });
  expect(row!.price_cents).toBeGreaterThanOrEqual(50);
  expect(row!.price_cents).toBeLessThanOrEqual(1_000_000);
  expect(row!.max_unlocks).toBeGreaterThanOrEqual(1);
  expect(row!.max_unlocks).toBeLessThanOrEqual(50);
  return row!;
}

const PROVIDER_COLUMNS =
  'id, name, phone, email, categories, zip_codes, active, weekly_spend_cap_cents, daily_lead_cap, time_zone, teaser_hours_start, teaser_hours_end';

/** A time zone as sent: trimmed (only names the zone database knows, spelt as it does, get through). */
const zoneSent = (v: unknown) => (v == null ? null : String(v).trim());
/** Teaser hours as sent (`HH:MM-HH:MM`, trimmed), as the minutes stored; null clears them. */
const hoursSent = (v: unknown) => {
  const h = v == null ? undefined : parseTeaserHours(String(v));
  return { teaser_hours_start: h?.start ?? null, teaser_hours_end: h?.end ?? null };
};

export async function providerRow(app: TestApp, id: string): Promise<Record<string, any> | undefined> {
  const [row] = await app.db.query(`select ${PROVIDER_COLUMNS} from providers where id = $1`, [id]);
  return row;
}

const PROVIDER_LIMITS: Record<string, [number, number]> = {
  name: [1, 200],
  email: [3, 254],
  categories: [1, 100],
  zip_codes: [1, 20],
};

/** A provider created by POST /providers is the one sent. */
export async function expectProviderAsSent(app: TestApp, id: string, sent: Fields): Promise<void> {
  const row = await providerRow(app, id);
  expect(row).toEqual({
    id,
    name: trimmed(sent.name),
    phone: e164(sent.phone),
    email: sent.email ?? null,
    categories: unique(sent.categories.map(category)),
    zip_codes: unique(sent.zipCodes.map(zip)),
    active: sent.active ?? true,
    weekly_spend_cap_cents: sent.weeklySpendCapCents ?? null,
    daily_lead_cap: sent.dailyLeadCap ?? null,
    time_zone: zoneSent(sent.timeZone),
    ...hoursSent(sent.teaserHours),
  });
  expectWithin(row!, PROVIDER_LIMITS);
}

/** PATCH /providers/{id} changed what it named, as sent, and nothing else. */
export async function expectPatchApplied(
  app: TestApp,
  prior: Record<string, any>,
  sent: Fields,
): Promise<void> {
  const row = await providerRow(app, prior.id);
  expect(row).toEqual({
    ...prior,
    ...(sent.name !== undefined && { name: trimmed(sent.name) }),
    ...(sent.active !== undefined && { active: sent.active }),
    ...(sent.categories !== undefined && { categories: unique(sent.categories.map(category)) }),
    ...(sent.zipCodes !== undefined && { zip_codes: unique(sent.zipCodes.map(zip)) }),
    ...(sent.weeklySpendCapCents !== undefined && { weekly_spend_cap_cents: sent.weeklySpendCapCents }),
    ...(sent.dailyLeadCap !== undefined && { daily_lead_cap: sent.dailyLeadCap }),
    ...(sent.timeZone !== undefined && { time_zone: zoneSent(sent.timeZone) }),
    ...(sent.teaserHours !== undefined && hoursSent(sent.teaserHours)),
  });
  expectWithin(row!, PROVIDER_LIMITS);
  expect(row!.categories.length).toBeLessThanOrEqual(500);
  expect(row!.zip_codes.length).toBeLessThanOrEqual(500);
}

/** TextMagic's ids: a string is trimmed, a number written in decimal. */
const textMagicId = (v: unknown) => (typeof v === 'string' ? v.trim() : String(v));

/**
 * An inbound SMS answered 200 is stored as TextMagic sent it, less NUL; a repeated TextMagic id
 * stores nothing new.
 */
export async function expectInboundAsSent(
  app: TestApp,
  outcome: string,
  sent: Fields,
  before: Record<string, number>,
  after: Record<string, number>,
): Promise<void> {
  const [row] = await app.db.query(
    'select sender, receiver, text, message_time, outcome from inbound_sms where id = $1',
    [textMagicId(sent.id)],
  );
  expect(row, `no inbound_sms row for id ${String(sent.id)}`).toBeDefined();
  if (outcome === 'duplicate') {
    expect(after).toEqual(before);
    return;
  }
  expect(after.inbound_sms).toBe(before.inbound_sms! + 1);
  expect(row).toEqual({
    sender: `+${String(sent.sender).replace(/^\+/, '')}`,
    receiver: sent.receiver === undefined ? null : lessNul(String(sent.receiver)),
    text: lessNul(sent.text ?? ''),
    message_time: sent.messageTime === undefined ? null : lessNul(sent.messageTime),
    outcome,
  });
}

/** A delivery report answered 200 is stored: its status trimmed, every field as sent less NUL. */
export async function expectReportAsSent(app: TestApp, sent: Fields): Promise<void> {
  const [row] = await app.db.query<{ status: string; receiver: string | null; payload: unknown }>(
    'select status, receiver, payload from sms_delivery_reports where message_id = $1',
    [textMagicId(sent.id)],
  );
  expect(row, `no report stored for id ${String(sent.id)}`).toBeDefined();
  expect(row!.status).toBe(trimmed(sent.status));
  // Less the `text` TextMagic may repeat: the message's body, kept once on its own row.
  const { text: _text, ...reported } = sent;
  expect(row!.payload).toEqual(jsonLessNul(reported));
  // Only a phone number's characters are kept of the receiver, every digit sent among them; an
  // empty one keeps what an earlier report on this message said.
  expect(row!.receiver ?? '').toMatch(/^[+\d]*$/);
  const receiver = sent.receiver === undefined ? '' : String(sent.receiver);
  const digits = (v: string | null) => (v ?? '').replace(/\D/g, '');
  if (receiver !== '') expect(digits(row!.receiver)).toBe(digits(receiver));
}
