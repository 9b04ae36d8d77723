-- portal_sessions_end(): a provider who opts out or is deactivated is signed out of the portal
-- everywhere at once (lib/portal/session.ts), whichever path changed the row: STOP by SMS or in
-- the portal, PATCH /providers/{id} with active false. A trigger, so that no path can forget it,
-- and a START or reactivation later does not bring an old cookie back to life.
CREATE OR REPLACE FUNCTION portal_sessions_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM portal_sessions WHERE provider_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER providers_portal_sessions_end
  AFTER UPDATE OF opted_out, active ON providers
  FOR EACH ROW WHEN ((NEW.opted_out AND NOT OLD.opted_out) OR (OLD.active AND NOT NEW.active))
  EXECUTE FUNCTION portal_sessions_end();
