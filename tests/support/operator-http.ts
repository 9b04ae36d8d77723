/**
 * Operators over HTTP, for tests against a running server (browser tests): no handler imported,
 * so nothing starts in the test's own process. tests/support/operators.ts does the same in process.
 */
import { randomUUID } from 'node:crypto';
import { SESSION_COOKIE } from '../../lib/console/session';
import type { Role } from '../../lib/operators/access';

export const OPERATOR_PASSWORD = 'correct horse battery staple';

/** A fresh e-mail address, unique in the run. */
export const newEmail = (who = 'op') => `${who}-${randomUUID().slice(0, 8)}@team.example.test`;

/** The token an invite URL carries in its fragment. */
export const inviteToken = (inviteUrl: string): string => new URL(inviteUrl).hash.slice(1);

/**
 * Over HTTP at `baseUrl` (browser tests): an operator of `role` invited with `adminKey`, signed up;
 * the `lu_session` value of their session.
 */
export async function httpOperator(
  baseUrl: string,
  adminKey: string,
  role: Role,
): Promise<{ id: string; email: string; password: string; session: string }> {
  const email = newEmail(role);
  const created = await fetch(new URL('/operators', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: `Test ${role}`, role }),
  });
  const body = (await created.json()) as { id: string; inviteUrl: string };
  if (created.status !== 201)
    throw new Error(`POST /operators answered ${created.status}: ${JSON.stringify(body)}`);
  const res = await fetch(new URL('/admin/invite', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(baseUrl).origin },
    body: JSON.stringify({ token: inviteToken(body.inviteUrl), password: OPERATOR_PASSWORD }),
  });
  await res.arrayBuffer();
  const session = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (res.status !== 200 || !session) throw new Error(`POST /admin/invite answered ${res.status}`);
  return { id: body.id, email, password: OPERATOR_PASSWORD, session };
}
