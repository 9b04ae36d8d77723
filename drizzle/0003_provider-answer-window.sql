DROP INDEX "sms_messages_provider_created_idx";--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "answers_window_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "answers_in_window" integer DEFAULT 0 NOT NULL;