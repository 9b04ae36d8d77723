ALTER TABLE "lead_funnels" ADD COLUMN "saved_card_unlocks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unlocks" ADD COLUMN "paid_with" text DEFAULT 'checkout' NOT NULL;--> statement-breakpoint
ALTER TABLE "unlocks" ADD CONSTRAINT "unlocks_paid_with" CHECK ("unlocks"."paid_with" in ('checkout', 'saved_card'));--> statement-breakpoint
-- Written by hand: unlocks of a saved card's charge, stored before this column, carry the
-- PaymentIntent's id where a Checkout Session's goes; lead_funnels counts them apart, so that
-- GET /stats's checkout-to-paid counts only payments that went through a Checkout.
UPDATE "unlocks" SET "paid_with" = 'saved_card' WHERE "checkout_session_id" LIKE 'pi\_%';
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lead_funnels_on_unlock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE lead_funnels SET paid_unlocks = paid_unlocks - 1,
      saved_card_unlocks = saved_card_unlocks - (OLD.paid_with = 'saved_card')::int,
      refunds = refunds - (OLD.refunded_at IS NOT NULL)::int,
      gross_cents = gross_cents - OLD.amount_cents,
      refunded_cents = refunded_cents - CASE WHEN OLD.refunded_at IS NOT NULL THEN OLD.amount_cents ELSE 0 END
    WHERE lead_id = OLD.lead_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE lead_funnels SET paid_unlocks = paid_unlocks + 1,
      saved_card_unlocks = saved_card_unlocks + (NEW.paid_with = 'saved_card')::int,
      refunds = refunds + (NEW.refunded_at IS NOT NULL)::int,
      gross_cents = gross_cents + NEW.amount_cents,
      refunded_cents = refunded_cents + CASE WHEN NEW.refunded_at IS NOT NULL THEN NEW.amount_cents ELSE 0 END
    WHERE lead_id = NEW.lead_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER unlocks_funnel_refund ON unlocks;
--> statement-breakpoint
CREATE TRIGGER unlocks_funnel_refund AFTER UPDATE OF lead_id, amount_cents, refunded_at, paid_with ON unlocks
  FOR EACH ROW WHEN (OLD.lead_id IS DISTINCT FROM NEW.lead_id OR OLD.amount_cents <> NEW.amount_cents
    OR (OLD.refunded_at IS NULL) <> (NEW.refunded_at IS NULL) OR OLD.paid_with <> NEW.paid_with)
  EXECUTE FUNCTION lead_funnels_on_unlock();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lead_funnels_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM lead_funnels;
  INSERT INTO lead_funnels (lead_id, day, category, currency, teaser_sent_at, offers,
    yes_replies, links_opened, checkouts_created, paid_unlocks, saved_card_unlocks, refunds,
    gross_cents, refunded_cents)
  SELECT l.id, (l.created_at AT TIME ZONE 'UTC')::date, l.category, l.currency, t.sent_at,
    coalesce(o.offers, 0), coalesce(o.yes, 0), coalesce(o.opened, 0), coalesce(o.checkouts, 0),
    coalesce(u.paid, 0), coalesce(u.by_card, 0), coalesce(u.refunds, 0), coalesce(u.gross, 0),
    coalesce(u.refunded, 0)
  FROM leads l
  LEFT JOIN (
    SELECT lead_id, min(sent_at) AS sent_at FROM sms_messages
    WHERE kind = 'teaser' AND resend_of IS NULL AND status = 'sent' GROUP BY lead_id
  ) t ON t.lead_id = l.id
  LEFT JOIN (
    SELECT lead_id, count(*) AS offers, count(accepted_at) AS yes, count(link_opened_at) AS opened,
      count(checkout_created_at) AS checkouts
    FROM offers GROUP BY lead_id
  ) o ON o.lead_id = l.id
  LEFT JOIN (
    SELECT lead_id, count(*) AS paid, count(*) FILTER (WHERE paid_with = 'saved_card') AS by_card,
      count(refunded_at) AS refunds, sum(amount_cents) AS gross,
      sum(amount_cents) FILTER (WHERE refunded_at IS NOT NULL) AS refunded
    FROM unlocks GROUP BY lead_id
  ) u ON u.lead_id = l.id;
  UPDATE unlocks u SET lead_day = f.day, lead_category = f.category,
    teaser_seconds = extract(epoch FROM u.created_at - f.teaser_sent_at)
  FROM lead_funnels f WHERE f.lead_id = u.lead_id;
$$;
--> statement-breakpoint
SELECT lead_funnels_rebuild();
