/**
 * The README's routes table and docs/routes.md, rendered from lib/http/routes.ts: pure
 * functions, used by `npm run docs` to write them and by a test to check them.
 */
import { handlerFile, ROUTES, routeKey, type Caller, type RouteSpec } from '../lib/http/routes';
import { table } from './markdown';

const routes = (): readonly RouteSpec[] => ROUTES;

const CALLERS: Record<Caller, string> = {
  anyone: 'anyone',
  admin: 'admin',
  'lead key': '`x-api-key`',
  TextMagic: 'TextMagic (`?token=`)',
  Stripe: 'Stripe (signed)',
  provider: 'provider',
  browser: 'browser',
  client: "client's browser",
  'form tool': 'form tool (`?token=`)',
  portal: 'provider (portal session)',
  operator: 'operator (own account)',
};

/** The roles that may call an admin route, by its access level (lib/operators/access.ts). */
const ACCESS: Record<NonNullable<RouteSpec['access']>, string> = {
  read: 'viewer, staff, owner',
  change: 'staff, owner',
  money: 'owner; staff unless money actions are off',
  owner: 'owner',
  self: 'any operator, own account',
};

/** The routes of each function, in the table's order. */
function byFunction(): RouteSpec[][] {
  const groups = new Map<string, RouteSpec[]>();
  for (const r of routes()) groups.set(r.fn, [...(groups.get(r.fn) ?? []), r]);
  return [...groups.values()];
}

/** One row per function: its routes, who calls them, what each does. */
export function renderRoutesTable(): string {
  return table(
    ['route', 'who', 'does (in detail, with errors and throttles: [docs/routes.md](docs/routes.md))'],
    byFunction().map((group) => [
      group.map((r) => `\`${routeKey(r)}\``).join(', '),
      [...new Set(group.map((r) => CALLERS[r.who]))].join(', '),
      group.map((r) => r.does).join('; '),
    ]),
  );
}

export const ROUTES_START = '<!-- routes:start -->';
export const ROUTES_END = '<!-- routes:end -->';

/** The README with the table between its markers replaced. */
export function withRoutesTable(readme: string): string {
  const start = readme.indexOf(ROUTES_START);
  const end = readme.indexOf(ROUTES_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${ROUTES_START} … ${ROUTES_END}`);
  return `${readme.slice(0, start + ROUTES_START.length)}\n\n${renderRoutesTable()}\n\n${readme.slice(end)}`;
}

const throttle = ({ burst, rate }: RouteSpec['throttle']) =>
  `${rate} request${rate === 1 ? '' : 's'}/s, bursts of ${burst}`;

/** docs/routes.md: every route with who may call it, its throttle, its function and the details. */
export function renderRoutesPage(): string {
  const out = [
    '# Routes',
    '',
    'Generated from `lib/http/routes.ts` by `npm run docs`: edit that table, not this page. Locally the',
    'routes have no stage prefix (`http://localhost:3000/leads`); deployed, they are the API',
    "Gateway HTTP API's. Throttles are API Gateway's, per route: a request over one gets 429 before",
    'any function runs.',
    '',
    'Errors are JSON `{"error":{"code","message","details?"}}`: 400 bad JSON or fields (every bad',
    "field named in `details`), 401 missing key, 403 wrong key (`forbidden_role`: a role short of the route's), 404, 405 a method the path does not",
    'take, 409 (an `Idempotency-Key` reused with another body, a duplicate provider phone, a decided',
    'return), 413 body over 64 KiB, 415 wrong content type, 503 not configured or database down. A',
    'request that fails writes nothing.',
  ];
  for (const r of routes()) {
    out.push(
      '',
      `## \`${routeKey(r)}\``,
      '',
      [
        r.access ? `${CALLERS[r.who]} (${ACCESS[r.access]})` : CALLERS[r.who],
        throttle(r.throttle),
        `\`${handlerFile(r.fn)}\``,
      ].join(' · '),
      '',
      `${r.does[0]!.toUpperCase()}${r.does.slice(1)}.${r.details ? ` ${r.details}` : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}
