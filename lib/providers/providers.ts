import { asc, eq, sql } from 'drizzle-orm';
import { transaction, type Database } from '../db/client';
import { providers, smsMessages, type Provider } from '../db/schema';
import { sendClaimedNow } from '../messaging/outbox';
import { insertClaimed } from '../queue/work-queue';
import { templates } from '../sms/templates';
import { badRequest, conflict, notFound } from '../errors';
import { postgresZoneName } from '../purchases/budget';
import { providerTeaserHours, teaserHoursColumns } from '../leads/quiet-hours';
import type { ProviderInput, ProviderPatch } from './provider-input';
import { categoryIndex, listCategories, resolveCategoryList } from '../catalogue/categories';

/** A provider's categories as the catalogue's slugs (by slug or synonym); a 400 naming unknown ones. */
async function catalogueSlugs(db: Database, names: string[]): Promise<string[]> {
  return resolveCategoryList(categoryIndex(await listCategories(db)), names, 'categories');
}

/** A provider as the admin API shows it. */
export function providerView(p: Provider) {
  return {
    id: p.id,
    name: p.name,
    phone: p.phone,
    email: p.email,
    categories: p.categories,
    zipCodes: p.zipCodes,
    active: p.active,
    optedOut: p.optedOut,
    /** Budgets (lib/purchases/budget.ts): null is no cap; a null zone takes DEFAULT_TIME_ZONE. */
    weeklySpendCapCents: p.weeklySpendCapCents,
    dailyLeadCap: p.dailyLeadCap,
    timeZone: p.timeZone,
    /** Local hours they get teasers in (`08:00-21:00`); null takes TEASER_HOURS. */
    teaserHours: providerTeaserHours(p),
    /** A card saved at Stripe by their first Checkout (its id is not shown). */
    savedCard: p.savedPaymentMethodId !== null,
    autoPay: p.autoPay,
    /** Their consent record: when and how they opted in, when they last opted out and in which words. */
    consent: {
      optedInAt: p.optedInAt.toISOString(),
      source: p.optInSource,
      optedOutAt: p.optedOutAt?.toISOString() ?? null,
      optOutText: p.optOutText,
    },
    /** The language of their SMS: `en` or `es`. */
    language: p.language,
    lastOfferedAt: p.lastOfferedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
export type ProviderView = ReturnType<typeof providerView>;

/**
 * A zone as Postgres spells it, refused when Postgres does not know it (the API's check uses the
 * runtime's zone database, which may differ): else every lead matched to the provider would fail.
 */
async function zoneName<T extends string | null | undefined>(db: Database, timeZone: T): Promise<T> {
  if (!timeZone) return timeZone;
  const name = await postgresZoneName(db, timeZone);
  if (name) return name as T;
  throw badRequest('validation_failed', 'Invalid fields: timeZone', [
    { field: 'timeZone', message: 'is not a time zone the database knows' },
  ]);
}

/**
 * Adds a provider, and their opt-in confirmation (carriers' HELP elements, lib/sms/templates.ts)
 * in the same transaction, sent at once after commit: once (`opt-in:<provider>`), and before any
 * teaser, since create-lead matches no provider whose confirmation has not gone out.
 */
export async function createProvider(
  db: Database,
  input: ProviderInput,
  source: 'console' | 'api',
): Promise<ProviderView> {
  const { teaserHours, ...rest } = input;
  const values = {
    ...rest,
    categories: await catalogueSlugs(db, input.categories),
    optInSource: source,
    timeZone: await zoneName(db, input.timeZone),
    ...(teaserHours !== undefined && teaserHoursColumns(teaserHours)),
  };
  const { row, confirmation } = await transaction(async (tx) => {
    const [row] = await tx.insert(providers).values(values).onConflictDoNothing().returning();
    if (!row) throw conflict('phone_taken', 'A provider with this phone number already exists');
    const confirmation = await insertClaimed(tx, smsMessages, [
      {
        kind: 'opted_in',
        recipients: [row.phone],
        body: templates(row.language).optedInSms(),
        dedupeKey: optInKey(row.id),
        providerId: row.id,
      },
    ]);
    return { row, confirmation };
  });
  await sendClaimedNow(db, confirmation);
  return providerView(row);
}

/** The dedupe key of a new provider's opt-in confirmation (create-lead waits for it to be sent). */
export const optInKey = (providerId: string) => `opt-in:${providerId}`;

export async function listProviders(db: Database): Promise<ProviderView[]> {
  const rows = await db.select().from(providers).orderBy(asc(providers.createdAt), asc(providers.id));
  return rows.map(providerView);
}

export async function updateProvider(db: Database, id: string, patch: ProviderPatch): Promise<ProviderView> {
  const { teaserHours, ...rest } = patch;
  const timeZone = await zoneName(db, patch.timeZone);
  const [row] = await db
    .update(providers)
    .set({
      ...rest,
      ...(patch.categories && { categories: await catalogueSlugs(db, patch.categories) }),
      timeZone,
      ...(teaserHours !== undefined && teaserHoursColumns(teaserHours)),
      updatedAt: sql`now()`,
    })
    .where(eq(providers.id, id))
    .returning();
  if (!row) throw notFound('No provider with this id');
  return providerView(row);
}
