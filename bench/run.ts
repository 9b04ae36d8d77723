/**
 * `npm run bench`: cold starts of the production bundles, database round trips, latency and
 * throughput, the Neon path and SMS cost. Writes bench/results.json and docs/performance.md
 * (`npm run docs:figures` re-renders the page from the results file without measuring).
 * Every figure that has a budget is a count or a ratio against a baseline measured in this run.
 *
 *   npm run bench                  everything (a few minutes on 2 cores)
 *   BENCH_QUICK=1 npm run bench    fewer samples
 *   BENCH_ONLY=cold|requests|stats|burst one section (the others keep their last figures)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { writeMarkdown } from '../scripts/write-markdown';
import { measureColdStarts } from './cold-start';
import { renderPerformance, type BenchResults } from './render';
import { measureRequests } from './requests';
import { measureStats } from './stats';
import { measureSmsBurst } from './sms-burst';

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY;

const started = Date.now();
// A run of one section keeps the other sections' figures from the last run (the page shows all).
const previous = (() => {
  try {
    return JSON.parse(readFileSync('bench/results.json', 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
})();
const keeps = (section: string) => only !== undefined && only !== section;
const results: BenchResults = {
  ...(keeps('requests') && previous?.requests && { requests: previous.requests }),
  ...(keeps('stats') && previous?.stats && { stats: previous.stats }),
  ...(keeps('burst') && previous?.burst && { burst: previous.burst }),
  ...(keeps('cold') &&
    previous?.coldStart && {
      coldStart: previous.coldStart,
      coldStartReferences: previous.coldStartReferences,
      machineFactor: previous.machineFactor,
      secretReaders: previous.secretReaders,
    }),
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  quick,
};
if (!keeps('cold')) {
  const measured = await measureColdStarts('.esbuild/bench', quick ? 10 : 21);
  results.coldStart = measured.functions;
  results.coldStartReferences = measured.references;
  results.machineFactor = measured.machineFactor;
  results.secretReaders = measured.secretReaders;
}
if (!keeps('requests')) results.requests = await measureRequests({ quick });
if (!keeps('stats')) results.stats = await measureStats({ quick });
if (!keeps('burst')) results.burst = await measureSmsBurst({ quick });
results.seconds = (Date.now() - started) / 1000;
writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
await writeMarkdown('docs/performance.md', renderPerformance(results));
console.log(`${results.seconds} s; bench/results.json and docs/performance.md written`);
