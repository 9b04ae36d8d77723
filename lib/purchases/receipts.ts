import { sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';

/**
 * Stripe's receipt link of each payment, for the portal's Spending (lib/portal/spending.ts): the
 * Charge's `receipt_url`, "kept up-to-date to the latest state of the charge, including any
 * refunds" (docs.stripe.com/api/charges/object#charge_object-receipt_url). Neither a Checkout
 * Session nor a PaymentIntent carries it (only the id of its `latest_charge`), but the Charge
 * comes whole in `charge.succeeded`, sent for a Checkout's payment and an off-session one alike,
 * and again in `charge.refunded`: stored by PaymentIntent from either, with no Stripe call and
 * nothing added to the paid webhook. Stripe does not order events, so it is kept apart from the
 * unlock, which may not exist yet (payment_receipts, drizzle/0025).
 */
export async function recordReceipt(
  q: Queryable,
  charge: { payment_intent?: unknown; receipt_url?: unknown },
): Promise<boolean> {
  const pi = charge.payment_intent;
  const paymentIntentId = typeof pi === 'string' ? pi : (pi as { id?: unknown } | null)?.id;
  const url = charge.receipt_url;
  if (typeof paymentIntentId !== 'string' || typeof url !== 'string' || !/^https?:\/\//.test(url))
    return false;
  await rows(
    q,
    'record_receipt',
    sql`insert into payment_receipts (payment_intent_id, receipt_url) values (${paymentIntentId}, ${url})
      on conflict (payment_intent_id) do update set receipt_url = excluded.receipt_url`,
  );
  return true;
}
