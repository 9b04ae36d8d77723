/**
 * `ACCOUNT` (`CUENTA`) by SMS: a one-time sign-in link to the provider portal, for a known, active,
 * opted-in provider, at most MAX_LINKS_PER_WINDOW in LINK_TTL_MINUTES. Past that, one short SMS
 * says when a new link may be asked, and further ACCOUNTs in the window get nothing: each answer is
 * an SMS paid for, and the hourly answer limit (lib/messaging/handle-reply.ts) caps the rest.
 */
import { sql } from 'drizzle-orm';
import { config } from '../config';
import { rows, type Tx } from '../db/client';
import { createLink, LINK_PATH, LINK_TTL_MINUTES } from './session';

/** Links one provider may get in LINK_TTL_MINUTES (counted in portal_links, by portal_links_provider_idx). */
export const MAX_LINKS_PER_WINDOW = 3;

/** The link put in the SMS: `PUBLIC_BASE_URL/portal/s/<token>`. */
export const portalLinkUrl = (token: string): string => `${config().publicBaseUrl}${LINK_PATH}${token}`;

export type LinkRequest =
  /**
   * Nothing to send: an unknown, paused or opted-out sender, one past the hourly answer limit, a
   * TextMagic id seen already, or a wait told already.
   */
  | { kind: 'none' }
  | { kind: 'link'; token: string }
  /** Past the limit: a new link may be asked in `minutes`. */
  | { kind: 'wait'; minutes: number };

/**
 * Inside the reply's transaction, before the reply is recorded: the sender's row is locked first,
 * so that the links counted after it (a statement of its own, with a snapshot taken after the
 * lock) include those of every earlier ACCOUNT of theirs, and a burst makes no more than the limit.
 */
export async function requestLink(
  tx: Tx,
  phone: string,
  inboundSmsId: string,
  maxAnswersPerHour: number,
): Promise<LinkRequest> {
  // Eligible, and not past the hourly answer limit (which would record the link, and not send it).
  const [sender] = await rows<{ id: string; eligible: boolean }>(
    tx,
    'portal_link_sender',
    sql`select id, active and not opted_out
          and (answers_window_started_at is null or answers_window_started_at <= now() - interval '1 hour'
            or answers_in_window < ${maxAnswersPerHour}) as eligible
        from providers where phone = ${phone} for update`,
  );
  if (!sender?.eligible) return { kind: 'none' };
  const window = sql`make_interval(mins => ${LINK_TTL_MINUTES})`;
  const [recent] = await rows<{ seen: boolean; links: number; minutes: number | null; told: boolean }>(
    tx,
    'portal_link_recent',
    sql`with recent as (
          select count(*)::int as links, min(created_at) as first from portal_links
          where provider_id = ${sender.id} and created_at > now() - ${window}
        )
        select exists (select from inbound_sms where id = ${inboundSmsId}) as seen, links,
          greatest(1, ceil(extract(epoch from first + ${window} - now()) / 60))::int as minutes,
          exists (select from sms_messages m where m.provider_id = ${sender.id}
            and m.kind = 'portal_wait' and m.created_at >= recent.first) as told
        from recent`,
  );
  if (!recent || recent.seen) return { kind: 'none' };
  if (recent.links < MAX_LINKS_PER_WINDOW) return { kind: 'link', token: await createLink(tx, sender.id) };
  return recent.told ? { kind: 'none' } : { kind: 'wait', minutes: recent.minutes ?? LINK_TTL_MINUTES };
}
