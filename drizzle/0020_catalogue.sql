CREATE TABLE "categories" (
	"slug" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"synonyms" text[] DEFAULT '{}'::text[] NOT NULL,
	"price_cents" integer NOT NULL,
	"max_unlocks" integer NOT NULL,
	"ttl_hours" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "categories_slug_format" CHECK ("categories"."slug" ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	CONSTRAINT "categories_positive" CHECK ("categories"."price_cents" > 0 and "categories"."max_unlocks" > 0 and "categories"."ttl_hours" > 0)
);
--> statement-breakpoint
-- Backfill: each distinct category already used by a lead or a provider becomes a category, with
-- today's defaults. LEAD_PRICE_CENTS, LEAD_MAX_UNLOCKS and LEAD_TTL_HOURS are configuration, which
-- SQL does not see: their defaults (1500, 3, 72) are used, for the operator to change
-- (PATCH /categories/{slug}). Texts that fold alike (case, spaces, punctuation, as
-- lib/catalogue/fold.ts does for ASCII) become one category whose slug is made of them
-- ("pest control" -> pest-control); a text with no ASCII letter or digit gets a made-up slug and
-- stays as its synonym.
INSERT INTO "categories" ("slug", "name", "synonyms", "price_cents", "max_unlocks", "ttl_hours")
SELECT min("slug"), initcap(min("text")),
  coalesce(array_agg(DISTINCT "text") FILTER (WHERE "folded" = ''), '{}'), 1500, 3, 72
FROM (
  SELECT "text", regexp_replace(lower("text"), '[^a-z0-9]', '', 'g') AS "folded",
    coalesce(nullif(trim(BOTH '-' FROM regexp_replace(lower("text"), '[^a-z0-9]+', '-', 'g')), ''),
      'category-' || left(md5("text"), 8)) AS "slug"
  FROM (SELECT "category" AS "text" FROM "leads" UNION SELECT unnest("categories") FROM "providers") "used"
) "slugged"
GROUP BY coalesce(nullif("folded", ''), "text");
--> statement-breakpoint
-- Leads and providers store the slug (the leads' funnel rows follow through their trigger).
UPDATE "leads" SET "category" = c."slug" FROM "categories" c
WHERE "leads"."category" <> c."slug" AND (
  replace(c."slug", '-', '') = regexp_replace(lower("leads"."category"), '[^a-z0-9]', '', 'g')
  OR "leads"."category" = ANY (c."synonyms"));
--> statement-breakpoint
UPDATE "providers" p SET "categories" = ARRAY(
  SELECT DISTINCT c."slug" FROM unnest(p."categories") AS t("text")
  JOIN "categories" c ON replace(c."slug", '-', '') = regexp_replace(lower(t."text"), '[^a-z0-9]', '', 'g')
    OR t."text" = ANY (c."synonyms")
  ORDER BY 1)
WHERE NOT p."categories" <@ ARRAY(SELECT "slug" FROM "categories");
