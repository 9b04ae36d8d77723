/**
 * `npm run operator:create`: the first owner from the command line, into DATABASE_URL (its
 * migrations applied first), the invite link printed; the link then signs them up.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PUBLIC_BASE_URL, useApp } from '../support/app';
import { accept, inviteToken } from '../support/operators';

const app = useApp();
const run = promisify(execFile);

/** The script in a clean environment (no NODE_EXTRA_CA_CERTS, no test variables). */
const create = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/operator-create.ts', ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: app.db.url, PUBLIC_BASE_URL },
  });

describe('npm run operator:create', () => {
  it('invites an owner into DATABASE_URL and prints the link, which then signs them up', async () => {
    const { stdout } = await create([
      '--email',
      'first.owner@team.example.test',
      '--name',
      'First Owner',
      '--role',
      'owner',
    ]);
    expect(stdout).toMatch(/^owner first\.owner@team\.example\.test invited \(id [0-9a-f-]{36}\)\./);
    const url = /(https:\/\/\S+)/.exec(stdout)![1]!;
    expect(url.startsWith(`${PUBLIC_BASE_URL}/admin/invite#`)).toBe(true);
    const [row] = await app.db.query<{ role: string; name: string }>(
      'select role, name from operators where email = $1',
      ['first.owner@team.example.test'],
    );
    expect(row).toEqual({ role: 'owner', name: 'First Owner' });
    expect((await accept(inviteToken(url))).status).toBe(200);
  }, 60_000);

  it('refuses bad arguments with the field named, and a taken e-mail, writing nothing', async () => {
    const [{ n: before } = { n: '' }] = await app.db.query<{ n: string }>(
      'select count(*) as n from operators',
    );
    const bad = await create(['--email', 'nope', '--name', 'X', '--role', 'boss']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toMatch(/--email is not a valid e-mail address/);
    expect((bad as { stderr: string }).stderr).toMatch(/--role must be owner, staff or viewer/);
    const taken = await create(['--email', 'FIRST.OWNER@team.example.test', '--name', 'Again']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((taken as { stderr: string }).stderr).toMatch(/already exists/);
    const [{ n: after } = { n: '' }] = await app.db.query<{ n: string }>(
      'select count(*) as n from operators',
    );
    expect(after).toBe(before);
  }, 60_000);
});
