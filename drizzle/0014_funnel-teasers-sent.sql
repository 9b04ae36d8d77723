ALTER TABLE "lead_funnels" ADD COLUMN "teasers_sent" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Written by hand: GET /stats's "teasers sent" counted every offer of a lead once its first
-- teaser went out; with quiet hours a lead's teasers go at different times, and some never
-- (cancelled when the lead filled overnight), so lead_funnels counts the recipients of the
-- teaser messages actually sent, recounted with the first send time whenever one changes.
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lead_funnels_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM lead_funnels;
  INSERT INTO lead_funnels (lead_id, day, category, currency, teaser_sent_at, teasers_sent, offers,
    yes_replies, links_opened, checkouts_created, paid_unlocks, saved_card_unlocks, refunds,
    gross_cents, refunded_cents)
  SELECT l.id, (l.created_at AT TIME ZONE 'UTC')::date, l.category, l.currency, t.sent_at,
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
--> statement-breakpoint
SELECT lead_funnels_rebuild();
