/**
 * The console's operators (docs/operators.md): invited by an owner (or the admin key) with a
 * one-time link, which sets their password; their role and whether they are active; their
 * sessions ended on demand. The link's token travels in the URL's fragment (never sent to a
 * server, so never in an access log) and is stored only as its SHA-256.
 */
import { sql } from 'drizzle-orm';
import { config } from '../config';
import { getDb, rows, transaction, type Queryable, type Tx } from '../db/client';
import { conflict, notFound } from '../errors';
import { newToken, tokenHash } from '../http/session-token';
import type { Role } from './access';

export const INVITE_TTL_DAYS = 7;

export type OperatorView = {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  /** `invited` until the invite is accepted, `active`, or `deactivated`. */
  status: 'invited' | 'active' | 'deactivated';
  totp: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  /** The latest invite's expiry while the operator has no password; else null. */
  inviteExpiresAt: string | null;
};

type OperatorRow = {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  has_password: boolean;
  totp: boolean;
  created_at: string | Date;
  last_sign_in_at: string | Date | null;
  invite_expires_at: string | Date | null;
};

const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString());

const view = (r: OperatorRow): OperatorView => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  active: r.active,
  status: !r.active ? 'deactivated' : r.has_password ? 'active' : 'invited',
  totp: r.totp,
  createdAt: iso(r.created_at)!,
  lastSignInAt: iso(r.last_sign_in_at),
  inviteExpiresAt: r.has_password ? null : iso(r.invite_expires_at),
});

const SELECT = sql`select o.id, o.email, o.name, o.role, o.active, o.password_hash is not null as has_password,
    o.totp_secret is not null as totp, o.created_at, o.last_sign_in_at,
    (select max(i.expires_at) from operator_invites i
      where i.operator_id = o.id and i.used_at is null) as invite_expires_at
  from operators o`;

/** The link an invitee opens: the console's invite page, the token in the fragment. */
export const inviteUrl = (token: string): string =>
  `${config().publicBaseUrl.replace(/\/+$/, '')}/admin/invite#${token}`;

export type Invite = { inviteUrl: string; inviteExpiresAt: string };

/** A new invite for `operatorId`, replacing any earlier one. */
async function issueInvite(tx: Tx, operatorId: string): Promise<Invite> {
  const token = newToken();
  const [row] = await rows<{ expires_at: string | Date }>(
    tx,
    'invite_issue',
    sql`with old as (delete from operator_invites where operator_id = ${operatorId})
        insert into operator_invites (token_hash, operator_id, expires_at)
        values (${tokenHash(token)}, ${operatorId}, now() + make_interval(days => ${INVITE_TTL_DAYS}))
        returning expires_at`,
  );
  return { inviteUrl: inviteUrl(token), inviteExpiresAt: iso(row!.expires_at)! };
}

export type NewOperator = { email: string; name: string; role: Role };

/** `POST /operators`: the operator, invited; 409 `operator_exists` for an e-mail taken (any case). */
export async function createOperator(input: NewOperator): Promise<{ id: string } & Invite> {
  return transaction(async (tx) => {
    const [created] = await rows<{ id: string }>(
      tx,
      'operator_create',
      sql`insert into operators (email, name, role) values (${input.email}, ${input.name}, ${input.role})
          on conflict ((lower(email))) do nothing returning id`,
    );
    if (!created) throw conflict('operator_exists', 'An operator with this e-mail already exists');
    return { id: created.id, ...(await issueInvite(tx, created.id)) };
  });
}

export async function listOperators(db: Queryable): Promise<OperatorView[]> {
  const found = await rows<OperatorRow>(db, 'operator_list', sql`${SELECT} order by o.created_at, o.id`);
  return found.map(view);
}

export async function getOperator(db: Queryable, id: string): Promise<OperatorView> {
  const [found] = await rows<OperatorRow>(db, 'operator_get', sql`${SELECT} where o.id = ${id}`);
  if (!found) throw notFound('No operator with this id');
  return view(found);
}

export type OperatorPatch = { role?: Role; active?: boolean; name?: string };

/**
 * `PATCH /operators/{id}`: role, active, name. Deactivating ends their sessions at once (and their
 * session lookups refuse an inactive operator anyway). The console keeps at least one owner who
 * can sign in: a change that would leave none is 409 `last_owner`. The owners are locked in one
 * order first, so two owners demoting each other at once cannot both succeed.
 */
export async function updateOperator(id: string, patch: OperatorPatch): Promise<OperatorView> {
  await transaction(async (tx) => {
    const locked = await rows<{ id: string; signs_in_as_owner: boolean }>(
      tx,
      'operator_lock_owners',
      sql`select id, (role = 'owner' and active and password_hash is not null) as signs_in_as_owner
          from operators
          where id = ${id} or (role = 'owner' and active and password_hash is not null)
          order by id for update`,
    );
    const target = locked.find((r) => r.id === id);
    if (!target) throw notFound('No operator with this id');
    const staysOwner = (patch.role ?? 'owner') === 'owner' && patch.active !== false;
    const others = locked.filter((r) => r.id !== id && r.signs_in_as_owner);
    if (target.signs_in_as_owner && !staysOwner && others.length === 0) {
      throw conflict(
        'last_owner',
        'This is the last owner who can sign in: make another operator owner first',
      );
    }
    await rows(
      tx,
      'operator_update',
      sql`update operators set
            role = coalesce(${patch.role ?? null}, role),
            active = coalesce(${patch.active ?? null}::boolean, active),
            name = coalesce(${patch.name ?? null}, name),
            updated_at = now()
          where id = ${id}`,
    );
    if (patch.active === false) await endOperatorSessions(tx, id);
  });
  return getOperator(await getDb(), id);
}

/** Ends every console session of the operator (`POST /operators/{id}/sign-out`): how many. */
export async function endOperatorSessions(db: Queryable, id: string): Promise<number> {
  const ended = await rows(
    db,
    'operator_sessions_end',
    sql`delete from admin_sessions where operator_id = ${id} returning 1`,
  );
  return ended.length;
}

/**
 * `POST /operators/{id}/invite`: a new link for an operator who has not set a password (the old
 * one stops working); 409 `password_set` once they have, `inactive` for one deactivated.
 */
export async function reinvite(id: string): Promise<Invite> {
  return transaction(async (tx) => {
    const [found] = await rows<{ active: boolean; has_password: boolean }>(
      tx,
      'operator_reinvite_lock',
      sql`select active, password_hash is not null as has_password from operators where id = ${id} for update`,
    );
    if (!found) throw notFound('No operator with this id');
    if (found.has_password) {
      throw conflict('password_set', 'This operator has set a password already: they sign in with it');
    }
    if (!found.active) throw conflict('inactive', 'This operator is deactivated: reactivate them first');
    return issueInvite(tx, id);
  });
}
