import { sql } from 'drizzle-orm';
import * as z from 'zod/mini';
import { rows, type Database } from '../db/client';
import { notFound } from '../errors';
import { encodeCursor } from '../http/cursor';
import { cursorParam, pageLimit } from '../http/fields';
import { lazy } from '../lazy';
import { budgetStatus } from '../purchases/budget';
import { config } from '../config';

/** Entries per page unless `limit` says otherwise. */
const DEFAULT_PAGE = 50;

/** An entry's key in the cursor: `p:` a payment, `r:` its refund, and the unlock's id. */
const ENTRY_KEY = /^[pr]:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `GET /portal/api/spending?cursor=&limit=`. */
export const spendingQuery = lazy(() => z.object({ cursor: cursorParam(ENTRY_KEY), limit: pageLimit() }));
export type SpendingQuery = z.output<ReturnType<typeof spendingQuery>>;

type Row = {
  type: 'payment' | 'refund';
  amount_cents: number;
  currency: string;
  at: string | Date;
  lead_code: string;
  receipt_url: string | null;
  paid_with: 'checkout' | 'saved_card';
  micros: string;
  key: string;
};

/**
 * The portal's Spending: this week's spend (net of refunds) against the weekly cap and today's
 * leads against the daily cap, in the budget's own periods and SQL (lib/purchases/budget.ts
 * `budgetStatus`: what the YES path checks), and their payments and refunds, newest first, each
 * with Stripe's receipt link (the Charge's, which Stripe keeps up to date with its refund; null
 * until Stripe's `charge.succeeded` came, lib/purchases/receipts.ts), a page at a time.
 */
export async function portalSpending(db: Database, providerId: string, q: SpendingQuery) {
  const limit = q.limit ?? DEFAULT_PAGE;
  const [budget, found] = await Promise.all([
    budgetStatus(db, providerId),
    rows<Row>(
      db,
      'portal_spending',
      sql`
        select *, (extract(epoch from at) * 1000000)::int8 as micros from (
          select 'payment' as type, u.amount_cents, u.currency, u.created_at as at, l.code as lead_code,
            r.receipt_url, u.paid_with, 'p:' || u.id as key
          from unlocks u join leads l on l.id = u.lead_id
            left join payment_receipts r on r.payment_intent_id = u.payment_intent_id
          where u.provider_id = ${providerId}
          union all
          select 'refund', u.amount_cents, u.currency, u.refunded_at, l.code, r.receipt_url, u.paid_with,
            'r:' || u.id
          from unlocks u join leads l on l.id = u.lead_id
            left join payment_receipts r on r.payment_intent_id = u.payment_intent_id
          where u.provider_id = ${providerId} and u.refunded_at is not null
        ) t
        ${q.cursor ? sql`where ((extract(epoch from t.at) * 1000000)::int8, t.key) < (${q.cursor.micros}::int8, ${q.cursor.id}::text)` : sql``}
        -- A refund at the same microsecond as its payment ('r' after 'p') lists first, as it came later.
        order by micros desc, key desc
        limit ${limit + 1}`,
    ),
  ]);
  if (!budget) throw notFound('No such provider');
  const currency = config().currency;
  const money = (cents: number | null) => (cents === null ? null : { cents, currency });
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    timeZone: budget.timeZone,
    week: {
      startedAt: budget.weekStartedAt,
      spent: money(budget.weekSpentCents)!,
      cap: money(budget.weeklySpendCapCents),
      atCap: budget.atWeeklyCap,
    },
    today: {
      startedAt: budget.dayStartedAt,
      leads: budget.todayPurchases,
      cap: budget.dailyLeadCap,
      atCap: budget.atDailyCap,
    },
    entries: page.map((e) => ({
      type: e.type,
      amount: { cents: e.amount_cents, currency: e.currency },
      at: new Date(e.at).toISOString(),
      leadCode: e.lead_code,
      /** `checkout` (a pay link) or `saved_card`. */
      paidWith: e.paid_with,
      receiptUrl: e.receipt_url,
    })),
    nextCursor: found.length > limit && last ? encodeCursor({ micros: last.micros, id: last.key }) : null,
  };
}
