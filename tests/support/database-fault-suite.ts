import { describe, expect, it } from 'vitest';
import { handler as health } from '../../functions/health';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { resetConfig } from '../../lib/config';
import { closeDb } from '../../lib/db/client';
import { useApp } from './app';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead } from './flow';
import { countRows, deliverEvent, openSessions, smsSentTo } from './market';
import { useDatabaseProxy } from './database-proxy';

/**
 * The database going away under a warm app, over a TCP pool or Neon's WebSocket pool: every
 * connection the app opens goes through a cuttable proxy (for Neon: driver → WebSocket proxy →
 * cuttable proxy → Postgres). The suite's own assertions read Postgres directly.
 */
export function databaseFaultSuite(driver: 'pg' | 'neon', pooled = false): void {
  const via = pooled ? `${driver} via PgBouncer` : driver;
  const app = useApp({ neon: driver === 'neon', pooled, env: { LEAD_MAX_OFFERS: '20' } });
  const link = useDatabaseProxy(app);

  const count = (sql: string, params: unknown[] = []) => countRows(app, sql, params);
  const getHealth = () => invoke(health, { method: 'GET', path: '/health' });
  const statusReport = (fields: Record<string, string>) => api.deliveryReport(fields);
  /** A 503 with the retryable JSON error and nothing of the driver's words or our code. */
  const expectUnavailable = (res: Reply) => {
    expect(res.status, res.text).toBe(503);
    expect(res.json.error.code).toBe('database_unavailable');
    expect(res.text).not.toMatch(/ECONN|127\.0\.0\.1|at \/|\.ts:|stack|terminated|WebSocket/i);
  };
  /** Lets the app's event loop see sockets the proxy closed (pooled clients hear of it). */
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 50));

  describe(`database down (${via})`, () => {
    it('answers 503 everywhere while it is down, and 200 again from the same warm app once it is back', async () => {
      const { buyers } = await openSessions(app, 1);
      const b = buyers[0]!;
      const event = app.stripe.completeSession(b.sessionId);
      expect((await getHealth()).status).toBe(200); // the pool is warm
      const sentBefore = app.textmagic.sent.length;

      await link.proxy.down();

      const h = await getHealth();
      expect(h.status).toBe(503);
      expect(h.json).toMatchObject({ status: 'error', checks: { database: { status: 'error' } } });
      expect(h.text).not.toMatch(/ECONN|127\.0\.0\.1|password/i);

      expectUnavailable(await deliverEvent(app, event));
      expectUnavailable(await api.reply(b.phone, 'HELP'));
      expectUnavailable(await statusReport({ id: '123456', status: 'd', receiver: '15125550100' }));
      expectUnavailable(await api.postLead(lead(), { 'idempotency-key': `down-${b.sessionId}` }));

      const page = await api.openPayLink(b.token);
      expect(page.status).toBe(503);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.text).toMatch(/again/i);

      expect(app.textmagic.sent.length).toBe(sentBefore);
      expect(
        await count('select count(*) as n from unlocks where checkout_session_id = $1', [b.sessionId]),
      ).toBe(0);

      // Back: the same module state, the same pool; no restart.
      await link.proxy.heal();
      expect((await getHealth()).status).toBe(200);
      const redelivered = await deliverEvent(app, event);
      expect(redelivered.status).toBe(200);
      expect(redelivered.json.outcome).toBe('unlocked');
      expect(smsSentTo(app, b.phone).filter((m) => m.text.includes('Jane Client'))).toHaveLength(1);
      expect((await api.reply(b.phone, 'HELP')).status).toBe(200);
      expect((await api.postLead(lead(), { 'idempotency-key': `down-${b.sessionId}` })).status).toBe(201);
    });

    it('recovers by itself after every pooled connection was cut', async () => {
      // Several idle connections in the pool, then all of them cut at once.
      const replies = await Promise.all(Array.from({ length: 4 }, () => getHealth()));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(link.proxy.open).toBeGreaterThan(0);
      await link.proxy.drop();
      await settle();

      expect((await getHealth()).status).toBe(200);
      const { buyers } = await openSessions(app, 1);
      const res = await deliverEvent(app, app.stripe.completeSession(buyers[0]!.sessionId));
      expect(res.status).toBe(200);
      expect(res.json.outcome).toBe('unlocked');
    });

    it('gives up on a stalled database with a 503 instead of hanging, and recovers', async () => {
      process.env.DATABASE_QUERY_TIMEOUT_MS = '1000';
      process.env.DATABASE_CONNECT_TIMEOUT_MS = '1000';
      resetConfig();
      await closeDb();
      try {
        expect((await getHealth()).status).toBe(200);
        link.proxy.hang();
        expectUnavailable(await api.postLead(lead(), { 'idempotency-key': `hang-${Date.now()}` }));
        expect((await getHealth()).status).toBe(503);
        await link.proxy.heal();
        await settle();
        expect((await getHealth()).status).toBe(200);
        expect((await api.postLead(lead())).status).toBe(201);
      } finally {
        delete process.env.DATABASE_QUERY_TIMEOUT_MS;
        delete process.env.DATABASE_CONNECT_TIMEOUT_MS;
        resetConfig();
        await closeDb();
      }
    });
    it('connections dying as transactions begin do not use up the pool: after heal the same app still serves', async () => {
      // A pool of 2: had any of the cut requests kept its connection, the next would have to wait
      // for a slot that never frees, and answer 503 after the connect timeout.
      process.env.DATABASE_POOL_MAX = '2';
      process.env.DATABASE_CONNECT_TIMEOUT_MS = '1000';
      resetConfig();
      await closeDb();
      try {
        const { buyers } = await openSessions(app, 4);
        for (const b of buyers.slice(0, 3)) {
          const cut = link.proxy.dropOn(/\bbegin\b/i);
          expectUnavailable(await deliverEvent(app, app.stripe.completeSession(b.sessionId)));
          await cut;
        }
        await settle();
        const res = await deliverEvent(app, app.stripe.completeSession(buyers[3]!.sessionId));
        expect(res.status, res.text).toBe(200);
        expect(res.json.outcome).toBe('unlocked');
      } finally {
        delete process.env.DATABASE_CONNECT_TIMEOUT_MS;
        process.env.DATABASE_POOL_MAX = '8';
        resetConfig();
        await closeDb();
      }
    });
  });

  describe(`connection cut mid-request (${via})`, () => {
    const unlockState = async (sessionId: string) => ({
      unlocks: await count('select count(*) as n from unlocks where checkout_session_id = $1', [sessionId]),
      details: await count(`select count(*) as n from sms_messages where dedupe_key = $1`, [
        `details:${sessionId}`,
      ]),
      sold: await count(
        `select count(*) as n from offers where checkout_session_id = $1 and status = 'unlocked'`,
        [sessionId],
      ),
    });

    it('paid webhook cut between its statements: nothing written, 503, and the redelivery unlocks once', async () => {
      const { lead: l, buyers } = await openSessions(app, 1);
      const b = buyers[0]!;
      const event = app.stripe.completeSession(b.sessionId);
      // The unlock statement, after the event was recorded and the lead locked in this transaction.
      const cut = link.proxy.dropOn(/insert into "unlocks"/);
      expectUnavailable(await deliverEvent(app, event));
      await cut;

      expect(await unlockState(b.sessionId)).toEqual({ unlocks: 0, details: 0, sold: 0 });
      expect(await count('select count(*) as n from stripe_events where id = $1', [event.id])).toBe(0);
      expect(await count('select unlock_count as n from leads where id = $1', [l.id])).toBe(0);

      const again = await deliverEvent(app, event);
      expect(again.status).toBe(200);
      expect(again.json.outcome).toBe('unlocked');
      expect(await unlockState(b.sessionId)).toEqual({ unlocks: 1, details: 1, sold: 1 });
      expect(smsSentTo(app, b.phone).filter((m) => m.text.includes('Jane Client'))).toHaveLength(1);
    });

    it('paid webhook whose COMMIT applied but whose answer was lost: 503, then the redelivery is a duplicate and the SMS still goes once', async () => {
      const { buyers } = await openSessions(app, 1);
      const b = buyers[0]!;
      const event = app.stripe.completeSession(b.sessionId);
      const cut = link.proxy.dropOn(/commit/i, { after: true });
      const first = await deliverEvent(app, event);
      await cut;
      expect(first.status).toBe(503);
      // The whole change, SMS included, is in: nothing half-written.
      expect(await unlockState(b.sessionId)).toEqual({ unlocks: 1, details: 1, sold: 1 });

      const again = await deliverEvent(app, event);
      expect(again.status).toBe(200);
      expect(again.json.outcome).toBe('duplicate');

      // The claimed details SMS was never sent by the cut request: the dispatcher sends it
      // once its lease ends (made due here instead of waiting).
      await app.db.query(`update sms_messages set next_attempt_at = now() where dedupe_key = $1`, [
        `details:${b.sessionId}`,
      ]);
      await dispatcher();
      await dispatcher();
      expect(smsSentTo(app, b.phone).filter((m) => m.text.includes('Jane Client'))).toHaveLength(1);
    });

    it('POST /leads cut before its statement ran: 503, nothing written; the retry creates it once', async () => {
      const key = `cut-before-${Date.now()}`;
      const zip = '30301';
      const p = await api.addProvider({ zipCodes: [zip] });
      // Fresh connections: create-lead's statement is prepared once per connection, so its text
      // (what the trap looks for) goes over the wire only with a connection's first lead.
      await closeDb();
      const cut = link.proxy.dropOn(/insert into leads/);
      expectUnavailable(await api.postLead(lead({ zipCode: zip }), { 'idempotency-key': key }));
      await cut;
      expect(await count('select count(*) as n from leads where idempotency_key = $1', [key])).toBe(0);

      const retry = await api.postLead(lead({ zipCode: zip }), { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(retry.json.offeredTo).toBe(1);
      expect(smsSentTo(app, p.phone).filter((m) => m.text.startsWith('New '))).toHaveLength(1);
    });

    it('POST /leads whose statement ran but whose answer was lost: 503, then the retry returns the same lead, with its offers, and the teaser goes once', async () => {
      const key = `cut-after-${Date.now()}`;
      const zip = '30302';
      const p = await api.addProvider({ zipCodes: [zip] });
      // Fresh connections: create-lead's statement is prepared once per connection, so its text
      // (what the trap looks for) goes over the wire only with a connection's first lead.
      await closeDb();
      const cut = link.proxy.dropOn(/insert into leads/, { after: true });
      const first = await api.postLead(lead({ zipCode: zip }), { 'idempotency-key': key });
      await cut;
      expectUnavailable(first);
      const [written] = await app.db.query<{ id: string; offers: string; teasers: string }>(
        `select l.id,
           (select count(*) from offers o where o.lead_id = l.id) as offers,
           (select count(*) from sms_messages m where m.lead_id = l.id and m.kind = 'teaser') as teasers
         from leads l where l.idempotency_key = $1`,
        [key],
      );
      // All of it or none of it: the lead came with its offer and its queued teaser.
      expect(written).toMatchObject({ offers: '1', teasers: '1' });

      const retry = await api.postLead(lead({ zipCode: zip }), { 'idempotency-key': key });
      expect(retry.status).toBe(200);
      expect(retry.json.id).toBe(written!.id);
      expect(retry.json.offeredTo).toBe(1);

      // The queued teaser goes out with the dispatcher (made due here, should this request have
      // claimed it for a send it never got to).
      await app.db.query(`update sms_messages set next_attempt_at = now() where lead_id = $1`, [written!.id]);
      await dispatcher();
      await dispatcher();
      expect(smsSentTo(app, p.phone).filter((m) => m.text.startsWith('New '))).toHaveLength(1);
    });

    it('a connection lost while recording a send that TextMagic took: recorded on a new connection, never sent twice', async () => {
      const zip = '30303';
      const p = await api.addProvider({ zipCodes: [zip] });
      // The first "mark sent" after the teaser went out dies with its connection. Fresh
      // connections: with DATABASE_PREPARED_STATEMENTS on, its text (what the trap looks for)
      // goes over the wire only the first time on each.
      await closeDb();
      const cut = link.proxy.dropOn(/update sms_messages set status = 'sent'/);
      const created = await api.postLead(lead({ zipCode: zip }));
      await cut;
      expect(created.status).toBe(201);
      const [row] = await app.db.query<{ status: string }>(
        `select status from sms_messages where lead_id = $1 and kind = 'teaser'`,
        [created.json.id],
      );
      expect(row!.status).toBe('sent');
      // Even with every lease run out, the dispatcher has nothing to send again.
      await app.db.query(`update sms_messages set next_attempt_at = now() where lead_id = $1`, [
        created.json.id,
      ]);
      await dispatcher();
      expect(smsSentTo(app, p.phone).filter((m) => m.text.startsWith('New '))).toHaveLength(1);
    });
  });
}
