import { and, eq, lte, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { leads } from '../db/schema';

/**
 * Hands back the codes of leads that are full or expired (all, or just `code`), so a new lead
 * may take them: a code is unique only among leads that can still be bought.
 */
export async function releaseStaleCodes(q: Queryable, code?: string): Promise<void> {
  await q
    .update(leads)
    .set({ codeActive: false })
    .where(
      and(
        eq(leads.codeActive, true),
        code === undefined ? undefined : eq(leads.code, code),
        or(lte(leads.expiresAt, sql`now()`), sql`${leads.unlockCount} >= ${leads.maxUnlocks}`),
      ),
    );
}
