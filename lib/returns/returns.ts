import { and, eq, sql, type SQL } from 'drizzle-orm';
import { config } from '../config';
import { fromRow, rows, transaction, type Database, type Tx } from '../db/client';
import {
  leadReturns,
  leads,
  providers,
  smsMessages,
  stripeTasks,
  unlocks,
  type Lead,
  type LeadReturn,
  type Provider,
  type SmsMessage,
  type StripeTask,
  type Unlock,
} from '../db/schema';
import { conflict, notFound } from '../errors';
import { log } from '../log';
import type { ReturnReason } from '../sms/return-reason';
import { templates, type Templates } from '../sms/templates';
import { paymentLock } from '../purchases/fulfil-payment';
import { sendClaimedNow } from '../messaging/outbox';
import {
  expireOtherSessions,
  refundTask,
  runClaimedStripeTasksNow,
  type NewStripeTask,
} from '../purchases/stripe-tasks';
import { inlineDeadline, insertClaimed } from '../queue/work-queue';

/** Auto-approval looks at the provider's returns and purchases of this many days. */
export const AUTO_APPROVE_DAYS = 30;

/** Why a return was not opened: each has its SMS, and its 409 from the console and the portal. */
export type ReturnRefusal = 'not_bought' | 'window_closed' | 'already_returned';

/** The words of a refusal, by SMS (the answer to a BAD) and in the portal's 409. */
export const REFUSED: Record<ReturnRefusal, (t: Templates, code: string) => string> = {
  not_bought: (t, code) => t.returnNotBoughtSms(code),
  window_closed: (t, code) => t.returnWindowClosedSms(code, config().returnWindowDays),
  already_returned: (t, code) => t.returnAlreadySms(code),
};

export type Purchase = { unlock: Unlock; lead: Lead; provider: Provider };

export type NewReturn = { reason: ReturnReason; text: string | null; source: LeadReturn['source'] };

/** What approving a return wrote, run after commit. */
export type Approval = { leadReturn: LeadReturn; after: AfterCommit };

/** The follow-ups and SMS a decision wrote, already claimed (`insertClaimed`), to run after commit. */
export type AfterCommit = { tasks: StripeTask[]; sms: SmsMessage[] };

export type Opened =
  | { refused: ReturnRefusal; purchase?: Purchase }
  | { refused?: undefined; purchase: Purchase; leadReturn: LeadReturn; approval?: Approval };

/**
 * The purchase `where` names, with its lead and provider, the provider's row locked: returns of
 * one provider are opened one at a time, so the auto-approval share counts every one before it.
 * `inWindow`: bought less than RETURN_WINDOW_DAYS ago.
 */
async function lockPurchase(tx: Tx, where: SQL) {
  const [row] = await rows<{
    unlock: Record<string, unknown>;
    lead: Record<string, unknown>;
    provider: Record<string, unknown>;
    in_window: boolean;
  }>(
    tx,
    'lock_purchase',
    sql`select to_json(u) as unlock, to_json(l) as lead, to_json(p) as provider,
        u.created_at > now() - make_interval(days => ${config().returnWindowDays}::int) as in_window
      from unlocks u join leads l on l.id = u.lead_id join providers p on p.id = u.provider_id
      where ${where}
      order by u.created_at desc
      limit 1
      for update of p`,
  );
  if (!row) return undefined;
  const purchase: Purchase = {
    unlock: fromRow(unlocks, row.unlock),
    lead: fromRow(leads, row.lead),
    provider: fromRow(providers, row.provider),
  };
  return { purchase, inWindow: row.in_window };
}

/**
 * Whether the provider's returns of the last AUTO_APPROVE_DAYS (this one included, declined ones
 * too) stay under RETURN_AUTO_APPROVE_RATE of their purchases in those days: returns < rate ×
 * purchases. Off (never) at rate 0. Read under the provider's lock (`lockPurchase`).
 */
async function autoApproves(tx: Tx, providerId: string): Promise<boolean> {
  const rate = config().returnAutoApproveRate;
  if (rate <= 0) return false;
  const since = sql`now() - make_interval(days => ${AUTO_APPROVE_DAYS}::int)`;
  const [counts] = await rows<{ returns: number; purchases: number }>(
    tx,
    'return_share',
    sql`select
      (select count(*)::int from lead_returns where provider_id = ${providerId} and created_at > ${since}) as returns,
      (select count(*)::int from unlocks where provider_id = ${providerId} and created_at > ${since}) as purchases`,
  );
  return counts !== undefined && counts.returns < rate * counts.purchases;
}

/**
 * Opens a return of a purchase (`where` on unlocks `u` and leads `l`), in the caller's
 * transaction: refused when there is none, it is past RETURN_WINDOW_DAYS, or it has a return
 * already (or was refunded already). Approved at once under RETURN_AUTO_APPROVE_RATE; then
 * `approval` holds what to run after commit.
 */
