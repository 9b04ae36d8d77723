import { sql } from 'drizzle-orm';

/**
 * A row exists when the console has an owner who can sign in: active, with a password set (an
 * owner still invited cannot, so until they accept, the admin key still signs in to the console).
 */
export const ACTIVE_OWNER = sql`select 1 from operators
  where role = 'owner' and active and password_hash is not null`;
