import * as z from 'zod/mini';
import { stripNul, hasNoNul } from '../http/body';
import { idCursor, NUL_MESSAGE, pageLimit } from '../http/fields';
import { lazy } from '../lazy';

/** TextMagic's callbacks, and the admin API's SMS routes. */

/** A TextMagic id: a string or a non-negative integer, kept as a string. */
const textMagicId = () =>
  z.pipe(
    z.union([z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), z.int().check(z.nonnegative())]),
    z.transform(String).check(z.refine(hasNoNul, NUL_MESSAGE)),
  );
const digits = () => z.pipe(z.union([z.string(), z.number()]), z.transform(String));

/** TextMagic's inbound SMS callback (numbers without "+", as TextMagic sends them). */
export const inboundSmsInput = lazy(() =>
  z.object({
    id: textMagicId(),
    sender: z.pipe(digits(), z.string().check(z.regex(/^\+?\d{7,15}$/, 'must be a phone number in digits'))),
    receiver: z.optional(z.pipe(digits(), z.transform(stripNul))),
    text: z.pipe(z._default(z.string().check(z.maxLength(2000)), ''), z.transform(stripNul)),
    messageTime: z.optional(z.pipe(z.string().check(z.maxLength(64)), z.transform(stripNul))),
  }),
);

/** TextMagic's delivery report callback. */
export const deliveryReportInput = lazy(() =>
  z.object({
    id: textMagicId(),
    status: z.string().check(z.trim(), z.minLength(1), z.maxLength(8), z.refine(hasNoNul, NUL_MESSAGE)),
    receiver: z.optional(digits()),
    sessionId: z.optional(textMagicId()),
  }),
);

// ------------------------------------------------------------------------------------------
// Admin: the SMS needing the operator, Stripe follow-ups

/** An outbox row's id (a bigserial) in a path: digits, within JavaScript's safe integers. */
export const smsIdParam = lazy(() =>
  z.pipe(z.string().check(z.regex(/^[1-9]\d{0,14}$/, 'must be an SMS id')), z.transform(Number)),
);

/** `GET /sms?status=failed|attention&cursor=&limit=`. */
export const smsListQuery = lazy(() =>
  z.object({
    status: z._default(
      z.enum(['failed', 'attention'], { error: 'must be failed or attention' }),
      'attention',
    ),
    cursor: idCursor(),
    limit: pageLimit(),
  }),
);
export type SmsListQuery = z.output<ReturnType<typeof smsListQuery>>;
