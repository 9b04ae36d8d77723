/**
 * `npm run docs`: `.env.example` and the README's configuration table from lib/config.ts, and
 * the figure pages from the committed results (docs/performance.md, docs/guarantees.md).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { renderEnvExample, withConfigTable } from './config-docs';

await writeFile('.env.example', renderEnvExample());
const readme = withConfigTable(await readFile('README.md', 'utf8'));
await writeFile(
  'README.md',
  await format(readme, { ...((await resolveConfig('README.md')) ?? {}), filepath: 'README.md' }),
);
await import('./render-figures');
console.log('.env.example and the README configuration table written from lib/config.ts');