export async function openReturn(tx: Tx, where: SQL, input: NewReturn): Promise<Opened> {
  const found = await lockPurchase(tx, where);
  if (!found) return { refused: 'not_bought' };
  const { purchase, inWindow } = found;
  if (purchase.unlock.refundedAt) return { refused: 'already_returned', purchase };
  if (!inWindow) return { refused: 'window_closed', purchase };
  const [leadReturn] = await tx
    .insert(leadReturns)
    .values({
      unlockId: purchase.unlock.id,
      leadId: purchase.lead.id,
      providerId: purchase.provider.id,
      reason: input.reason,
      reasonText: input.text,
      source: input.source,
    })
    .onConflictDoNothing({ target: leadReturns.unlockId })
    .returning();
  if (!leadReturn) return { refused: 'already_returned', purchase };
  log.info('return opened', {
    returnId: leadReturn.id,
    leadId: leadReturn.leadId,
    providerId: leadReturn.providerId,
    unlockId: leadReturn.unlockId,
    reason: leadReturn.reason,
    source: leadReturn.source,
  });
  if (!(await autoApproves(tx, purchase.provider.id))) return { purchase, leadReturn };
  // Answered by the caller (the reply to the BAD, or the console's response): no SMS queued here.
  const approval = await approveInTx(tx, leadReturn.id, { auto: true, sms: false });
  return { purchase, leadReturn: approval?.leadReturn ?? leadReturn, approval };
}

/**
 * Approves an open return in the caller's transaction; undefined when it is not open (decided
 * already, or by a concurrent approval: the row's lock makes the second one see it decided).
 * The payment's refund is queued under the key a refund past the cap of the same payment takes
 * (`refund:<session or payment intent id>`, and Stripe's idempotency key is the same), so one
 * payment is refunded once whatever races. The unlock counts as refunded from now on (budgets,
 * stats), and the lead is sold no more: it is taken off sale now (`closed_at`; its expiry stays
 * what it was, and the lead reads `closed`, not `expired`), its code is freed, and open Checkout
 * Sessions of it are expired at Stripe (a payment that completes anyway is refunded).
 */
async function approveInTx(
  tx: Tx,
  id: string,
  opts: { auto: boolean; sms: boolean },
): Promise<Approval | undefined> {
  const [leadReturn] = await tx
    .update(leadReturns)
    .set({ status: 'approved', decidedAt: sql`now()`, auto: opts.auto })
    .where(and(eq(leadReturns.id, id), eq(leadReturns.status, 'open')))
    .returning();
  if (!leadReturn) return undefined;
  // The lead first, then the payment: the order a completion of the same lead takes them in.
  // `no key update`, not `update`: a refund from the dashboard holding the payment's lock updates
  // the unlock, which takes a key-share lock on the lead (a deadlock with `for update`).
  const [lead] = await tx.select().from(leads).where(eq(leads.id, leadReturn.leadId)).for('no key update');
  const [unlock] = await tx.select().from(unlocks).where(eq(unlocks.id, leadReturn.unlockId));
  const [provider] = await tx.select().from(providers).where(eq(providers.id, leadReturn.providerId));
  if (!lead || !unlock || !provider) throw new Error(`return ${id} names a missing row`);
  await tx.execute(sql`select ${paymentLock(unlock.paymentIntentId)}`);
  await tx
    .update(unlocks)
    .set({ refundedAt: sql`coalesce(${unlocks.refundedAt}, now())` })
    .where(eq(unlocks.id, unlock.id));
  await tx
    .update(leads)
    .set({ closedAt: sql`coalesce(${leads.closedAt}, now())`, codeActive: false })
    .where(eq(leads.id, lead.id));
  const tasks: NewStripeTask[] = [
    refundTask({
      checkoutSessionId: unlock.checkoutSessionId,
      paymentIntentId: unlock.paymentIntentId,
      leadId: lead.id,
      providerId: provider.id,
    }),
    ...(await expireOtherSessions(tx, lead.id, unlock.offerId)),
  ];
  const claimedTasks = await insertClaimed(tx, stripeTasks, tasks);
  const sms = opts.sms
    ? await insertClaimed(tx, smsMessages, [
        {
          kind: 'return_approved',
          recipients: [provider.phone],
          body: templates(provider.language).returnApprovedSms({
            code: lead.code,
            amountCents: unlock.amountCents,
            currency: unlock.currency,
          }),
          dedupeKey: `return-approved:${leadReturn.id}`,
          leadId: lead.id,
          providerId: provider.id,
        },
      ])
    : [];
  log.info('return approved', {
    returnId: leadReturn.id,
    leadId: lead.id,
    providerId: provider.id,
    auto: opts.auto,
  });
  return { leadReturn, after: { tasks: claimedTasks, sms } };
}

/** What a decided return answers when asked to be decided again. */
const alreadyDecided = (r: Pick<LeadReturn, 'status'>) =>
  conflict('return_decided', `This return is ${r.status} already; it is decided once`);

