import type { TestContext } from 'vitest';

/** One line of the `npm run reliability` table. */
export type ReliabilityRow = {
  scenario: string;
  load: string;
  fault: string;
  expected: string;
  observed: string;
  /** Effects that should have happened and did not (SMS never received, payment neither unlocked nor refunded). */
  lost: number;
  /** Effects that happened more than once (the same SMS received twice, a second refund or unlock). */
  duplicated: number;
  /** Slowest answer of the routes under fault, where the scenario times them (reported, never asserted). */
  slowestMs?: number;
};

declare module '@vitest/runner' {
  interface TaskMeta {
    reliability?: ReliabilityRow;
  }
}

/**
 * Hands the scenario's figures to the reporter. Called before the assertions, so a scenario
 * that fails still shows what it observed.
 */
export function report(ctx: TestContext, row: ReliabilityRow): void {
  ctx.task.meta.reliability = row;
}

/** How many times each key occurs beyond the first, summed. */
export function extraCopies(keys: Iterable<string>): number {
  const seen = new Map<string, number>();
  for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  let extra = 0;
  for (const n of seen.values()) extra += n - 1;
  return extra;
}
