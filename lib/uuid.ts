import { regexes } from 'zod/v4/core';
import { lazy } from './lazy';

const UUID = lazy(() => regexes.uuid());

/**
 * Ids we put in Stripe metadata are UUIDs; anything else belongs to another integration. zod's
 * own pattern (the one `z.uuid` checks in lib/validation.ts), without zod/mini, which sets its
 * locale when imported: the Stripe webhook then carries no zod.
 */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID().test(v);
