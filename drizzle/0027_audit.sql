CREATE TABLE "audit_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"session_id" text,
	"action" text NOT NULL,
	"route" text NOT NULL,
	"object_id" text,
	"amount_cents" integer,
	"outcome" text DEFAULT 'pending' NOT NULL,
	"request_id" text,
	"finished_at" timestamp with time zone,
	CONSTRAINT "audit_entries_actor_type" CHECK ("audit_entries"."actor_type" in ('operator', 'api_key')),
	CONSTRAINT "audit_entries_outcome" CHECK ("audit_entries"."outcome" in ('pending', 'done', 'unchanged'))
);
--> statement-breakpoint
CREATE INDEX "audit_entries_at_idx" ON "audit_entries" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "audit_entries_actor_idx" ON "audit_entries" USING btree ("actor_type","actor_id","at","id");--> statement-breakpoint
CREATE INDEX "audit_entries_action_idx" ON "audit_entries" USING btree ("action","at","id");