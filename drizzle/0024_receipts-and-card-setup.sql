ALTER TABLE "stripe_tasks" ADD COLUMN "setup_intent_id" text;--> statement-breakpoint
ALTER TABLE "unlocks" ADD COLUMN "receipt_url" text;