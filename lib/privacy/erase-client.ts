import { sql, type SQL } from 'drizzle-orm';
import { rows, transaction, type Database, type Tx } from '../db/client';
import { privacyErasures, smsMessages, stripeTasks } from '../db/schema';
import { log } from '../log';
import {
  expireOtherSessions,
  refundTask,
  runClaimedStripeTasksNow,
  type NewStripeTask,
} from '../purchases/stripe-tasks';
import { paymentLock } from '../purchases/fulfil-payment';
import { sendClaimedNow } from '../messaging/outbox';
import { templates } from '../sms/templates';
import type { Language } from '../sms/language';
import { inlineDeadline, insertClaimed } from '../queue/work-queue';
import type { AdminCaller } from '../http/auth';
import type { ErasureRequest } from './erasure-input';
import { ERASED_BODY } from './erased-body';

/** Who asked: the admin key, a console session (its id), or the retention schedule. */
/** An operator or the admin key (lib/http/auth.ts), or the retention job. */
export type ErasedBy = AdminCaller | 'retention';

/** How `privacy_erasures.requested_by` names who asked: never a person's data, only ids. */
const requester = (by: ErasedBy): string =>
  by === 'retention'
    ? 'retention'
    : by.actor.type === 'operator'
      ? `operator:${by.actor.id}`
      : by.sessionId
        ? `session:${by.sessionId}`
        : 'admin_key';

/** The leads one request names, not erased yet. */
function targetSql(request: ErasureRequest): SQL {
  if ('leadId' in request) return sql`id = ${request.leadId}`;
  if ('phone' in request) return sql`phone = ${request.phone}`;
  return sql`lower(email) = lower(${request.email})`;
}

type Withdrawn = {
  unlock_id: string;
  lead_id: string;
  code: string;
  provider_id: string;
  phone: string;
  language: Language;
  checkout_session_id: string;
  payment_intent_id: string | null;
  amount_cents: number;
  currency: string;
};

/**
 * Erases the client's personal data from the leads `where` selects (at most `limit`), for good:
 * name, phone, e-mail, city, description and budget, the consent's IP and user agent (its page
 * without query or fragment, as the source's landing page), the body of every teaser and details SMS of those leads, and the text
 * TextMagic's delivery reports repeat. Ids, codes, amounts, times, statuses and the consent
 * wording stay, so money and counts still add up. The leads are sold no more (they expire now,
 * open Checkouts are expired at Stripe, and a payment that completes anyway is refunded, as past
 * expiry), and a teaser or details SMS not yet sent is cancelled: a provider whose paid details
 * had not all gone out is refunded and told why. One that a sender had already taken may still
 * go out (its row then says sent, with the erased body).
 * The leads are locked as a payment's completion locks its lead, so the two run one after the other.
 */
