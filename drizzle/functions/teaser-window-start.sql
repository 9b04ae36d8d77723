-- teaser_window_start(): when a teaser due at p_at may go to a provider whose teaser hours are
-- p_start to p_end (minutes from local midnight, p_end excluded; p_start > p_end wraps midnight)
-- in zone p_zone: p_at itself inside the hours, else the next local start, converted back to an
-- instant by AT TIME ZONE with the offset of that day, so a night across a DST change still
-- ends at 08:00 on the wall clock. POST /leads calls it for every matched provider in its one
-- statement (lib/leads/create-lead.ts), the provider page for the provider's state.
CREATE OR REPLACE FUNCTION teaser_window_start(p_zone text, p_start integer, p_end integer, p_at timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_start IS NULL OR p_end IS NULL OR p_start = p_end THEN p_at
    WHEN CASE WHEN p_start < p_end THEN x.tod >= x.s AND x.tod < x.e ELSE x.tod >= x.s OR x.tod < x.e END
      THEN p_at
    -- Outside: today's start if it is still to come, else tomorrow's (calendar days of the zone).
    ELSE (date_trunc('day', l.local) + x.s
      + CASE WHEN x.tod >= x.s THEN interval '1 day' ELSE interval '0' END) AT TIME ZONE p_zone
  END
  FROM (SELECT p_at AT TIME ZONE p_zone AS local) l,
    LATERAL (SELECT l.local - date_trunc('day', l.local) AS tod,
      make_interval(mins => p_start) AS s, make_interval(mins => p_end) AS e) x
$$;
