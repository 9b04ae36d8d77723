/**
 * An operator's own account: accepting the invite (the password, then signed in), the console's
 * view of who is signed in, and the TOTP second factor: enrolled in two steps (a secret shown
 * once, taking effect only when a code from it is confirmed) and turned off with a code.
 */
import { sql } from 'drizzle-orm';
import { config } from '../config';
import { rows, transaction, type Queryable } from '../db/client';
import { AppError, conflict, notFound } from '../errors';
import { tokenHash } from '../http/session-token';
import type { Actor } from '../http/auth';
import type { Role } from './access';
import { hashPassword } from './password';
import { matchTotp, newTotpSecret, otpauthUri } from './totp';

const badInvite = () =>
  new AppError(
    410,
    'invite_not_valid',
    'This invite link is not valid: it was used already, has expired, or was replaced. Ask an owner for a new one',
  );

const INVITE_LIVE = sql`i.used_at is null and i.expires_at > now() and o.active and o.password_hash is null`;

/**
 * `POST /admin/invite`: sets the invitee's password and spends the link, in one transaction (two
 * tabs accepting at once: one wins, the other gets 410). The link is checked before the password
 * is hashed, so a stream of made-up tokens costs no scrypt time. The operator's id, to sign in.
 */
export async function acceptInvite(db: Queryable, token: string, password: string): Promise<string> {
  const hash = tokenHash(token);
  const [live] = await rows(
    db,
    'invite_check',
    sql`select 1 from operator_invites i join operators o on o.id = i.operator_id
        where i.token_hash = ${hash} and ${INVITE_LIVE}`,
  );
  if (!live) throw badInvite();
  const passwordHash = await hashPassword(password);
  return transaction(async (tx) => {
    const [used] = await rows<{ operator_id: string }>(
      tx,
      'invite_use',
      sql`update operator_invites i set used_at = now() from operators o
          where i.token_hash = ${hash} and o.id = i.operator_id and ${INVITE_LIVE}
          returning i.operator_id`,
    );
    if (!used) throw badInvite();
    await rows(
      tx,
      'invite_password',
      sql`update operators set password_hash = ${passwordHash}, last_sign_in_at = now(), updated_at = now()
          where id = ${used.operator_id}`,
    );
    await rows(
      tx,
      'invite_others_end',
      sql`delete from operator_invites where operator_id = ${used.operator_id} and token_hash <> ${hash}`,
    );
    return used.operator_id;
  });
}

export type Me = { id: string; name: string; email: string; role: Role; totp: boolean };

/** `GET /admin/session`'s answer: who is signed in, what they may do now. */
export type SessionView = {
  signedIn: true;
  actor: Actor;
  role: Role;
  moneyActions: boolean;
  /** Null for the admin key's session (before any owner exists, or a Bearer call). */
  operator: Me | null;
};

export async function me(db: Queryable, id: string): Promise<Me> {
  const [row] = await rows<Me>(
    db,
    'operator_me',
    sql`select id, name, email, role, totp_secret is not null as totp from operators where id = ${id}`,
  );
  if (!row) throw notFound('No such operator');
  return row;
}

type TotpState = { email: string; secret: string | null; pending: string | null; last: string | null };

async function totpState(db: Queryable, id: string, lock = false): Promise<TotpState> {
  const [row] = await rows<TotpState>(
    db,
    'operator_totp_state',
    sql`select email, totp_secret as secret, totp_pending_secret as pending, totp_last_step as last
        from operators where id = ${id} ${lock ? sql`for update` : sql``}`,
  );
  if (!row) throw notFound('No such operator');
  return row;
}

const wrongCode = () =>
  new AppError(400, 'invalid_code', 'That code is not right (or was used already): try the current one');

/** Step 1: a new secret, not yet in force: `{ secret, uri }` for the authenticator app. */
export async function startTotp(db: Queryable, id: string): Promise<{ secret: string; uri: string }> {
  const state = await totpState(db, id);
  if (state.secret !== null) throw conflict('totp_on', 'The second factor is on already: turn it off first');
  const secret = newTotpSecret();
  await rows(
    db,
    'operator_totp_start',
    sql`update operators set totp_pending_secret = ${secret}, updated_at = now() where id = ${id}`,
  );
  return { secret, uri: otpauthUri(secret, state.email, config().smsBrandName ?? 'Lead Unlock') };
}

/** Step 2: a code from the new secret puts it in force. */
export async function confirmTotp(id: string, code: string): Promise<{ totp: true }> {
  return transaction(async (tx) => {
    const state = await totpState(tx, id, true);
    if (state.secret !== null) throw conflict('totp_on', 'The second factor is on already');
    if (state.pending === null)
      throw conflict('totp_not_started', 'Start setting up the second factor first');
    const step = matchTotp(state.pending, code, Date.now() / 1000, null);
    if (step === undefined) throw wrongCode();
    await rows(
      tx,
      'operator_totp_confirm',
      sql`update operators set totp_secret = totp_pending_secret, totp_pending_secret = null,
            totp_last_step = ${step}, updated_at = now()
          where id = ${id}`,
    );
    return { totp: true as const };
  });
}

/** Turns the second factor off, with a current code (the password alone no longer suffices to). */
export async function turnOffTotp(id: string, code: string): Promise<{ totp: false }> {
  return transaction(async (tx) => {
    const state = await totpState(tx, id, true);
    if (state.secret === null) throw conflict('totp_off', 'The second factor is not on');
    const step = matchTotp(
      state.secret,
      code,
      Date.now() / 1000,
      state.last === null ? null : Number(state.last),
    );
    if (step === undefined) throw wrongCode();
    await rows(
      tx,
      'operator_totp_off',
      sql`update operators set totp_secret = null, totp_pending_secret = null, totp_last_step = null,
            updated_at = now()
          where id = ${id}`,
    );
    return { totp: false as const };
  });
}
