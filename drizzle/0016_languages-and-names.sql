-- A language is a module of lib/sms/languages/ and one line of its registry; the admin API takes only
-- registered codes. The database keeps no list, so a new language touches no SQL.
ALTER TABLE "providers" DROP CONSTRAINT "providers_language";--> statement-breakpoint
-- A saved-card charge holds the lead's price it charges, named as the lead's column is (unlocks keep
-- amount_cents: what Stripe took, which need not be the lead's price).
ALTER TABLE "stripe_tasks" RENAME COLUMN "amount_cents" TO "price_cents";
