CREATE TABLE "sms_rate" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"next_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paused_until" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sms_rate_one_row" CHECK ("sms_rate"."id" = 1)
);
--> statement-breakpoint
DROP INDEX "sms_messages_due_idx";--> statement-breakpoint
ALTER TABLE "sms_messages" ADD COLUMN "priority" smallint GENERATED ALWAYS AS (case "kind" when 'details' then 0 when 'teaser' then 2 else 1 end) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "sms_messages_due_idx" ON "sms_messages" USING btree ("priority","next_attempt_at","id") WHERE "sms_messages"."status" = 'queued';--> statement-breakpoint
-- The one row every sender takes its turn from (lib/messaging/send-rate.ts).
INSERT INTO "sms_rate" DEFAULT VALUES;
