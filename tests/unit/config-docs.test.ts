/**
 * lib/config.ts's table is the one place a variable is described: `.env.example`, the README's
 * table and serverless.yml's environment must agree with it, and every variable the functions
 * read must be in it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VARIABLES, type Variable } from '../../lib/config';
import { renderEnvExample, withConfigTable } from '../../scripts/config-docs';

const read = (file: string) => readFileSync(file, 'utf8');
const names = Object.keys(VARIABLES);
const isSecret = (name: string) => Boolean((VARIABLES as Record<string, Variable>)[name]!.secret);

type Service = {
  params: Record<string, Record<string, string>>;
  provider: { environment: Record<string, string> };
  custom: { secretsPath: string };
  functions: Record<string, { secrets?: string[] }>;
};
const service = () => parse(read('serverless.yml'), { logLevel: 'error' }) as Service;

describe('configuration table', () => {
  it('.env.example is generated from it (npm run docs)', () => {
    expect(read('.env.example'), 'run `npm run docs`').toBe(renderEnvExample());
  });

  it("the README's table is generated from it (npm run docs)", async () => {
    const readme = read('README.md');
    const options = (await resolveConfig('README.md')) ?? {};
    const generated = await format(withConfigTable(readme), { ...options, filepath: 'README.md' });
    expect(readme, 'run `npm run docs`').toBe(generated);
  });

  it('serverless.yml passes every variable but the secrets through, with no default of its own', () => {
    const { provider, params } = service();
    expect(Object.keys(provider.environment)).toEqual(names.filter((n) => !isSecret(n)));
    for (const [name, value] of Object.entries(provider.environment)) {
      const deploy = (VARIABLES as Record<string, Variable>)[name]!.deploy;
      expect(value).toBe(deploy ?? `\${env:${name}, ''}`);
    }
    // ALARM_EMAIL is the deploy's own parameter (the alarms' SNS subscription), not the functions'.
    // No secret is a parameter of the deploy: nothing resolves one at package time.
    expect(Object.keys(params.default!)).toEqual(['ALARM_EMAIL']);
    expect(Object.keys(params).filter((stage) => stage !== 'default')).toEqual([]);
  });

  it('serverless.yml names the secrets each function reads from SSM, and where, never a value', () => {
    const { functions, custom } = service();
    expect(custom.secretsPath).toBe('/lead-unlock/${sls:stage}/');
    const used = new Set<string>();
    for (const [fn, { secrets }] of Object.entries(functions)) {
      expect(secrets, `${fn} has no secrets: [...]`).toBeDefined();
      for (const name of secrets!) {
        expect(isSecret(name), `${fn}: ${name} is no secret of lib/config.ts`).toBe(true);
        used.add(name);
      }
    }
    // Every secret is read by some function (one that none reads should leave the table).
    expect([...used].sort()).toEqual(names.filter(isSecret).sort());
  });

  it('holds every variable the functions read', () => {
    // Set by serverless-offline, and by the build (esbuild define): not configuration.
    const notConfiguration = new Set(['IS_OFFLINE', 'BUNDLED_GLOBAL_WEBSOCKET']);
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? sources(path.join(dir, e.name))
          : e.name.endsWith('.ts')
            ? [path.join(dir, e.name)]
            : [],
      );
    const read_ = new Set<string>();
    for (const file of [...sources('lib'), ...sources('functions')]) {
      const text = read(file);
      for (const [, name] of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) read_.add(name!);
      for (const [, name] of text.matchAll(
        /\b(?:value|optionalString|positiveInt|flag|url|optionalUrl|code)\('([A-Z][A-Z0-9_]*)'/g,
      ))
        read_.add(name!);
    }
    const missing = [...read_].filter((n) => !notConfiguration.has(n) && !names.includes(n));
    expect(missing).toEqual([]);
    expect(read_.size).toBeGreaterThan(20);
  });
});
