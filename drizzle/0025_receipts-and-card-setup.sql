CREATE TABLE "payment_receipts" (
	"payment_intent_id" text PRIMARY KEY NOT NULL,
	"receipt_url" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD COLUMN "setup_intent_id" text;