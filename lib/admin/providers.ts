import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { providers, type Provider } from '../db/schema';
import { conflict, notFound } from '../errors';
import type { ProviderInput, ProviderPatch } from '../validation';

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
    /** A card saved at Stripe by their first Checkout (its id is not shown). */
    savedCard: p.savedPaymentMethodId !== null,
    autoPay: p.autoPay,
    lastOfferedAt: p.lastOfferedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
export type ProviderView = ReturnType<typeof providerView>;

export async function createProvider(db: Database, input: ProviderInput): Promise<ProviderView> {
  const [row] = await db.insert(providers).values(input).onConflictDoNothing().returning();
  if (!row) throw conflict('phone_taken', 'A provider with this phone number already exists');
  return providerView(row);
}

export async function listProviders(db: Database): Promise<ProviderView[]> {
  const rows = await db.select().from(providers).orderBy(asc(providers.createdAt), asc(providers.id));
  return rows.map(providerView);
}

export async function updateProvider(db: Database, id: string, patch: ProviderPatch): Promise<ProviderView> {
  const [row] = await db
    .update(providers)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(providers.id, id))
    .returning();
  if (!row) throw notFound('No provider with this id');
  return providerView(row);
}
