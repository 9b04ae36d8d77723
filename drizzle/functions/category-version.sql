-- categories.version: bumped by every change of a category's row (trigger categories_version)
-- or of its prices by area (trigger category_prices_version, which touches the category's row
-- and so bumps it through the first). POST /leads resolves a lead's category against a copy of
-- the catalogue kept per container, and its one statement writes the lead only while the
-- category's version is still the copy's (lib/catalogue/lead-category.ts): one number compared,
-- whatever a category comes to hold.
CREATE OR REPLACE FUNCTION category_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER categories_version
  BEFORE UPDATE ON categories
  FOR EACH ROW EXECUTE FUNCTION category_version_bump();

CREATE OR REPLACE FUNCTION category_prices_touch_category() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE categories SET slug = slug WHERE slug = OLD.category_slug;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.category_slug <> OLD.category_slug) THEN
    UPDATE categories SET slug = slug WHERE slug = NEW.category_slug;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER category_prices_version
  AFTER INSERT OR UPDATE OR DELETE ON category_prices
  FOR EACH ROW EXECUTE FUNCTION category_prices_touch_category();
