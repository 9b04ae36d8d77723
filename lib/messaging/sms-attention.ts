import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { leads, providers, smsMessages } from '../db/schema';
import { conflict, notFound } from '../errors';
import { log } from '../log';
import { encodeIdCursor } from '../http/fields';
import { type SmsListQuery } from './sms-input';
import { sendClaimedNow } from './outbox';
import { claimedNow } from '../queue/work-queue';
import { needsAttention } from '../reports/attention';

/** The columns the operator sees of an SMS: never its body (it may hold the client's contact). */
const columns = () => ({
  id: smsMessages.id,
  kind: smsMessages.kind,
  leadId: smsMessages.leadId,
  leadCode: leads.code,
  providerId: smsMessages.providerId,
  providerName: providers.name,
  recipients: smsMessages.recipients,
  status: smsMessages.status,
  attempts: smsMessages.attempts,
  lastError: smsMessages.lastError,
  deliveryStatus: smsMessages.deliveryStatus,
  needsAttention: needsAttention(),
  retriedAt: smsMessages.retriedAt,
  createdAt: smsMessages.createdAt,
  sentAt: smsMessages.sentAt,
});

const selectSms = (db: Database) =>
  db
    .select(columns())
    .from(smsMessages)
    .leftJoin(leads, eq(leads.id, smsMessages.leadId))
    .leftJoin(providers, eq(providers.id, smsMessages.providerId));

type Row = Awaited<ReturnType<ReturnType<typeof selectSms>['execute']>>[number];

function view(r: Row) {
  return {
    id: r.id,
    kind: r.kind,
    leadId: r.leadId,
    leadCode: r.leadCode,
    providerId: r.providerId,
    providerName: r.providerName,
    recipients: r.recipients,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    delivery: r.deliveryStatus ?? {},
    needsAttention: r.needsAttention,
    retriedAt: r.retriedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
  };
}
export type SmsAdminView = ReturnType<typeof view>;

const DEFAULT_LIMIT = 50;

/**
 * `GET /sms`: across all leads, newest first; `failed` the sends given up on, `attention`
 * whatever lib/reports/attention.ts says needs the operator (failed, or undelivered and not resent).
 */
export async function listSms(
  db: Database,
  query: SmsListQuery,
): Promise<{ sms: SmsAdminView[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const rows = await selectSms(db)
    .where(
      and(
        query.status === 'failed' ? eq(smsMessages.status, 'failed') : needsAttention(),
        query.cursor === undefined ? undefined : lt(smsMessages.id, query.cursor),
      ),
    )
    .orderBy(desc(smsMessages.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const more = rows.length > limit;
  return { sms: page.map(view), nextCursor: more ? encodeIdCursor(page.at(-1)!.id) : null };
}

/**
 * `POST /sms/{id}/retry`: a failed SMS queued again with all its tries back, once. One
 * conditional statement, so that concurrent retries queue it once; it is written claimed by this
 * request, which sends it at once like a reply (the dispatcher takes it if that fails).
 * `retried` false: it was queued again before (whatever became of it since).
 */
export async function retrySms(db: Database, id: number): Promise<{ sms: SmsAdminView; retried: boolean }> {
  const queued = await db
    .update(smsMessages)
    .set({
      status: 'queued',
      ...claimedNow,
      retriedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(smsMessages.id, id), eq(smsMessages.status, 'failed'), isNull(smsMessages.retriedAt)))
    .returning();
  if (queued.length > 0) await sendClaimedNow(db, queued);
  const [row] = await selectSms(db).where(eq(smsMessages.id, id));
  if (!row) throw notFound('No SMS with this id');
  if (queued.length > 0) {
    log.info('SMS queued again by the operator', {
      smsId: id,
      leadId: row.leadId,
      providerId: row.providerId,
    });
    return { sms: view(row), retried: true };
  }
  if (row.retriedAt) return { sms: view(row), retried: false };
  throw conflict('not_failed', `Only a failed SMS can be retried; this one is ${row.status}`);
}
