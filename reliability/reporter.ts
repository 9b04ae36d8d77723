import { writeFile } from 'node:fs/promises';
import type { Reporter, TestModule } from 'vitest/node';
import type { ReliabilityRow } from './support/row';

const COLUMNS = [
  'scenario',
  'load',
  'fault injected',
  'expected',
  'observed',
  'lost',
  'duplicated',
  'slowest answer',
  'result',
];

const cell = (v: unknown) => String(v ?? '').replaceAll('|', '\\|');

/** Collects each scenario's row and prints one markdown table; also writes reliability/results.json. */
export default class ReliabilityReporter implements Reporter {
  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const rows: Array<ReliabilityRow & { result: string }> = [];
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
    const lines = [
      `| ${COLUMNS.join(' | ')} |`,
      `|${COLUMNS.map(() => '---').join('|')}|`,
      ...rows
        .map((r) =>
          [
            r.scenario,
            r.load,
            r.fault,
            r.expected,
            r.observed,
            r.lost,
            r.duplicated,
            r.slowestMs === undefined ? '' : `${Math.round(r.slowestMs)} ms`,
            r.result,
          ]
            .map(cell)
            .join(' | '),
        )
        .map((l) => `| ${l} |`),
    ];
    process.stdout.write(`\n## Reliability\n\n${lines.join('\n')}\n\n`);
    await writeFile(
      'reliability/results.json',
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
    );
  }
}
