CREATE TABLE "lead_returns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unlock_id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"reason_text" text,
	"source" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"note" text,
	"auto" boolean DEFAULT false NOT NULL,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_returns_unlock_id_unique" UNIQUE("unlock_id"),
	CONSTRAINT "lead_returns_reason" CHECK ("lead_returns"."reason" in ('wrong_area', 'wrong_service', 'bad_contact', 'duplicate', 'other')),
	CONSTRAINT "lead_returns_status" CHECK ("lead_returns"."status" in ('open', 'approved', 'declined'))
);
--> statement-breakpoint
ALTER TABLE "lead_returns" ADD CONSTRAINT "lead_returns_unlock_id_unlocks_id_fk" FOREIGN KEY ("unlock_id") REFERENCES "public"."unlocks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_returns" ADD CONSTRAINT "lead_returns_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_returns" ADD CONSTRAINT "lead_returns_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lead_returns_status_idx" ON "lead_returns" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "lead_returns_provider_idx" ON "lead_returns" USING btree ("provider_id","created_at");--> statement-breakpoint
CREATE INDEX "lead_returns_lead_idx" ON "lead_returns" USING btree ("lead_id");