import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';

/**
 * Writes a generated markdown page formatted as `npm run format` would format it, so that the
 * formatter and the generators never rewrite each other's output.
 */
export async function writeMarkdown(file: string, markdown: string): Promise<void> {
  const options = (await resolveConfig(file)) ?? {};
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await format(markdown, { ...options, filepath: file }));
}
