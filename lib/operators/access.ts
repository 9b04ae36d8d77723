/**
 * What each role may do (docs/operators.md). Every admin route names its access level in
 * lib/http/routes.ts and its handler asks `requireAdmin(req, level)` (lib/http/auth.ts);
 * tests/integration/operator-roles.test.ts tries every route with every role against the table.
 */
import { AppError } from '../errors';

export type Role = 'owner' | 'staff' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'staff', 'viewer'];

/**
 * - `read`: look (every role);
 * - `change`: the daily work on leads, providers, returns and SMS (staff and owners);
 * - `money`: what moves or gives up money and cannot be undone: approving a return (the
 *   refund), erasing a client (which refunds a buyer whose details had not gone out); staff
 *   while the team's setting allows it, owners always;
 * - `owner`: operators, the team's setting, and what decides what the business sells and
 *   takes in: the catalogue's categories and prices, the form tools' intake sources;
 * - `self`: the signed-in operator's own account (their second factor): any operator, never
 *   the admin key, which is no one's account.
 */
export type Access = 'read' | 'change' | 'money' | 'owner' | 'self';
export const ACCESS_LEVELS: readonly Access[] = ['read', 'change', 'money', 'owner', 'self'];

/** Who is asking: an operator's role, or the admin key (every level but `self`). */
export type Holder = { kind: 'operator'; role: Role; staffMoneyActions: boolean } | { kind: 'api_key' };

/** Why `holder` may not act at `access`, or undefined when it may. */
export function refusal(holder: Holder, access: Access): string | undefined {
  if (holder.kind === 'api_key') {
    return access === 'self' ? 'This is an operator’s own account: sign in to the console as one' : undefined;
  }
  const { role } = holder;
  if (access === 'read' || access === 'self' || role === 'owner') return undefined;
  if (access === 'owner') return `This needs the owner role (you are ${role})`;
  if (role === 'viewer') return 'Viewers can look but not change anything: ask an owner for the staff role';
  if (access === 'money' && !holder.staffMoneyActions) {
    return 'Money actions are turned off for staff: an owner can turn them on, or do this';
  }
  return undefined;
}

/** 403 `forbidden_role`, its message naming what is needed. */
export function requireAccess(holder: Holder, access: Access): void {
  const why = refusal(holder, access);
  if (why !== undefined) {
    throw new AppError(403, 'forbidden_role', why, {
      access,
      ...(holder.kind === 'operator' && { role: holder.role }),
    });
  }
}

/** What the console may offer an operator: the same rule, for hiding what they cannot use. */
export const canDo = (holder: Holder): Record<Exclude<Access, 'self'>, boolean> => ({
  read: refusal(holder, 'read') === undefined,
  change: refusal(holder, 'change') === undefined,
  money: refusal(holder, 'money') === undefined,
  owner: refusal(holder, 'owner') === undefined,
});
