import * as z from 'zod/mini';
import { cursorParam, optionalText, pageLimit, text } from '../http/fields';
import { lazy } from '../lazy';
import { MAX_REASON_TEXT } from '../sms/parse-reply';
import { MAX_DECLINE_NOTE, RETURN_REASONS } from '../sms/return-reason';

/** The admin API's returns routes. */

/** `GET /returns`: the queue by status (open by default), newest first, a page at a time. */
export const returnListQuery = lazy(() =>
  z.object({
    status: z._default(
      z.enum(['open', 'approved', 'declined'], { error: 'must be open, approved or declined' }),
      'open',
    ),
    cursor: cursorParam(),
    limit: pageLimit(),
  }),
);
export type ReturnListQuery = z.output<ReturnType<typeof returnListQuery>>;

/** `POST /returns/{id}/decline`: the note the provider is sent. */
export const declineReturnInput = lazy(() => z.object({ note: text(MAX_DECLINE_NOTE) }));

/** `POST /unlocks/{id}/return`: a return an operator opens for the provider. */
export const consoleReturnInput = lazy(() =>
  z.object({
    reason: z.enum(RETURN_REASONS, { error: `must be one of ${RETURN_REASONS.join(', ')}` }),
    text: optionalText(MAX_REASON_TEXT),
  }),
);
