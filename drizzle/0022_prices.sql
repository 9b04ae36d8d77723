CREATE TABLE "category_prices" (
	"category_slug" text NOT NULL,
	"zip_prefix" text NOT NULL,
	"price_cents" integer NOT NULL,
	CONSTRAINT "category_prices_category_slug_zip_prefix_pk" PRIMARY KEY("category_slug","zip_prefix"),
	CONSTRAINT "category_prices_zip_prefix" CHECK ("category_prices"."zip_prefix" ~ '^[0-9]{1,5}$'),
	CONSTRAINT "category_prices_positive" CHECK ("category_prices"."price_cents" > 0)
);
--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "aged_after_hours" integer;--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "aged_price_cents" integer;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "ages_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "aged_price_cents" integer;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "aged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "offers" ADD COLUMN "price_cents" integer;--> statement-breakpoint
-- Backfill: every offer made so far showed its lead's price, the only price there was.
UPDATE "offers" o SET "price_cents" = l."price_cents" FROM "leads" l WHERE l."id" = o."lead_id";--> statement-breakpoint
ALTER TABLE "offers" ALTER COLUMN "price_cents" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "category_prices" ADD CONSTRAINT "category_prices_category_slug_categories_slug_fk" FOREIGN KEY ("category_slug") REFERENCES "public"."categories"("slug") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
CREATE INDEX "leads_ages_at_idx" ON "leads" USING btree ("ages_at") WHERE "leads"."aged_at" is null and "leads"."ages_at" is not null;--> statement-breakpoint
CREATE INDEX "leads_aged_idx" ON "leads" USING btree ("created_at") WHERE "leads"."aged_at" is not null;--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_aged_price" CHECK (("categories"."aged_after_hours" is null) = ("categories"."aged_price_cents" is null)
        and "categories"."aged_after_hours" > 0 and "categories"."aged_price_cents" > 0);