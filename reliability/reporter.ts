import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Reporter, TestModule } from 'vitest/node';
import { writeMarkdown } from '../scripts/write-markdown';
import {
  reliabilityTable,
  renderGuarantees,
  type ReliabilityResultRow,
  type ReliabilityResults,
} from './render';

const RESULTS = 'reliability/results.json';
const DOC = 'docs/guarantees.md';

/**
 * Collects each scenario's row, prints one markdown table, and writes reliability/results.json
 * and docs/guarantees.md from it.
 */
export default class ReliabilityReporter implements Reporter {
  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const rows: ReliabilityResultRow[] = [];
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const row = test.meta().reliability;
        const state = test.result().state;
        if (row) rows.push({ ...row, result: state === 'passed' ? 'pass' : 'FAIL' });
        else if (state === 'failed') {
          rows.push({
            scenario: test.name,
            load: '',
            fault: '',
            expected: '',
            observed: 'did not finish (see the error above)',
            lost: NaN,
            duplicated: NaN,
            result: 'FAIL',
          });
        }
      }
    }
    const results: ReliabilityResults = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      rows,
    };
    process.stdout.write(`\n## Reliability\n\n${reliabilityTable(rows)}\n\n`);
    await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    await writeMarkdown(DOC, renderGuarantees(results));
  }
}
