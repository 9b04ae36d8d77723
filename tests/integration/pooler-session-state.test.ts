/**
 * Behind a transaction pooler every transaction may run on another server connection, and what
 * one client leaves on a connection (a prepared statement, a SET, a session advisory lock, a
 * temporary table, a LISTEN) reaches the next. After a whole market through PgBouncer, every
 * server connection is as clean as a new one; migrations, too, apply through it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { runMigrations } from '../../lib/db/migrate';
import { poolerAvailable, pooledUrl, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { deliverEvent, openSessions } from '../support/market';

const SERVER_POOL = 4;

/** Runs `fn` on `n` clients of `url`, each inside its own open transaction, all at once. */
async function inHeldTransactions<T>(url: string, n: number, fn: (c: pg.Client) => Promise<T>): Promise<T[]> {
  const clients = Array.from({ length: n }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    // Each BEGIN pins a server connection until COMMIT: n of them at once are n different ones.
    await Promise.all(clients.map((c) => c.query('begin')));
    const out = await Promise.all(clients.map(fn));
    await Promise.all(clients.map((c) => c.query('commit')));
    return out;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

describe.runIf(poolerAvailable())('behind PgBouncer in transaction mode', () => {
  const app = useApp({ pooled: true, env: { LEAD_MAX_OFFERS: '20' } });

  it('a whole market leaves no session state on any of its server connections', async () => {
    const { lead: sold, buyers } = await openSessions(app, 4, { maxUnlocks: 2 });
    // All four pay before any webhook: two unlock, two are refunded past the cap.
    const events = buyers.map((b) => app.stripe.completeSession(b.sessionId));
    for (const event of events) expect((await deliverEvent(app, event)).status).toBe(200);
    expect((await api.reply(buyers[0]!.phone, 'STOP')).status).toBe(200);
    expect((await api.reply(buyers[1]!.phone, `YES ${sold.code}`)).status).toBe(200);
    expect((await api.postLead(lead({ zipCode: '10001' }))).status).toBe(201);
    await app.db.query(`update sms_messages set next_attempt_at = now() where status = 'queued'`);
    await app.db.query(`update stripe_tasks set next_attempt_at = now() where status = 'queued'`);
    await dispatcher();
    expect(await app.db.query(`select id from unlocks where lead_id = $1`, [sold.id])).toHaveLength(2);
    expect(app.stripe.refunds).toHaveLength(2);

    // Whatever any session holds is visible from any other: no advisory lock, no temporary table.
    expect(await app.db.query(`select 1 from pg_locks where locktype = 'advisory'`)).toEqual([]);
    expect(await app.db.query(`select relname from pg_class where relpersistence = 't'`)).toEqual([]);

    // What is per session, connection by connection.
    const seen = await inHeldTransactions(pooledUrl(app.db.url), SERVER_POOL, async (c) => ({
      backend: (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number,
      prepared: (await c.query('select name from pg_prepared_statements')).rows,
      listening: (await c.query('select pg_listening_channels() as channel')).rows,
      settings: (await c.query(`select name from pg_settings where source = 'session'`)).rows,
    }));
    expect(new Set(seen.map((s) => s.backend)).size).toBe(SERVER_POOL);
    for (const s of seen)
      expect({ ...s, backend: 0 }).toEqual({ backend: 0, prepared: [], listening: [], settings: [] });
  });

  it('holds at most its server pool of connections to Postgres, however many clients it serves', async () => {
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api.postLead(lead({ zipCode: '10002', description: `Job ${i}` }))),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(40).fill(201));
    const [db] = new URL(app.db.url).pathname.slice(1).split('/');
    // A backend whose client just closed stays in pg_stat_activity until its process exits: a
    // count above the pool must last (PgBouncer's own server connections do) to be a failure.
    let backends: unknown[] = [];
    for (let i = 0; i < 30; i++) {
      backends = await app.db.query(
        `select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [db],
      );
      if (backends.length <= SERVER_POOL) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(backends.length).toBeLessThanOrEqual(SERVER_POOL);
  });

  it('applies the migrations to an empty database through it, twice', async () => {
    const name = `m_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
      const url = pooledUrl(inject('pgAdminUrl').replace(/\/[^/]*$/, `/${name}`));
      await runMigrations(url);
      await runMigrations(url);
      // Nothing it did stays on a server connection for the next client.
      const settings = await inHeldTransactions(url, SERVER_POOL, async (c) => {
        const found = await c.query(`select name from pg_settings where source = 'session'`);
        return found.rows.map((r: { name: string }) => r.name);
      });
      expect(settings.flat()).toEqual([]);
      const direct = new pg.Client({
        connectionString: inject('pgAdminUrl').replace(/\/[^/]*$/, `/${name}`),
      });
      await direct.connect();
      const { rows } = await direct.query(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      await direct.end();
      // Every table of lib/db/schema.ts, once.
      expect(rows.map((r: { table_name: string }) => r.table_name)).toEqual([
        'admin_sessions',
        'categories',
        'heartbeats',
        'inbound_sms',
        'lead_consents',
        'lead_funnels',
        'lead_returns',
        'leads',
        'offers',
        'privacy_erasures',
        'providers',
        'sign_in_failures',
        'sms_delivery_reports',
        'sms_messages',
        'stripe_events',
        'stripe_tasks',
        'unlocks',
      ]);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
