ALTER TABLE "sms_messages" ADD COLUMN "resend_of" bigint;--> statement-breakpoint
CREATE INDEX "sms_messages_resend_of_idx" ON "sms_messages" USING btree ("resend_of");