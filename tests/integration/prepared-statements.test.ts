/**
 * DATABASE_PREPARED_STATEMENTS: off by default, so that nothing the app does leaves a statement
 * on a server connection that a transaction pooler would hand to another client; on, the two
 * hottest statements are prepared once per connection and reused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { resetConfig } from '../../lib/config';
import { closeDb, getDb, rows } from '../../lib/db/client';
import { useApp } from '../support/app';
import { api, lead } from '../support/flow';

// One connection, so that the statements the requests ran are visible to the query after them.
const app = useApp({ env: { DATABASE_POOL_MAX: '1' } });

async function preparedOnTheConnection(): Promise<string[]> {
  const found = await rows<{ name: string }>(
    await getDb(),
    'list_prepared',
    sql`select name from pg_prepared_statements order by name`,
  );
  return found.map((r) => r.name);
}

async function withSetting(value: string | undefined): Promise<void> {
  if (value === undefined) delete process.env.DATABASE_PREPARED_STATEMENTS;
  else process.env.DATABASE_PREPARED_STATEMENTS = value;
  resetConfig();
  await closeDb();
}

afterEach(() => withSetting(undefined));

describe('prepared statements', () => {
  it('are off by default: a lead and its teaser leave no statement on the connection', async () => {
    await withSetting(undefined);
    const zip = '40001';
    await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    expect(created.status).toBe(201);
    expect(created.json.offeredTo).toBe(1);
    expect(app.textmagic.sent.filter((m) => m.text.includes(`YES ${created.json.code}`))).toHaveLength(1);
    expect(await preparedOnTheConnection()).toEqual([]);
  });

  it('on: create-lead, the send turn and "mark sent" are prepared once and reused for the next lead', async () => {
    await withSetting('on');
    const zip = '40002';
    await api.addProvider({ zipCodes: [zip] });
    for (let i = 0; i < 3; i++) {
      const created = await api.postLead(lead({ zipCode: zip, description: `Job number ${i}` }));
      expect(created.status).toBe(201);
      expect(created.json.offeredTo).toBe(1);
    }
    // Every send books its turn of the send rate (lib/messaging/send-rate.ts).
    expect(await preparedOnTheConnection()).toEqual(['book_sms_turn', 'create_lead', 'mark_sms_sent']);
    const sent = await app.db.query<{ status: string }>(
      `select status from sms_messages where kind = 'teaser' and lead_id in (select id from leads where zip_code = $1)`,
      [zip],
    );
    expect(sent.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });
});
