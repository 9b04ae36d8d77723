/**
 * `npm run docs:figures`: docs/performance.md and docs/guarantees.md re-rendered from the
 * committed bench/results.json and reliability/results.json, without measuring anything.
 */
import { readFile } from 'node:fs/promises';
import { renderPerformance, type BenchResults } from '../bench/render';
import { renderGuarantees, type ReliabilityResults } from '../reliability/render';
import { writeMarkdown } from './write-markdown';

const read = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;

await writeMarkdown('docs/performance.md', renderPerformance(await read<BenchResults>('bench/results.json')));
await writeMarkdown(
  'docs/guarantees.md',
  renderGuarantees(await read<ReliabilityResults>('reliability/results.json')),
);
console.log('docs/performance.md and docs/guarantees.md written from the results files');
