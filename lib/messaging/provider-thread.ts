import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { notFound } from '../errors';
import type { ProviderThreadQuery } from '../providers/provider-input';
import { encodeCursor } from '../http/cursor';

/** Messages per page unless `limit` says otherwise. */
const DEFAULT_THREAD_PAGE = 100;

type Row = {
  direction: 'out' | 'in';
  id: string;
  kind: string | null;
  text: string;
  status: string | null;
  outcome: string | null;
  lead_id: string | null;
  at: string | Date;
  micros: string;
  key: string;
};

/**
 * `GET /providers/{id}/sms`: the provider's SMS conversation, newest first, a page at a time:
 * what was written to their phone (`out`, with its body, outbox status and kind: at `sentAt`, or
 * when queued for one not sent) and what they replied (`in`, as they typed it, with what we made
 * of it). A message to one provider names it (`provider_id`); a teaser, to several, names its
 * lead, and is theirs when their phone is among its recipients.
 */
export async function providerThread(db: Database, id: string, q: ProviderThreadQuery) {
  const [provider] = await rows<{ phone: string }>(
    db,
    'thread_provider',
    sql`select phone from providers where id = ${id}`,
  );
  if (!provider) throw notFound('No provider with this id');
  const limit = q.limit ?? DEFAULT_THREAD_PAGE;
  const found = await rows<Row>(
    db,
    'provider_thread',
    sql`
      select * from (
        select direction, id, kind, text, status, outcome, lead_id, at,
          (extract(epoch from at) * 1000000)::int8 as micros, key
        from (
          select 'out' as direction, m.id::text as id, m.kind, m.body as text, m.status,
            null::text as outcome, m.lead_id, coalesce(m.sent_at, m.created_at) as at,
            'o:' || lpad(m.id::text, 20, '0') as key
          from sms_messages m where m.provider_id = ${id}
          union all
          select 'out', m.id::text, m.kind, m.body, m.status, null, m.lead_id,
            coalesce(m.sent_at, m.created_at), 'o:' || lpad(m.id::text, 20, '0')
          from offers o join sms_messages m on m.lead_id = o.lead_id
          where o.provider_id = ${id} and m.kind = 'teaser' and m.provider_id is null
            and ${provider.phone}::text = any(m.recipients)
          union all
          select 'in', i.id, null, i.text, null, i.outcome, i.lead_id, i.created_at, 'i:' || i.id
          from inbound_sms i where i.provider_id = ${id}
        ) messages
      ) t
      ${q.cursor ? sql`where (t.micros, t.key) < (${q.cursor.micros}::int8, ${q.cursor.id}::text)` : sql``}
      -- The key (THREAD_KEY): of two messages stamped the same microsecond, the reply came first.
      order by t.micros desc, t.key desc
      limit ${limit + 1}`,
  );
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    messages: page.map((m) => ({
      direction: m.direction,
      id: m.id,
      at: new Date(m.at).toISOString(),
      text: m.text,
      leadId: m.lead_id,
      ...(m.direction === 'out' ? { kind: m.kind!, status: m.status! } : { outcome: m.outcome! }),
    })),
    nextCursor: found.length > limit && last ? encodeCursor({ micros: last.micros, id: last.key }) : null,
  };
}
