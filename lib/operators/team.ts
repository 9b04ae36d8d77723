/** The team's settings (one row of team_settings): whether staff may do money actions. */
import { sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';

export type TeamSettings = { staffMoneyActions: boolean };

export async function teamSettings(db: Queryable): Promise<TeamSettings> {
  const [row] = await rows<{ staff_money_actions: boolean }>(
    db,
    'team_settings_get',
    sql`select staff_money_actions from team_settings`,
  );
  return { staffMoneyActions: row?.staff_money_actions ?? true };
}

/** `PATCH /team/settings` (owners): takes effect on staff's next request. */
export async function changeTeamSettings(db: Queryable, patch: Partial<TeamSettings>): Promise<TeamSettings> {
  const [row] = await rows<{ staff_money_actions: boolean }>(
    db,
    'team_settings_set',
    sql`update team_settings set
          staff_money_actions = coalesce(${patch.staffMoneyActions ?? null}::boolean, staff_money_actions),
          updated_at = now()
        returning staff_money_actions`,
  );
  return { staffMoneyActions: row!.staff_money_actions };
}
