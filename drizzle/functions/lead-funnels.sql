-- The funnel kept as it happens (GET /stats): lead_funnels holds one row per lead with its counts,
-- and each unlock is stamped with its lead's day, category and seconds from the teaser. Both are
-- derived data, kept by the triggers below on the tables they count, in the transaction of each
-- change, never written by our code. lead_funnels_rebuild() recomputes them from those tables (on
-- a change of this file, below, and after the bench's bulk load, which runs without triggers).
--
-- The current definitions: lib/db/migrate.ts applies this file after the migrations on every run
-- (the migrations that first wrote these are history).

CREATE OR REPLACE FUNCTION lead_funnels_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM lead_funnels;
  INSERT INTO lead_funnels (lead_id, day, category, utm_source, currency, teaser_sent_at, teasers_sent, offers,
    yes_replies, links_opened, checkouts_created, paid_unlocks, saved_card_unlocks, refunds,
    gross_cents, refunded_cents)
  SELECT l.id, (l.created_at AT TIME ZONE 'UTC')::date, l.category, l.source ->> 'utmSource', l.currency, t.sent_at,
    coalesce(t.recipients, 0), coalesce(o.offers, 0), coalesce(o.yes, 0), coalesce(o.opened, 0),
    coalesce(o.checkouts, 0), coalesce(u.paid, 0), coalesce(u.by_card, 0), coalesce(u.refunds, 0),
    coalesce(u.gross, 0), coalesce(u.refunded, 0)
  FROM leads l
  LEFT JOIN (
    SELECT lead_id, min(sent_at) AS sent_at, sum(cardinality(recipients)) AS recipients
    FROM sms_messages
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

CREATE OR REPLACE FUNCTION lead_funnels_on_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- utm_source: the lead's source.utmSource, for GET /stats?groupBy=source. Set at insert only:
  -- nothing changes it later (erasure cuts only the source's landingPage).
  INSERT INTO lead_funnels (lead_id, day, category, utm_source, currency)
  VALUES (NEW.id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.category, NEW.source ->> 'utmSource', NEW.currency)
  ON CONFLICT (lead_id) DO UPDATE
    SET day = excluded.day, category = excluded.category, utm_source = excluded.utm_source,
      currency = excluded.currency;
  IF TG_OP = 'UPDATE' THEN
    UPDATE unlocks SET lead_day = (NEW.created_at AT TIME ZONE 'UTC')::date, lead_category = NEW.category
    WHERE lead_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER leads_funnel AFTER INSERT OR UPDATE OF created_at, category, currency ON leads
  FOR EACH ROW EXECUTE FUNCTION lead_funnels_on_lead();

-- An offer's steps as counts: +1 for each step it has now, -1 for each it had before.
CREATE OR REPLACE FUNCTION lead_funnels_on_offer() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE TRIGGER offers_funnel AFTER INSERT OR DELETE ON offers
  FOR EACH ROW EXECUTE FUNCTION lead_funnels_on_offer();

-- Only when a step appears or goes: other updates of an offer (its status, its session) cost nothing.
CREATE OR REPLACE TRIGGER offers_funnel_steps AFTER UPDATE OF lead_id, accepted_at, link_opened_at, checkout_created_at ON offers
  FOR EACH ROW WHEN (OLD.lead_id IS DISTINCT FROM NEW.lead_id
    OR (OLD.accepted_at IS NULL) <> (NEW.accepted_at IS NULL)
    OR (OLD.link_opened_at IS NULL) <> (NEW.link_opened_at IS NULL)
    OR (OLD.checkout_created_at IS NULL) <> (NEW.checkout_created_at IS NULL))
  EXECUTE FUNCTION lead_funnels_on_offer();

-- The lead's teaser: when the first of its teaser messages (not resends; a lead may send one per
-- language) went out, and "teasers sent": the recipients of the teaser messages actually sent
-- (with quiet hours a lead's teasers go at different times, and some never: cancelled when the
-- lead filled overnight), both recounted from the lead's messages whenever one of them changes.
CREATE OR REPLACE FUNCTION lead_funnels_on_teaser() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sent timestamptz;
  recipients integer;
BEGIN
  SELECT min(sent_at), coalesce(sum(cardinality(m.recipients)), 0) INTO sent, recipients
  FROM sms_messages m
  WHERE m.lead_id = NEW.lead_id AND m.kind = 'teaser' AND m.resend_of IS NULL AND m.status = 'sent';
  UPDATE lead_funnels SET teaser_sent_at = sent, teasers_sent = recipients
  WHERE lead_id = NEW.lead_id AND (teaser_sent_at IS DISTINCT FROM sent OR teasers_sent <> recipients);
  -- Payments come after the teaser; should its time move, theirs follow.
  IF FOUND THEN
    UPDATE unlocks SET teaser_seconds = extract(epoch FROM created_at - sent)
    WHERE lead_id = NEW.lead_id AND teaser_seconds IS DISTINCT FROM extract(epoch FROM created_at - sent);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER sms_messages_funnel AFTER INSERT OR UPDATE OF status, sent_at ON sms_messages
  FOR EACH ROW WHEN (NEW.kind = 'teaser' AND NEW.resend_of IS NULL AND NEW.lead_id IS NOT NULL)
  EXECUTE FUNCTION lead_funnels_on_teaser();

-- Copies the lead's day, category and seconds from its teaser onto the unlock (unlocks_funnel_idx
-- gives GET /stats the medians of a range's payments from one index alone).
CREATE OR REPLACE FUNCTION unlocks_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT f.day, f.category, extract(epoch FROM NEW.created_at - f.teaser_sent_at)
  INTO NEW.lead_day, NEW.lead_category, NEW.teaser_seconds
  FROM lead_funnels f WHERE f.lead_id = NEW.lead_id;
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER unlocks_stamp BEFORE INSERT OR UPDATE OF lead_id, created_at ON unlocks
  FOR EACH ROW EXECUTE FUNCTION unlocks_stamp();

-- Payments, counted apart when a saved card paid (`paid_with`), so that GET /stats's
-- checkout-to-paid counts only payments that went through a Checkout.
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

CREATE OR REPLACE TRIGGER unlocks_funnel AFTER INSERT OR DELETE ON unlocks
  FOR EACH ROW EXECUTE FUNCTION lead_funnels_on_unlock();

CREATE OR REPLACE TRIGGER unlocks_funnel_refund AFTER UPDATE OF lead_id, amount_cents, refunded_at, paid_with ON unlocks
  FOR EACH ROW WHEN (OLD.lead_id IS DISTINCT FROM NEW.lead_id OR OLD.amount_cents <> NEW.amount_cents
    OR (OLD.refunded_at IS NULL) <> (NEW.refunded_at IS NULL) OR OLD.paid_with <> NEW.paid_with)
  EXECUTE FUNCTION lead_funnels_on_unlock();

-- On change: the rules above decide what lead_funnels and the unlocks' stamps hold, so when
-- applying them changed a function or trigger, the runner recomputes both (same transaction).
SELECT lead_funnels_rebuild();