async function eraseInTx(tx: Tx, where: SQL, limit: number, by: ErasedBy, target: string) {
  const [erased] = await rows<{ ids: string[] | null }>(
    tx,
    'erase_leads',
    sql`with target as (
        select id from leads where ${where} and erased_at is null
        order by created_at, id limit ${limit} for no key update
      ), leads_erased as (
        update leads l set name = null, phone = null, email = null, city = null, description = null,
          budget = null, erased_at = now(), expires_at = least(l.expires_at, now()), code_active = false,
          -- The source stays (not contact data), but a form may have put the client's fields in
          -- its landing page's query: cut as the consent's page is.
          source = case when l.source ? 'landingPage' then nullif((l.source - 'landingPage')
            || jsonb_strip_nulls(jsonb_build_object('landingPage',
              nullif(regexp_replace(l.source ->> 'landingPage', '[?#].*$', ''), ''))), '{}'::jsonb)
            else l.source end
        from target where l.id = target.id
        returning l.id
      ), consents as (
        update lead_consents c set ip = null, user_agent = null,
          page_url = nullif(regexp_replace(c.page_url, '[?#].*$', ''), '')
        from leads_erased where c.lead_id = leads_erased.id
        returning c.lead_id
      ), sms as (
        update sms_messages m set body = ${ERASED_BODY},
          status = case m.status when 'queued' then 'cancelled' else m.status end,
          updated_at = now()
        from leads_erased
        where m.lead_id = leads_erased.id and m.kind in ('teaser', 'details')
        returning m.id
      ), reports as (
        update sms_delivery_reports r set payload = r.payload - 'text'
        from sms where r.sms_message_id = sms.id and r.payload ? 'text'
        returning 1
      )
      -- Each data-modifying CTE runs whether or not the query reads it.
      select array_agg(id) as ids from leads_erased`,
  );
  const ids = erased?.ids ?? [];
  if (ids.length === 0) {
    // A request that found nothing is still a request, and recorded; a retention run that found
    // nothing (most minutes) is not.
    if (by !== 'retention') await record(tx, by, target, []);
    return { ids, tasks: [], sms: [] };
  }
  // The purchases whose details had not all gone out (cancelled above): refunded, and told why.
  const withdrawn = await rows<Withdrawn>(
    tx,
    'erased_unsent_details',
    sql`select u.id as unlock_id, u.lead_id, l.code, u.provider_id, p.phone, p.language,
        u.checkout_session_id, u.payment_intent_id, u.amount_cents, u.currency
      from unlocks u join leads l on l.id = u.lead_id join providers p on p.id = u.provider_id
      where u.lead_id = any(${sql.param(ids)}::uuid[]) and u.refunded_at is null
        and exists (select from sms_messages m where m.lead_id = u.lead_id and m.provider_id = u.provider_id
          and m.kind = 'details' and m.status = 'cancelled')
      order by u.id`,
  );
  for (const w of withdrawn) await tx.execute(sql`select ${paymentLock(w.payment_intent_id)}`);
  if (withdrawn.length > 0) {
    await tx.execute(
      sql`update unlocks set refunded_at = coalesce(refunded_at, now())
        where id = any(${sql.param(withdrawn.map((w) => w.unlock_id))}::uuid[])`,
    );
  }
  const tasks: NewStripeTask[] = [
    ...withdrawn.map((w) =>
      refundTask({
        checkoutSessionId: w.checkout_session_id,
        paymentIntentId: w.payment_intent_id,
        leadId: w.lead_id,
        providerId: w.provider_id,
      }),
    ),
    ...(await expireOtherSessions(tx, ids)),
  ];
  const claimedTasks = await insertClaimed(tx, stripeTasks, tasks);
  const sms = await insertClaimed(
    tx,
    smsMessages,
    withdrawn.map((w) => ({
      kind: 'erased_refund',
      recipients: [w.phone],
      body: templates(w.language).erasedRefundSms({
        code: w.code,
        amountCents: w.amount_cents,
        currency: w.currency,
      }),
      dedupeKey: `erased-refund:${w.unlock_id}`,
      leadId: w.lead_id,
      providerId: w.provider_id,
    })),
  );
  await record(tx, by, target, ids);
  return { ids, tasks: claimedTasks, sms };
}

/** The erasure's own record: when, by whom, how many leads (their ids); never the data. */
async function record(tx: Tx, by: ErasedBy, target: string, ids: string[]): Promise<void> {
  await tx.insert(privacyErasures).values({
    requestedBy: requester(by),
    target,
    erasedLeads: ids.length,
    leadIds: ids,
  });
}

async function erase(db: Database, where: SQL, limit: number, by: ErasedBy, target: string) {
  const done = await transaction((tx) => eraseInTx(tx, where, limit, by, target));
  if (done.ids.length === 0 && by === 'retention') return 0;
  log.info('client data erased', {
    target,
    requestedBy: requester(by),
    erasedLeads: done.ids.length,
    leadIds: done.ids,
  });
  const deadline = inlineDeadline();
  await Promise.all([
    runClaimedStripeTasksNow(db, done.tasks, deadline),
    sendClaimedNow(db, done.sms, deadline),
  ]);
  return done.ids.length;
}

/** `POST /privacy/erasures`: every lead of the client the request names; 0 when none is left. */
export async function eraseClient(
  db: Database,
  request: ErasureRequest,
  by: ErasedBy,
): Promise<{ erasedLeads: number }> {
  const target = 'leadId' in request ? 'lead' : 'phone' in request ? 'phone' : 'email';
  // A client's leads are few; the cap only bounds one statement.
  return { erasedLeads: await erase(db, targetSql(request), 10_000, by, target) };
}

/** Leads one retention statement erases, and the most statements one scheduled run makes. */
export const RETENTION_BATCH = 200;
const RETENTION_BATCHES_PER_RUN = 5;

/**
 * CLIENT_DATA_RETENTION_DAYS (decimals allowed): erases the client data of leads created longer
 * ago than that, in batches of `batch` leads (each its own transaction, so none holds many locks
 * for long), until a batch comes back short or the run has made its share; what is left waits for
 * the next run. Returns how many leads it erased.
 */
export async function eraseExpiredClientData(
  db: Database,
  retentionDays: number,
  batch = RETENTION_BATCH,
): Promise<number> {
  const cutoff = sql`created_at < now() - make_interval(secs => ${retentionDays * 86_400})`;
  let erased = 0;
  for (let run = 0; run < RETENTION_BATCHES_PER_RUN; run++) {
    const n = await erase(db, cutoff, batch, 'retention', 'retention');
    erased += n;
    if (n < batch) break;
  }
  return erased;
}