async function decidedOrMissing(tx: Tx, id: string): Promise<never> {
  const [r] = await tx.select({ status: leadReturns.status }).from(leadReturns).where(eq(leadReturns.id, id));
  throw r ? alreadyDecided(r) : notFound('No return with this id');
}

/** Runs what a decision queued: the refund (and expiries) and the SMS, within the request's budget. */
export async function runAfterCommit(db: Database, after: AfterCommit): Promise<void> {
  const deadline = inlineDeadline();
  await Promise.all([
    runClaimedStripeTasksNow(db, after.tasks, deadline),
    sendClaimedNow(db, after.sms, deadline),
  ]);
}

/** `POST /returns/{id}/approve`: the refund once and the SMS once; 409 once decided. */
export async function approveReturn(db: Database, id: string): Promise<LeadReturn> {
  const approval = await transaction(async (tx) => {
    const a = await approveInTx(tx, id, { auto: false, sms: true });
    return a ?? decidedOrMissing(tx, id);
  });
  await runAfterCommit(db, approval.after);
  return approval.leadReturn;
}

/** `POST /returns/{id}/decline`: the note kept and sent to the provider; 409 once decided. */
export async function declineReturn(db: Database, id: string, note: string): Promise<LeadReturn> {
  const { leadReturn, sms } = await transaction(async (tx) => {
    const [r] = await tx
      .update(leadReturns)
      .set({ status: 'declined', note, decidedAt: sql`now()` })
      .where(and(eq(leadReturns.id, id), eq(leadReturns.status, 'open')))
      .returning();
    if (!r) return decidedOrMissing(tx, id);
    const [row] = await tx
      .select({ code: leads.code, phone: providers.phone, language: providers.language })
      .from(leads)
      .innerJoin(providers, eq(providers.id, r.providerId))
      .where(eq(leads.id, r.leadId));
    const claimed = await insertClaimed(tx, smsMessages, [
      {
        kind: 'return_declined',
        recipients: [row!.phone],
        body: templates(row!.language).returnDeclinedSms(row!.code, note),
        dedupeKey: `return-declined:${r.id}`,
        leadId: r.leadId,
        providerId: r.providerId,
      },
    ]);
    log.info('return declined', { returnId: r.id, leadId: r.leadId, providerId: r.providerId });
    return { leadReturn: r, sms: claimed };
  });
  await runAfterCommit(db, { tasks: [], sms });
  return leadReturn;
}

/**
 * Opens a return of the purchase `where` names (see `openReturn`) and tells the provider by SMS,
 * as a BAD would be answered (opened, or approved at once with its refund); or the refusal, having
 * written nothing. The console's and the portal's way in.
 */
export async function openReturnAndTell(
  db: Database,
  where: SQL,
  input: NewReturn,
): Promise<
  { refused: ReturnRefusal; purchase?: Purchase } | { refused?: undefined; leadReturn: LeadReturn }
> {
  const opened = await transaction(async (tx) => {
    const opened = await openReturn(tx, where, input);
    if (opened.refused) return { refused: opened.refused, purchase: opened.purchase };
    const { purchase, approval } = opened;
    const t = templates(purchase.provider.language);
    const body = approval
      ? t.returnApprovedSms({
          code: purchase.lead.code,
          amountCents: purchase.unlock.amountCents,
          currency: purchase.unlock.currency,
        })
      : t.returnOpenedSms(purchase.lead.code);
    const sms = await insertClaimed(tx, smsMessages, [
      {
        kind: approval ? 'return_approved' : 'return_opened',
        recipients: [purchase.provider.phone],
        body,
        dedupeKey: `${approval ? 'return-approved' : 'return-opened'}:${opened.leadReturn.id}`,
        leadId: purchase.lead.id,
        providerId: purchase.provider.id,
      },
    ]);
    return {
      refused: undefined,
      leadReturn: opened.leadReturn,
      after: { tasks: approval?.after.tasks ?? [], sms },
    };
  });
  if (opened.refused) return opened;
  await runAfterCommit(db, opened.after);
  return { leadReturn: opened.leadReturn };
}

/**
 * `POST /unlocks/{id}/return`: an operator opens a return for the provider (a provider who
 * called, say), with the same rules as `BAD` by SMS, and the provider gets the same SMS.
 */
export async function openReturnFromConsole(
  db: Database,
  unlockId: string,
  input: { reason: ReturnReason; text: string | null },
): Promise<LeadReturn> {
  const opened = await openReturnAndTell(db, sql`u.id = ${unlockId}`, { ...input, source: 'console' });
  if (opened.refused === 'not_bought') throw notFound('No purchase with this id');
  if (opened.refused === 'window_closed') {
    throw conflict(
      'return_window_closed',
      `This purchase is more than ${config().returnWindowDays} days old (RETURN_WINDOW_DAYS)`,
    );
  }
  if (opened.refused) throw conflict('already_returned', 'This purchase has a return or a refund already');
  return opened.leadReturn;
}
