import { createHash } from 'node:crypto';
import { count, eq, sql } from 'drizzle-orm';
import { config } from '../config';
import { rows, type Database, type Tx } from '../db/client';
import { leads, offers, type Lead } from '../db/schema';
import { conflict } from '../errors';
import { teaserSms } from '../sms/templates';
import type { LeadInput } from '../validation';
import { leadCode, payToken } from './codes';
import { sendNow } from './outbox';
import { releaseStaleCodes } from './release-codes';

export type CreatedLead = { lead: Lead; offeredTo: number; created: boolean };

/** Same validated body, same hash: key order and spacing do not make a retry a new request. */
export function requestHash(input: LeadInput): string {
  const sorted = Object.fromEntries(Object.entries(input).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

async function replay(db: Database | Tx, key: string, hash: string): Promise<CreatedLead | undefined> {
  const [existing] = await db.select().from(leads).where(eq(leads.idempotencyKey, key)).limit(1);
  if (!existing) return undefined;
  if (existing.requestHash !== hash) {
    throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
  }
  const [offered] = await db.select({ n: count() }).from(offers).where(eq(offers.leadId, existing.id));
  return { lead: existing, offeredTo: offered?.n ?? 0, created: false };
}

class Replayed {
  constructor(readonly result: CreatedLead) {}
}

/**
 * Stores the lead, matches providers (active, not opted out, category and zip code theirs,
 * least recently offered first, at most LEAD_MAX_OFFERS), writes their offers and one teaser
 * to all of them in one transaction, then sends it.
 */
export async function createLead(
  db: Database,
  input: LeadInput,
  idempotencyKey?: string,
): Promise<CreatedLead> {
  const cfg = config();
  const hash = requestHash(input);
  if (idempotencyKey) {
    const earlier = await replay(db, idempotencyKey, hash);
    if (earlier) return earlier;
  }
  const priceCents = input.priceCents ?? cfg.leadPriceCents;
  const maxUnlocks = input.maxUnlocks ?? cfg.leadMaxUnlocks;

  try {
    const { lead, smsIds, offeredTo } = await db.transaction(async (tx) => {
      let lead: Lead | undefined;
      for (let attempt = 0; !lead; attempt++) {
        if (attempt >= 10) throw new Error('could not find a free lead code');
        const code = leadCode(attempt);
        [lead] = await tx
          .insert(leads)
          .values({
            code,
            name: input.name,
            phone: input.phone,
            email: input.email,
            category: input.category,
            zipCode: input.zipCode,
            city: input.city,
            description: input.description,
            budget: input.budget,
            priceCents,
            currency: cfg.currency,
            maxUnlocks,
            expiresAt: sql`now() + make_interval(hours => ${cfg.leadTtlHours})`,
            idempotencyKey: idempotencyKey ?? null,
            requestHash: hash,
          })
          .onConflictDoNothing()
          .returning();
        if (lead) break;
        // Nothing inserted: either a concurrent request with our key won, or the code is taken.
        if (idempotencyKey) {
          const earlier = await replay(tx, idempotencyKey, hash);
          if (earlier) throw new Replayed(earlier);
        }
        await releaseStaleCodes(tx, code);
      }

      const teaser = teaserSms({ ...lead, currency: lead.currency });
      const tokens = Array.from({ length: cfg.leadMaxOffers }, payToken);
      // Matching, offers, fairness bookkeeping and the one teaser, in a single statement.
      const [result] = await rows<{ sms_id: number | null; offered: number }>(
        tx,
        sql`
          with candidates as (
            select id, phone, last_offered_at, random() as tie
            from providers
            where active and not opted_out
              and ${lead.category} = any(categories) and ${lead.zipCode} = any(zip_codes)
          ),
          matched as (
            -- Least recently offered first; ties (everyone offered the same lead) by lot.
            select id, phone, row_number() over (order by last_offered_at asc nulls first, tie) as n
            from candidates
            order by last_offered_at asc nulls first, tie
            limit ${cfg.leadMaxOffers}
          ),
          tokens as (
            select t, n from unnest(array[${sql.join(
              tokens.map((t) => sql`${t}`),
              sql`, `,
            )}]::text[]) with ordinality as x(t, n)
          ),
          offered as (
            insert into offers (lead_id, provider_id, pay_token)
            select ${lead.id}, m.id, tokens.t from matched m join tokens using (n)
            returning provider_id
          ),
          touched as (
            update providers p set last_offered_at = now() from matched m where p.id = m.id
          ),
          teaser as (
            insert into sms_messages (kind, recipients, body, dedupe_key, lead_id)
            select 'teaser', array_agg(phone order by n), ${teaser}, ${`teaser:${lead.id}`}, ${lead.id}
            from matched having count(*) > 0
            returning id
          )
          select (select id from teaser) as sms_id, (select count(*)::int from offered) as offered
        `,
      );
      return {
        lead,
        smsIds: result?.sms_id ? [Number(result.sms_id)] : [],
        offeredTo: result?.offered ?? 0,
      };
    });
    await sendNow(db, smsIds);
    return { lead, offeredTo, created: true };
  } catch (err) {
    if (err instanceof Replayed) return err.result;
    throw err;
  }
}
