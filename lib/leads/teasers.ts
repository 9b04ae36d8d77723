import { sql, type SQL } from 'drizzle-orm';
import { jsonParam } from '../db/json-param';
import { claimedNow } from '../queue/work-queue';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../sms/language';
import { templates, type TeaserLead } from '../sms/templates';

/**
 * A lead's teasers, written the same way by every round that sends them: create-lead's, and the
 * aged round (lib/leads/age-leads.ts), which teases at the aged price.
 */

/**
 * The teaser in every registered language, as one JSON parameter `{"en": "…", "es": "…"}` (the
 * statement's text stays the same whatever the languages, for its prepared plan). A category's
 * slug reads as words ("pest-control": "pest control").
 */
export function teaserTexts(lead: TeaserLead): string {
  const words = { ...lead, category: lead.category.replaceAll('-', ' ') };
  return jsonParam(Object.fromEntries(LANGUAGES.map((l) => [l.code, templates(l.code).teaserSms(words)])));
}

/**
 * SQL: the language provider `p` gets the teaser in: theirs, or the default one for a code no
 * module has. Reads the statement's CTE `texts (by_language)`, bound to `teaserTexts`.
 */
export const teaserLanguageSql = (p: SQL): SQL =>
  sql`case when (select by_language ? ${p}.language from texts) then ${p}.language
    else ${DEFAULT_LANGUAGE}::text end`;

/**
 * SQL: inserts the teaser messages of one lead (returning them) for the matched providers `m`
 * (columns `phone`, `language`, `teaser_at`, `n` the order they were picked in), read `from` rows
 * where `leadId` names the lead. One message per language: `<key>` in the default language,
 * `<key>:<code>` in each other (`teaser:<lead>:es`), so each language is one TextMagic request.
 * Providers outside their teaser hours get theirs queued for the start of their next: one row
 * per language and start, keyed `<key>[:<code>]:<start, epoch seconds>`. Those due now are written
 * claimed for this request (`claim`: create-lead sends them after commit), or queued due now for
 * the dispatcher's run that wrote them.
 */
export function insertTeasersSql(o: { from: SQL; leadId: SQL; key: SQL; claim: boolean }): SQL {
  const deferred = sql`m.teaser_at > now()`;
  const now = o.claim ? claimedNow : { attempts: 0, nextAttemptAt: sql`now()` };
  return sql`insert into sms_messages (kind, recipients, body, dedupe_key, lead_id, attempts, next_attempt_at)
    select 'teaser', array_agg(m.phone order by m.n),
      (select by_language ->> m.language from texts),
      ${o.key} || case when m.language = ${DEFAULT_LANGUAGE} then '' else ':' || m.language end
        || case when ${deferred} then ':' || extract(epoch from m.teaser_at)::int8 else '' end,
      ${o.leadId},
      case when ${deferred} then 0 else ${now.attempts} end,
      case when ${deferred} then m.teaser_at else ${now.nextAttemptAt} end
    from ${o.from} group by ${o.leadId}, m.language, m.teaser_at
    order by m.language, m.teaser_at
    returning *`;
}
