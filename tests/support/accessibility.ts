/**
 * axe-core's checks on a page as it stands, in the browser that shows it. The engine is evaluated
 * through the DevTools protocol (as @axe-core/playwright does), so the console's
 * Content-Security-Policy, which allows no inline script, does not stop it and records nothing.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

export type Violation = { id: string; impact: string | null; help: string; targets: string[] };

/** The violations of `impact` serious or critical on `page` (WCAG 2.x A and AA, and best practice). */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const engine = (window as unknown as { axe: typeof axe }).axe;
    const results = await engine.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
