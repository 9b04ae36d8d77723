ALTER TABLE "stripe_tasks" ALTER COLUMN "checkout_session_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "offers" ADD COLUMN "charge_attempt" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "offers" ADD COLUMN "charge_status" text;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "stripe_customer_id" text;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "saved_payment_method_id" text;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "auto_pay" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD COLUMN "offer_id" uuid;--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD COLUMN "charge_attempt" integer;--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD COLUMN "payment_method_id" text;--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD COLUMN "amount_cents" integer;--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD COLUMN "currency" text;--> statement-breakpoint
ALTER TABLE "stripe_tasks" ADD CONSTRAINT "stripe_tasks_offer_id_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."offers"("id") ON DELETE no action ON UPDATE no action;