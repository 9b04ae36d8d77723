/**
 * Runs a packaged function's bundle, unpacked from its zip, in a node process of its own with
 * only `env` (as Lambda starts one: nothing inherited): the module is imported (its init, the
 * top-level await) and `events` are handled one after the other. Asynchronous, so that servers
 * of the calling test (a wsproxy, a stand-in) keep answering meanwhile.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export type BundleAnswer = { statusCode: number; body: string; headers?: Record<string, string> };

/**
 * Node 20 has a WebSocket global only behind a flag; Lambda's nodejs22.x, which the bundles are
 * built for (the Neon driver uses its global WebSocket), has it by default.
 */
const nodeFlags = typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : [];

export async function runBundle(
  bundle: string,
  events: unknown[],
  env: Record<string, string>,
): Promise<{ answers: BundleAnswer[]; output: string }> {
  const dir = path.resolve('.local', 'run-bundle');
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, `run-${randomBytes(4).toString('hex')}.mjs`);
  writeFileSync(
    script,
    `const { handler } = await import(${JSON.stringify(bundle)});\n` +
      `const answers = [];\n` +
      `for (const event of ${JSON.stringify(events)}) answers.push(await handler(event, {}));\n` +
      `process.stdout.write('\\n@@answers ' + JSON.stringify(answers));\n` +
      `process.exit(0);\n`,
  );
  try {
    const child = await promisify(execFile)(process.execPath, [...nodeFlags, script], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const at = child.stdout.lastIndexOf('\n@@answers ');
    return {
      answers: JSON.parse(child.stdout.slice(at + '\n@@answers '.length)) as BundleAnswer[],
      output: child.stdout.slice(0, at) + child.stderr,
    };
  } finally {
    rmSync(script, { force: true });
  }
}
