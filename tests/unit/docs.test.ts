import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { renderPerformance, type BenchResults } from '../../bench/render';
import { renderGuarantees, type ReliabilityResults } from '../../reliability/render';

const read = (file: string) => readFileSync(file, 'utf8');
const PAGES = ['README.md', 'docs/how-it-works.md', 'docs/guarantees.md', 'docs/performance.md'];

/** What the writers put on disk: the rendering, formatted as `npm run format` formats it. */
async function written(file: string, markdown: string): Promise<string> {
  return format(markdown, { ...((await resolveConfig(file)) ?? {}), filepath: file });
}

describe('README and docs', () => {
  it('README wraps the configuration table, and nothing else, in the generator markers', () => {
    const readme = read('README.md');
    const m = readme.match(/\n<!-- config:start -->\n([\s\S]*?)\n<!-- config:end -->\n/);
    expect(m).not.toBeNull();
    const lines = m![1]!.split('\n').filter((l) => l.trim() !== '');
    expect(lines[0]).toMatch(/^\| variable +\| meaning +\| default +\|$/);
    expect(lines.every((l) => l.startsWith('|') && l.endsWith('|'))).toBe(true);
    expect(readme.split('config:start').length).toBe(2);
  });

  it("README's Stripe webhook set-up names every event type the code handles, and the SDK's API version", () => {
    const source = read('lib/purchases/fulfil-payment.ts');
    const handled = new Set(
      [...source.matchAll(/(?:case |event\.type === )'([a-z_]+(?:\.[a-z_]+)+)'/g)].map((m) => m[1]!),
    );
    expect(handled.size).toBeGreaterThanOrEqual(9);
    const setup = read('README.md').match(/- \*\*Stripe\*\* \(Dashboard[\s\S]*?STRIPE_WEBHOOK_SECRET/)?.[0];
    expect(setup).toBeDefined();
    for (const type of handled) expect(setup, type).toContain(`\`${type}\``);
    // Events arrive in the endpoint's API version, which must be the one the SDK's types describe.
    expect(setup).toContain(`\`${Stripe.API_VERSION}\``);
  });

  it('relative links between README and docs lead to files that exist', () => {
    for (const page of PAGES) {
      for (const [, target] of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!) || target!.startsWith('#')) continue;
        const file = path.join(path.dirname(page), target!.split('#')[0]!);
        expect(existsSync(file), `${page} → ${target}`).toBe(true);
      }
    }
  });

  it('docs/performance.md is the rendering of bench/results.json', async () => {
    const results = JSON.parse(read('bench/results.json')) as BenchResults;
    const page = 'docs/performance.md';
    expect(read(page), 'run `npm run docs:figures`').toBe(await written(page, renderPerformance(results)));
  });

  it('docs/guarantees.md is the rendering of reliability/results.json', async () => {
    const results = JSON.parse(read('reliability/results.json')) as ReliabilityResults;
    const page = 'docs/guarantees.md';
    expect(read(page), 'run `npm run docs:figures`').toBe(await written(page, renderGuarantees(results)));
    for (const row of results.rows) expect(read(page)).toContain(row.scenario);
  });
});
