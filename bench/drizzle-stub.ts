/**
 * Measurement only (`npm run bench`): stands in for every drizzle-orm module in a copy of each
 * budgeted bundle, so that the bench can time what a function's cold start would be without
 * drizzle and without building the schema's tables. Every export is a chainable no-op; such a
 * bundle can be imported (its clients built), not serve a request. A named import missing here
 * fails the bench's build loudly.
 */
// The target is a plain function, not an arrow: only a constructible target lets `new` reach
// the construct trap (`new PgDialect()`).
const handler: ProxyHandler<() => void> = {
  get: (_, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : stub),
  apply: () => stub,
  construct: () => stub,
};
const stub: never = new Proxy(function () {}, handler) as never;

export default stub;
export const and = stub;
export const asc = stub;
export const count = stub;
export const desc = stub;
export const DrizzleQueryError = stub;
export const drizzle = stub;
export const eq = stub;
export const getTableColumns = stub;
export const gt = stub;
export const gte = stub;
export const inArray = stub;
export const isNotNull = stub;
export const isNull = stub;
export const lt = stub;
export const lte = stub;
export const ne = stub;
export const or = stub;
export const sql = stub;
export const bigint = stub;
export const bigserial = stub;
export const boolean = stub;
export const check = stub;
export const date = stub;
export const doublePrecision = stub;
export const index = stub;
export const integer = stub;
export const smallint = stub;
export const jsonb = stub;
export const pgTable = stub;
export const PgDialect = stub;
export const primaryKey = stub;
export const text = stub;
export const timestamp = stub;
export const uniqueIndex = stub;
export const uuid = stub;
