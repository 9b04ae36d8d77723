CREATE TABLE "lead_funnels" (
	"lead_id" uuid PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"category" text NOT NULL,
	"currency" text NOT NULL,
	"teaser_sent_at" timestamp with time zone,
	"offers" integer DEFAULT 0 NOT NULL,
	"yes_replies" integer DEFAULT 0 NOT NULL,
	"links_opened" integer DEFAULT 0 NOT NULL,
	"checkouts_created" integer DEFAULT 0 NOT NULL,
	"paid_unlocks" integer DEFAULT 0 NOT NULL,
	"refunds" integer DEFAULT 0 NOT NULL,
	"gross_cents" bigint DEFAULT 0 NOT NULL,
	"refunded_cents" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX "offers_funnel_idx";--> statement-breakpoint
DROP INDEX "sms_messages_teaser_idx";--> statement-breakpoint
ALTER TABLE "unlocks" ADD COLUMN "lead_day" date;--> statement-breakpoint
ALTER TABLE "unlocks" ADD COLUMN "lead_category" text;--> statement-breakpoint
ALTER TABLE "unlocks" ADD COLUMN "teaser_seconds" double precision;--> statement-breakpoint
ALTER TABLE "lead_funnels" ADD CONSTRAINT "lead_funnels_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lead_funnels_day_idx" ON "lead_funnels" USING btree ("day");--> statement-breakpoint
CREATE INDEX "sms_messages_lead_idx" ON "sms_messages" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "unlocks_provider_idx" ON "unlocks" USING btree ("provider_id","created_at");--> statement-breakpoint
CREATE INDEX "unlocks_funnel_idx" ON "unlocks" USING btree ("lead_day","lead_category","teaser_seconds");--> statement-breakpoint
-- Everything below is written by hand (drizzle-kit has no triggers): lead_funnels is derived data,
-- kept by the triggers on the tables it counts in the transaction of each change, never written
-- by our code. lead_funnels_rebuild() recomputes it from those tables (this migration, bulk loads).
CREATE FUNCTION lead_funnels_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM lead_funnels;
  INSERT INTO lead_funnels (lead_id, day, category, currency, teaser_sent_at, offers,
    yes_replies, links_opened, checkouts_created, paid_unlocks, refunds, gross_cents, refunded_cents)
  SELECT l.id, (l.created_at AT TIME ZONE 'UTC')::date, l.category, l.currency, t.sent_at,
    coalesce(o.offers, 0), coalesce(o.yes, 0), coalesce(o.opened, 0), coalesce(o.checkouts, 0),
    coalesce(u.paid, 0), coalesce(u.refunds, 0), coalesce(u.gross, 0), coalesce(u.refunded, 0)
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
    SELECT lead_id, count(*) AS paid, count(refunded_at) AS refunds, sum(amount_cents) AS gross,
      sum(amount_cents) FILTER (WHERE refunded_at IS NOT NULL) AS refunded
    FROM unlocks GROUP BY lead_id
  ) u ON u.lead_id = l.id;
  UPDATE unlocks u SET lead_day = f.day, lead_category = f.category,
    teaser_seconds = extract(epoch FROM u.created_at - f.teaser_sent_at)
  FROM lead_funnels f WHERE f.lead_id = u.lead_id;
$$;
--> statement-breakpoint
SELECT lead_funnels_rebuild();
--> statement-breakpoint
CREATE FUNCTION lead_funnels_on_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lead_funnels (lead_id, day, category, currency)
  VALUES (NEW.id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.category, NEW.currency)
  ON CONFLICT (lead_id) DO UPDATE
    SET day = excluded.day, category = excluded.category, currency = excluded.currency;
  IF TG_OP = 'UPDATE' THEN
    UPDATE unlocks SET lead_day = (NEW.created_at AT TIME ZONE 'UTC')::date, lead_category = NEW.category
    WHERE lead_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER leads_funnel AFTER INSERT OR UPDATE OF created_at, category, currency ON leads
  FOR EACH ROW EXECUTE FUNCTION lead_funnels_on_lead();
