CREATE TABLE "lead_consents" (
	"lead_id" uuid PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"agreed_at" timestamp with time zone NOT NULL,
	"ip" text,
	"user_agent" text,
	"page_url" text,
	"certificate_url" text
);
--> statement-breakpoint
CREATE TABLE "privacy_erasures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"requested_by" text NOT NULL,
	"target" text NOT NULL,
	"erased_leads" integer NOT NULL,
	"lead_ids" uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "leads" ALTER COLUMN "name" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "leads" ALTER COLUMN "phone" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "leads" ALTER COLUMN "description" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "opted_in_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "opt_in_source" text DEFAULT 'api' NOT NULL;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "opted_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "opt_out_text" text;--> statement-breakpoint
ALTER TABLE "lead_consents" ADD CONSTRAINT "lead_consents_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "leads_not_erased_idx" ON "leads" USING btree ("created_at","id") WHERE "leads"."erased_at" is null;--> statement-breakpoint
-- Providers added before the consent record: opted in when they were added, opted out (if they
-- are) at their row's last change; the words they used were not kept then.
UPDATE "providers" SET "opted_in_at" = "created_at", "opted_out_at" = CASE WHEN "opted_out" THEN "updated_at" END;
