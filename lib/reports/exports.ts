import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { badRequest } from '../errors';
import { leadStatus } from '../leads/lead-status';
import { toCsv, type CsvValue } from './csv';
import { statsRange, type ExportQuery } from './stats-query';

/**
 * CSV exports of a range of whole UTC days (`GET /exports/{kind}`): the leads created in it (with
 * the client's contact details: admin only, never logged), the purchases paid in it, and the
 * refunds of purchases made in it.
 *
 * One answer, not a stream: API Gateway hands the client a Lambda function's answer whole, and
 * Lambda answers at most 6 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * "Invocation payload (request and response)": 6 MB each for synchronous invocations). So an
 * export holds at most MAX_ROWS rows and MAX_BYTES bytes; a range with more is a 400 that says
 * to export a shorter one.
 */
export const EXPORT_KINDS = ['leads', 'purchases', 'refunds'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const MAX_ROWS = 10_000;
/** Below Lambda's 6 MB, leaving room for the headers. */
export const MAX_BYTES = 5 * 1024 * 1024;

const DAY_MS = 86_400_000;
/** A time as ISO 8601 in UTC, whichever way the driver gave it. */
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const when = (v: unknown) => iso((v ?? null) as Date | string | null);

type Range = { from: Date; end: Date };

const LEAD_COLUMNS = [
  'id',
  'code',
  'created_at',
  'status',
  'category',
  'zip_code',
  'city',
  'name',
  'phone',
  'email',
  'budget',
  'description',
  'price_cents',
  'currency',
  'max_unlocks',
  'unlock_count',
  'offered_to',
  'revenue_cents',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'duplicate_of',
  'unmatched_reason',
  'closed_at',
  'erased_at',
] as const;

async function leadRows(db: Database, r: Range) {
  type Row = Record<(typeof LEAD_COLUMNS)[number], CsvValue> & {
    expires_at: string;
    created: string;
    closed: string | null;
    erased: string | null;
  };
  const found = await rows<Row>(
    db,
    'export_leads',
    sql`select l.id, l.code, l.created_at as created, l.category, l.zip_code, l.city, l.name, l.phone,
        l.email, l.budget, l.description, l.price_cents, l.currency, l.max_unlocks, l.unlock_count,
        l.expires_at, l.closed_at as closed, l.erased_at as erased,
        (select count(*)::int from offers o where o.lead_id = l.id) as offered_to,
        (select coalesce(sum(u.amount_cents), 0)::int from unlocks u
          where u.lead_id = l.id and u.refunded_at is null) as revenue_cents,
        l.source ->> 'utmSource' as utm_source, l.source ->> 'utmMedium' as utm_medium,
        l.source ->> 'utmCampaign' as utm_campaign, l.duplicate_of, l.unmatched_reason
      from leads l
      where l.created_at >= ${r.from.toISOString()}::timestamptz and l.created_at < ${r.end.toISOString()}::timestamptz
      order by l.created_at, l.id
      limit ${MAX_ROWS + 1}`,
  );
  return {
    columns: LEAD_COLUMNS,
    rows: found.map((l) => ({
      ...l,
      created_at: iso(l.created),
      closed_at: iso(l.closed),
      erased_at: iso(l.erased),
      status: leadStatus({
        unlockCount: Number(l.unlock_count),
        maxUnlocks: Number(l.max_unlocks),
        expiresAt: new Date(l.expires_at),
        closedAt: l.closed === null ? null : new Date(l.closed),
      }),
    })),
  };
}

const PURCHASE_COLUMNS = [
  'id',
  'paid_at',
  'lead_id',
  'lead_code',
  'category',
  'zip_code',
  'provider_id',
  'provider_name',
  'amount_cents',
  'currency',
  'paid_with',
  'checkout_session_id',
  'payment_intent_id',
  'refunded_at',
] as const;

async function purchaseRows(db: Database, r: Range) {
  const found = await rows<Record<(typeof PURCHASE_COLUMNS)[number], CsvValue>>(
    db,
    'export_purchases',
    sql`select u.id, u.created_at as paid_at, u.lead_id, l.code as lead_code, l.category,
        l.zip_code, u.provider_id, p.name as provider_name, u.amount_cents, u.currency, u.paid_with,
        u.checkout_session_id, u.payment_intent_id, u.refunded_at
      from unlocks u join leads l on l.id = u.lead_id join providers p on p.id = u.provider_id
      where u.created_at >= ${r.from.toISOString()}::timestamptz and u.created_at < ${r.end.toISOString()}::timestamptz
      order by u.created_at, u.id
      limit ${MAX_ROWS + 1}`,
  );
  return {
    columns: PURCHASE_COLUMNS,
    rows: found.map((u) => ({ ...u, paid_at: when(u.paid_at), refunded_at: when(u.refunded_at) })),
  };
}

const REFUND_COLUMNS = [
  'purchase_id',
  'refunded_at',
  'paid_at',
  'lead_id',
  'lead_code',
  'provider_id',
  'provider_name',
  'amount_cents',
  'currency',
  'reason',
  'return_id',
  'payment_intent_id',
] as const;

/**
 * Purchases refunded in the range: `reason` `return` (a return approved), else `other` (from
 * Stripe's dashboard, or a buyer whose details were withdrawn by an erasure). Payments refunded
 * past the cap or expiry never became purchases: GET /stripe/tasks lists those.
 */
async function refundRows(db: Database, r: Range) {
  const found = await rows<Record<(typeof REFUND_COLUMNS)[number], CsvValue>>(
    db,
    'export_refunds',
    sql`select u.id as purchase_id, u.refunded_at,
        u.created_at as paid_at, u.lead_id, l.code as lead_code, u.provider_id,
        p.name as provider_name, u.amount_cents, u.currency,
        case when r.id is null then 'other' else 'return' end as reason, r.id as return_id, u.payment_intent_id
      from unlocks u join leads l on l.id = u.lead_id join providers p on p.id = u.provider_id
      left join lead_returns r on r.unlock_id = u.id and r.status = 'approved'
      where u.refunded_at >= ${r.from.toISOString()}::timestamptz and u.refunded_at < ${r.end.toISOString()}::timestamptz
      order by u.refunded_at, u.id
      limit ${MAX_ROWS + 1}`,
  );
  return {
    columns: REFUND_COLUMNS,
    rows: found.map((u) => ({ ...u, paid_at: when(u.paid_at), refunded_at: when(u.refunded_at) })),
  };
}

const tooLarge = (what: string) =>
  badRequest(
    'export_too_large',
    `This range has ${what}: export a shorter range. An export is one answer of at most ${MAX_ROWS.toLocaleString('en-US')} rows and 5 MB (Lambda answers at most 6 MB; it cannot be streamed)`,
  );

/** The CSV of `kind` over the query's days, and its file name; 400 `export_too_large` past the caps. */
export async function exportCsv(
  db: Database,
  kind: ExportKind,
  q: ExportQuery,
): Promise<{ name: string; csv: string; rows: number }> {
  const { from, to } = statsRange(q);
  const range = { from, end: new Date(to.getTime() + DAY_MS) };
  const { columns, rows: found } =
    kind === 'leads'
      ? await leadRows(db, range)
      : kind === 'purchases'
        ? await purchaseRows(db, range)
        : await refundRows(db, range);
  if (found.length > MAX_ROWS) throw tooLarge(`more than ${MAX_ROWS.toLocaleString('en-US')} rows`);
  const csv = toCsv<string>(columns, found as Array<Record<string, CsvValue>>);
  if (Buffer.byteLength(csv) > MAX_BYTES) throw tooLarge('more than 5 MB of data');
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { name: `${kind}-${day(from)}-to-${day(to)}.csv`, csv, rows: found.length };
}