--> statement-breakpoint
-- An offer's steps as counts: +1 for each step it has now, -1 for each it had before.
CREATE FUNCTION lead_funnels_on_offer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE lead_funnels SET offers = offers - 1,
      yes_replies = yes_replies - (OLD.accepted_at IS NOT NULL)::int,
      links_opened = links_opened - (OLD.link_opened_at IS NOT NULL)::int,
      checkouts_created = checkouts_created - (OLD.checkout_created_at IS NOT NULL)::int
    WHERE lead_id = OLD.lead_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE lead_funnels SET offers = offers + 1,
      yes_replies = yes_replies + (NEW.accepted_at IS NOT NULL)::int,
      links_opened = links_opened + (NEW.link_opened_at IS NOT NULL)::int,
      checkouts_created = checkouts_created + (NEW.checkout_created_at IS NOT NULL)::int
    WHERE lead_id = NEW.lead_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER offers_funnel AFTER INSERT OR DELETE ON offers
  FOR EACH ROW EXECUTE FUNCTION lead_funnels_on_offer();
--> statement-breakpoint
-- Only when a step appears or goes: other updates of an offer (its status, its session) cost nothing.
CREATE TRIGGER offers_funnel_steps AFTER UPDATE OF lead_id, accepted_at, link_opened_at, checkout_created_at ON offers
  FOR EACH ROW WHEN (OLD.lead_id IS DISTINCT FROM NEW.lead_id
    OR (OLD.accepted_at IS NULL) <> (NEW.accepted_at IS NULL)
    OR (OLD.link_opened_at IS NULL) <> (NEW.link_opened_at IS NULL)
    OR (OLD.checkout_created_at IS NULL) <> (NEW.checkout_created_at IS NULL))
  EXECUTE FUNCTION lead_funnels_on_offer();
--> statement-breakpoint
-- The lead's teaser: when the first of its teaser messages (not resends; a lead may send one per
-- language) went out, recounted from the lead's messages whenever one of them changes.
CREATE FUNCTION lead_funnels_on_teaser() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sent timestamptz := (SELECT min(sent_at) FROM sms_messages
    WHERE lead_id = NEW.lead_id AND kind = 'teaser' AND resend_of IS NULL AND status = 'sent');
BEGIN
  UPDATE lead_funnels SET teaser_sent_at = sent
  WHERE lead_id = NEW.lead_id AND teaser_sent_at IS DISTINCT FROM sent;
  -- Payments come after the teaser; should its time move, theirs follow.
  IF FOUND THEN
    UPDATE unlocks SET teaser_seconds = extract(epoch FROM created_at - sent) WHERE lead_id = NEW.lead_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER sms_messages_funnel AFTER INSERT OR UPDATE OF status, sent_at ON sms_messages
  FOR EACH ROW WHEN (NEW.kind = 'teaser' AND NEW.resend_of IS NULL AND NEW.lead_id IS NOT NULL)
  EXECUTE FUNCTION lead_funnels_on_teaser();
--> statement-breakpoint
CREATE FUNCTION unlocks_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT f.day, f.category, extract(epoch FROM NEW.created_at - f.teaser_sent_at)
  INTO NEW.lead_day, NEW.lead_category, NEW.teaser_seconds
  FROM lead_funnels f WHERE f.lead_id = NEW.lead_id;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER unlocks_stamp BEFORE INSERT OR UPDATE OF lead_id, created_at ON unlocks
  FOR EACH ROW EXECUTE FUNCTION unlocks_stamp();
--> statement-breakpoint
CREATE FUNCTION lead_funnels_on_unlock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE lead_funnels SET paid_unlocks = paid_unlocks - 1,
      refunds = refunds - (OLD.refunded_at IS NOT NULL)::int,
      gross_cents = gross_cents - OLD.amount_cents,
      refunded_cents = refunded_cents - CASE WHEN OLD.refunded_at IS NOT NULL THEN OLD.amount_cents ELSE 0 END
    WHERE lead_id = OLD.lead_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE lead_funnels SET paid_unlocks = paid_unlocks + 1,
      refunds = refunds + (NEW.refunded_at IS NOT NULL)::int,
      gross_cents = gross_cents + NEW.amount_cents,
      refunded_cents = refunded_cents + CASE WHEN NEW.refunded_at IS NOT NULL THEN NEW.amount_cents ELSE 0 END
    WHERE lead_id = NEW.lead_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER unlocks_funnel AFTER INSERT OR DELETE ON unlocks
  FOR EACH ROW EXECUTE FUNCTION lead_funnels_on_unlock();
--> statement-breakpoint
CREATE TRIGGER unlocks_funnel_refund AFTER UPDATE OF lead_id, amount_cents, refunded_at ON unlocks
  FOR EACH ROW WHEN (OLD.lead_id IS DISTINCT FROM NEW.lead_id OR OLD.amount_cents <> NEW.amount_cents
    OR (OLD.refunded_at IS NULL) <> (NEW.refunded_at IS NULL))
  EXECUTE FUNCTION lead_funnels_on_unlock();
