/**
 * Which SMS go first when the send rate is the bottleneck (issue 26): a paid client's details,
 * then what answers a provider who is waiting on their phone (a pay link, a charge's outcome,
 * HELP), then teasers. A smaller number goes first.
 */
export const DETAILS_PRIORITY = 0;
export const ANSWER_PRIORITY = 1;
export const TEASER_PRIORITY = 2;

export type SmsPriority = typeof DETAILS_PRIORITY | typeof ANSWER_PRIORITY | typeof TEASER_PRIORITY;

/** The priority of a message of `kind` (the SQL twin below is `sms_messages.priority`). */
export const smsPriority = (kind: string): SmsPriority =>
  kind === 'details' ? DETAILS_PRIORITY : kind === 'teaser' ? TEASER_PRIORITY : ANSWER_PRIORITY;

/** `sms_messages.priority`'s expression, a stored generated column: the claims order by it. */
export const PRIORITY_SQL = `case "kind" when 'details' then ${DETAILS_PRIORITY} when 'teaser' then ${TEASER_PRIORITY} else ${ANSWER_PRIORITY} end`;
