/**
 * Roles on every admin route, driven by the route table (lib/http/routes.ts): each route with an
 * access level is called as a viewer, as staff, as staff with money actions off, as an owner and
 * with the admin key, and must answer 403 `forbidden_role` exactly where the level says, and
 * anything else (its own 2xx, 400 or 404 for the made-up ids) where it does not. A route added to
 * the table is covered with no change here; the hand-written lists below make the test fail when
 * the table's levels are wrong.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as operatorsFn } from '../../functions/operators';
import { handlerFile, ROUTES, routeKey, type RouteSpec } from '../../lib/http/routes';
import type { Access } from '../../lib/operators/access';
import { invoke, type Reply } from '../../emulators/events';
import { KEYS, useApp } from '../support/app';
import { as, operatorWithRole, type TestOperator } from '../support/operators';

useApp();

/** What the business decided (docs/operators.md); the table must say the same. */
const MONEY = ['POST /returns/{id}/approve', 'POST /privacy/erasures'];
const OWNER = [
  'POST /categories',
  'PATCH /categories/{slug}',
  'PUT /intake/sources/{source}',
  'POST /operators',
  'GET /operators',
  'PATCH /operators/{id}',
  'POST /operators/{id}/invite',
  'POST /operators/{id}/sign-out',
  'GET /team/settings',
  'PATCH /team/settings',
  'GET /audit',
];
const SELF = ['POST /admin/account/totp', 'POST /admin/account/totp/confirm', 'POST /admin/account/totp/off'];

const GATED: readonly RouteSpec[] = ROUTES.filter((r: RouteSpec) => r.access !== undefined);

type Holder = 'viewer' | 'staff' | 'staff, money off' | 'owner' | 'admin key';
const HOLDERS: Holder[] = ['viewer', 'staff', 'staff, money off', 'owner', 'admin key'];

/** Where the access levels allow each holder (lib/operators/access.ts, as docs/operators.md says). */
const ALLOWED: Record<Access, Holder[]> = {
  read: ['viewer', 'staff', 'staff, money off', 'owner', 'admin key'],
  change: ['staff', 'staff, money off', 'owner', 'admin key'],
  money: ['staff', 'owner', 'admin key'],
  owner: ['owner', 'admin key'],
  self: ['viewer', 'staff', 'staff, money off', 'owner'],
};

let ops: Record<'viewer' | 'staff' | 'owner', TestOperator>;

const setMoney = async (on: boolean) => {
  const res = await invoke(operatorsFn, {
    method: 'PATCH',
    path: '/team/settings',
    headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ staffMoneyActions: on }),
  });
  expect(res.status, res.text).toBe(200);
};

beforeAll(async () => {
  ops = {
    viewer: await operatorWithRole('viewer'),
    staff: await operatorWithRole('staff'),
    owner: await operatorWithRole('owner'),
  };
});
afterAll(() => setMoney(true));

describe('the route table', () => {
  it('gives every admin and operator route an access level, and only those', () => {
    for (const r of ROUTES as readonly RouteSpec[]) {
      expect(r.access !== undefined, routeKey(r)).toBe(r.who === 'admin' || r.who === 'operator');
    }
  });

  it('names exactly the money, owner and own-account routes the business decided', () => {
    const by = (level: Access) =>
      GATED.filter((r) => r.access === level)
        .map(routeKey)
        .sort();
    expect(by('money')).toEqual([...MONEY].sort());
    expect(by('owner')).toEqual([...OWNER].sort());
    expect(by('self')).toEqual([...SELF].sort());
    // The rest: a read is `read`, anything else `change`.
    for (const r of GATED.filter((x) => ![...MONEY, ...OWNER, ...SELF].includes(routeKey(x)))) {
      expect(r.access, routeKey(r)).toBe(r.method === 'GET' ? 'read' : 'change');
    }
  });
});

/** The route called as `holder`, with made-up ids and the example's body as it stands. */
async function callAs(r: RouteSpec, holder: Holder): Promise<Reply> {
  const { handler } = (await import(/* @vite-ignore */ `../../${handlerFile(r.fn)}`)) as {
    handler: Parameters<typeof invoke>[0];
  };
  const params = Object.fromEntries(
    Object.keys(r.example.params ?? {}).map((k) => [k, k === 'source' ? 'roles-test' : randomUUID()]),
  );
  const path = r.path.replace(/\{(\w+)\+?\}/g, (_, k: string) => params[k]!);
  const op = holder === 'admin key' ? undefined : ops[holder === 'staff, money off' ? 'staff' : holder];
  return invoke(handler, {
    method: r.method,
    path,
    pathParams: params,
    query: r.example.query,
    headers: {
      'content-type': 'application/json',
      ...(op ? as(op) : { authorization: `Bearer ${KEYS.admin}` }),
    },
    body: r.example.body === undefined ? undefined : JSON.stringify(r.example.body),
  });
}

describe.each(HOLDERS)('as %s', (holder) => {
  beforeAll(() => setMoney(holder !== 'staff, money off'));

  it.each(GATED.map((r) => [routeKey(r), r] as const))('%s', async (_key, r) => {
    const res = await callAs(r, holder);
    if (ALLOWED[r.access!].includes(holder)) {
      expect(res.status, res.text).not.toBe(401);
      expect(res.json?.error?.code, res.text).not.toBe('forbidden_role');
      expect(res.status, res.text).toBeLessThan(500);
    } else {
      expect(res.status, res.text).toBe(403);
      expect(res.json.error.code).toBe('forbidden_role');
      expect(res.json.error.message).toMatch(/owner|staff|Viewers|Money actions|operator/);
    }
  });
});
