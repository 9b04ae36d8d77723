import { desc, eq, sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { leads, providers, unlocks } from '../db/schema';
import { notFound } from '../errors';
import { providerView } from './providers';
import { budgetStatus } from '../purchases/budget';
import { teaserWindow } from '../leads/quiet-hours';

/** Purchases listed on the provider's page, newest first. */
const PURCHASES_LISTED = 50;

type Counts = {
  teasers_received: number;
  yes_replies: number;
  purchases: number;
  refunds: number;
  spend: Record<string, number> | null;
  median_reply_seconds: number | null;
  last_activity_at: string | Date | null;
};

/**
 * `GET /providers/{id}`: the provider as `GET /providers` shows it, with what they did:
 * teasers received (offers whose lead's teaser was sent), YES replies (offers accepted), the
 * median time from teaser to YES, purchases and refunds, spend net of refunds per currency,
 * the last time anything happened (an offer, a reply, a purchase), its budgets with this week's
 * spend and today's purchases in its time zone (whether it is at a cap), its teaser hours (whether
 * it is within them now, when a new lead's teaser would go), and the newest purchases.
 */
export async function providerDetail(db: Database, id: string) {
  const [provider] = await db.select().from(providers).where(eq(providers.id, id));
  if (!provider) throw notFound('No provider with this id');
  const [countRows, purchaseRows, budget, teaserHours] = await Promise.all([
    rows<Counts>(
      db,
      'provider_counts',
      sql`
        with o as (select * from offers where provider_id = ${id}),
          u as (select * from unlocks where provider_id = ${id})
        select
          (select count(*)::int from o
            where exists (select from sms_messages s
              -- A teaser of the lead sent to them: at once, or at the start of their teaser hours
              -- (lib/leads/create-lead.ts), in their language.
              where s.lead_id = o.lead_id and s.kind = 'teaser' and s.resend_of is null
                and s.status = 'sent' and ${provider.phone}::text = any(s.recipients))) as teasers_received,
          (select count(*)::int from o where accepted_at is not null) as yes_replies,
          -- From their teaser (held for their teaser hours, or the offer's creation) to the YES.
          (select percentile_cont(0.5) within group
              (order by extract(epoch from accepted_at - coalesce(teaser_at, created_at)))
            from o where accepted_at is not null) as median_reply_seconds,
          (select count(*)::int from u) as purchases,
          (select count(*)::int from u where refunded_at is not null) as refunds,
          (select json_object_agg(currency, net) from (
            select currency, coalesce(sum(amount_cents) filter (where refunded_at is null), 0)::int8 as net
            from u group by currency) s) as spend,
          greatest(
            (select max(greatest(created_at, accepted_at, link_opened_at, checkout_created_at)) from o),
            (select max(created_at) from inbound_sms where provider_id = ${id}),
            (select max(created_at) from u)) as last_activity_at`,
    ),
    db
      .select({ unlock: unlocks, code: leads.code, category: leads.category, zipCode: leads.zipCode })
      .from(unlocks)
      .innerJoin(leads, eq(leads.id, unlocks.leadId))
      .where(eq(unlocks.providerId, id))
      .orderBy(desc(unlocks.createdAt), desc(unlocks.id))
      .limit(PURCHASES_LISTED),
    budgetStatus(db, id),
    teaserWindow(db, id),
  ]);
  const c = countRows[0]!;
  const lastActivity = c.last_activity_at === null ? null : new Date(c.last_activity_at).toISOString();
  return {
    provider: providerView(provider),
    stats: {
      teasersReceived: c.teasers_received,
      yesReplies: c.yes_replies,
      purchases: c.purchases,
      spend: Object.fromEntries(Object.entries(c.spend ?? {}).map(([cur, cents]) => [cur, Number(cents)])),
      refunds: c.refunds,
      responseRate: c.teasers_received > 0 ? c.yes_replies / c.teasers_received : null,
      medianReplySeconds: c.median_reply_seconds === null ? null : Number(c.median_reply_seconds),
      lastActivityAt: lastActivity,
    },
    budget: budget!,
    teaserHours: teaserHours!,
    purchases: purchaseRows.map(({ unlock: u, code, category, zipCode }) => ({
      unlockId: u.id,
      leadId: u.leadId,
      code,
      category,
      zipCode,
      amountCents: u.amountCents,
      currency: u.currency,
      refunded: u.refundedAt !== null,
      createdAt: u.createdAt.toISOString(),
    })),
  };
}

/** `GET /providers/{id}`'s answer. */
export type ProviderDetail = Awaited<ReturnType<typeof providerDetail>>;
