-- POST /leads's `source`. Both columns are added without a default: no table rewrite.
-- lead_funnels.utm_source is filled by lead_funnels_rebuild(), which the runner calls because
-- drizzle/functions/lead-funnels.sql changed with it (leads created before have no source: null).
ALTER TABLE "lead_funnels" ADD COLUMN "utm_source" text;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "source" jsonb;
