/**
 * `npm run docs`: `.env.example` and the README's configuration table from lib/config.ts, the
 * README's routes table and docs/routes.md from lib/http/routes.ts, and the figure pages from the
 * committed results (docs/performance.md, docs/guarantees.md).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { renderEnvExample, withConfigTable } from './config-docs';
import { renderRoutesPage, withRoutesTable } from './route-docs';
import { writeMarkdown } from './write-markdown';

await writeFile('.env.example', renderEnvExample());
const readme = withRoutesTable(withConfigTable(await readFile('README.md', 'utf8')));
await writeFile(
  'README.md',
  await format(readme, { ...((await resolveConfig('README.md')) ?? {}), filepath: 'README.md' }),
);
await writeMarkdown('docs/routes.md', renderRoutesPage());
await import('./render-figures');
console.log(
  '.env.example and the README configuration table written from lib/config.ts; the README routes table and docs/routes.md from lib/http/routes.ts',
);
