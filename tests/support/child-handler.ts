/**
 * Runs one real handler in a child process against the test database (the environment is
 * inherited), for the crash tests: `crash` preloads tests/support/crash-on-textmagic.ts, which
 * kills the child the moment it starts a request to TextMagic, i.e. after its commit.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const preload = path.join(root, 'tests/support/crash-on-textmagic.ts');
const runner = path.join(root, 'tests/support/run-handler.ts');

export type Exit = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs `functions/<handler>.ts` on `event` in a child process; `crash` kills it at its first send. */
export function runInChild(handler: string, event: unknown, crash: boolean): Promise<Exit> {
  const args = ['--import', 'tsx', ...(crash ? ['--import', preload] : []), runner];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(JSON.stringify({ handler, event }));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
