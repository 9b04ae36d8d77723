ALTER TABLE "providers" ADD COLUMN "language" text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE "providers" ADD CONSTRAINT "providers_language" CHECK ("providers"."language" in ('en', 'es'));--> statement-breakpoint
-- A lead has one teaser per language of its providers (`teaser:<lead>`, `teaser:<lead>:es`): the
-- funnel's teaser time is the first of them sent, whichever row changed.
CREATE OR REPLACE FUNCTION lead_funnels_on_teaser() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sent timestamptz := (SELECT min(s.sent_at) FROM sms_messages s
    WHERE s.lead_id = NEW.lead_id AND s.kind = 'teaser' AND s.resend_of IS NULL AND s.status = 'sent');
BEGIN
  UPDATE lead_funnels SET teaser_sent_at = sent
  WHERE lead_id = NEW.lead_id AND teaser_sent_at IS DISTINCT FROM sent;
  -- Payments come after the teaser; should its time move, theirs follow.
  IF FOUND THEN
    UPDATE unlocks SET teaser_seconds = extract(epoch FROM created_at - sent) WHERE lead_id = NEW.lead_id;
  END IF;
  RETURN NULL;
END $$;
