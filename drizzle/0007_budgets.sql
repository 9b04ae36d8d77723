ALTER TABLE "offers" ADD COLUMN "checkout_reserved_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "weekly_spend_cap_cents" integer;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "daily_lead_cap" integer;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "providers" ADD CONSTRAINT "providers_weekly_spend_cap" CHECK ("providers"."weekly_spend_cap_cents" >= 0);--> statement-breakpoint
ALTER TABLE "providers" ADD CONSTRAINT "providers_daily_lead_cap" CHECK ("providers"."daily_lead_cap" >= 0);