-- A language is a module of lib/sms/languages/ and one line of its registry; the admin API takes only
-- registered codes. The database keeps no list, so a new language touches no SQL.
ALTER TABLE "providers" DROP CONSTRAINT "providers_language";
