-- lead_duplicate_of(): for a lead about to be stored, the original it duplicates (null when none)
-- and every provider already offered that original or one of its duplicates. POST /leads calls it
-- inside its one statement (lib/leads/create-lead.ts).
--
-- Two POSTs of the same client at the same moment must not both find no original. A
-- transaction-scoped advisory lock per client identity (category with phone, category with
-- lower-cased e-mail) serialises them; it lives and dies with the statement's own transaction, so
-- it holds behind a transaction pooler, and it costs no round trip. It has to be taken here, not
-- in the caller's statement: in READ COMMITTED a statement reads from the snapshot taken when it
-- started, before the lock was granted, and would not see the lead committed by the request it
-- waited for. A VOLATILE plpgsql function takes a fresh snapshot for each query it runs, so the
-- lookup after the lock sees that lead and its offers. Keys are locked in ascending order, so two
-- requests sharing a phone and an e-mail in opposite pairings cannot deadlock; a hash collision
-- only makes two unrelated requests wait for each other.
CREATE OR REPLACE FUNCTION lead_duplicate_of(p_phone text, p_email text, p_category text, p_window_days integer)
RETURNS TABLE (original uuid, offered uuid[]) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  k integer;
  found_id uuid;
BEGIN
  IF p_window_days <= 0 THEN -- DUPLICATE_WINDOW_DAYS=0: no lead is a duplicate.
    RETURN QUERY SELECT NULL::uuid, ARRAY[]::uuid[];
    RETURN;
  END IF;
  FOR k IN
    SELECT DISTINCT x FROM unnest(ARRAY[
      hashtext('phone:' || p_category || ':' || p_phone),
      hashtext('email:' || p_category || ':' || lower(p_email))
    ]) AS x WHERE x IS NOT NULL ORDER BY x
  LOOP
    -- 3339 (0x0d0b): our class of advisory locks for client identities (0x5eed is payments').
    PERFORM pg_advisory_xact_lock(3339, k);
  END LOOP;
  -- The earliest lead of the client in the window (leads_phone_dup_idx, leads_email_dup_idx); if
  -- it is itself a duplicate, its original, so that every link points to an original.
  SELECT coalesce(l.duplicate_of, l.id) INTO found_id FROM (
    (SELECT id, duplicate_of, created_at FROM leads
      WHERE phone = p_phone AND category = p_category
        AND created_at > now() - make_interval(days => p_window_days)
      ORDER BY created_at, id LIMIT 1)
    UNION ALL
    (SELECT id, duplicate_of, created_at FROM leads
      WHERE p_email IS NOT NULL AND lower(email) = lower(p_email) AND category = p_category
        AND created_at > now() - make_interval(days => p_window_days)
      ORDER BY created_at, id LIMIT 1)
  ) l ORDER BY l.created_at, l.id LIMIT 1;
  IF found_id IS NULL THEN
    RETURN QUERY SELECT NULL::uuid, ARRAY[]::uuid[];
    RETURN;
  END IF;
  RETURN QUERY
    SELECT found_id, coalesce(array_agg(DISTINCT o.provider_id), ARRAY[]::uuid[])
    FROM offers o
    -- The original and its duplicates (leads_duplicate_of_idx), then their offers (offers_lead_provider_idx).
    WHERE o.lead_id IN (SELECT found_id UNION ALL SELECT d.id FROM leads d WHERE d.duplicate_of = found_id);
END $$;
