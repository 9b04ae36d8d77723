import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');
/**
 * The current definition of every SQL function and trigger, one file per subject. drizzle-kit
 * generates the migrations from lib/db/schema.ts and knows nothing of functions or triggers;
 * a change to one is an edit of its file here, never a migration copying its whole body (the
 * copies in the migrations before this folder existed are history, superseded by these files).
 */
export const DEFINITIONS_FOLDER = path.join(MIGRATIONS_FOLDER, 'functions');

/** Serialises two runners' definitions (concurrent CREATE OR REPLACE FUNCTION can fail). */
const DEFINITIONS_LOCK_CLASS = 0xdef;
/**
 * A line that ends a definition file's definitions: the statements after it run only when applying
 * the definitions changed a function or trigger (drizzle/functions/lead-funnels.sql calls
 * `lead_funnels_rebuild()`), so every run of the runner does not pay for them.
 */
const ON_CHANGE = /^-- On change:/m;

type DefinitionFile = { name: string; definitions: string; onChange: string };

function readDefinitionFiles(folder: string): DefinitionFile[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(folder, name), 'utf8');
      const at = text.search(ON_CHANGE);
      return at < 0
        ? { name, definitions: text, onChange: '' }
        : { name, definitions: text.slice(0, at), onChange: text.slice(at) };
    });
}

/**
 * The functions and triggers of the public schema as Postgres prints them back, by name
 * (`function name(argument types)`, `trigger table.name`), a trigger's state when not enabled.
 */
export async function sqlDefinitions(client: pg.ClientBase): Promise<Record<string, string>> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `select 'function ' || p.oid::regprocedure::text as name, pg_get_functiondef(p.oid) as def
     from pg_proc p where p.pronamespace = 'public'::regnamespace
     union all
     select 'trigger ' || t.tgrelid::regclass::text || '.' || t.tgname,
       pg_get_triggerdef(t.oid) || case t.tgenabled when 'O' then '' else ' -- enabled: ' || t.tgenabled::text end
     from pg_trigger t join pg_class c on c.oid = t.tgrelid
     where c.relnamespace = 'public'::regnamespace and not t.tgisinternal
     order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

/**
 * Applies the committed drizzle-kit migrations (it skips applied ones), then every file of
 * drizzle/functions/ in one transaction: `create or replace` throughout (triggers too, so the
 * tables are never without them and reads never wait: Postgres 14 or later), so running it again
 * changes nothing. Safe through a transaction pooler too: it sets nothing on the session, which
 * the pooler would hand to another client (node-postgres emits the "already exists, skipping"
 * notices, never prints them).
 */
export async function runMigrations(
  databaseUrl: string,
  { definitionsFolder = DEFINITIONS_FOLDER }: { definitionsFolder?: string } = {},
): Promise<void> {
  const files = readDefinitionFiles(definitionsFolder);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    await client.query('begin');
    try {
      await client.query('select pg_advisory_xact_lock($1, 0)', [DEFINITIONS_LOCK_CLASS]);
      for (const file of files) await applyDefinitionFile(client, file, definitionsFolder);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    await client.end();
  }
}

async function applyDefinitionFile(
  client: pg.ClientBase,
  file: DefinitionFile,
  folder: string,
): Promise<void> {
  try {
    const before = file.onChange && (await sqlDefinitions(client));
    await client.query(file.definitions);
    if (before && !isDeepStrictEqual(before, await sqlDefinitions(client))) await client.query(file.onChange);
  } catch (error) {
    throw new Error(`${path.join(folder, file.name)}: ${(error as Error).message}`, { cause: error });
  }
}
