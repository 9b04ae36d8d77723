/**
 * `POST /intake/{source}?token=…`: a form tool's post, read through its source's mapping
 * (lib/intake/mapping.ts), checked as `POST /leads` checks a lead and created by the same
 * createLead. A form tool retries a post it thinks failed: the same body again is the same lead
 * (its Idempotency-Key is the source and the body's hash), answered 200 with nothing sent again.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/client';
import { AppError, badRequest } from '../errors';
import { createLead } from '../leads/create-lead';
import { checkedLead } from '../leads/lead-input';
import { mapPost, postedFields, type MappingProblem } from './mapping';
import type { Source } from './sources';

const posted = (names: string | string[] | undefined) =>
  names === undefined ? undefined : Array.isArray(names) ? names.join(', ') : names;

export async function intakePost(
  db: Database,
  source: Source,
  body: Record<string, unknown>,
  rawBody: Buffer,
): Promise<{ id: string; created: boolean }> {
  const { body: lead, problems } = mapPost(source.fields, source.defaults, postedFields(body));
  const named = new Set(problems.map((p) => p.field));
  let input: ReturnType<typeof checkedLead> | undefined;
  try {
    input = checkedLead(lead);
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    // Another refusal of POST /leads (an unknown category…) stands as it is.
    if (!Array.isArray(err.details)) throw problems.length ? invalid(problems) : err;
    // Each of POST /leads' complaints, with the name the tool posts the field under.
    for (const d of err.details as Array<{ field: string; message: string }>) {
      const field = d.field.split('.')[0]!;
      if (named.has(field)) continue;
      named.add(field);
      const mapped = source.fields[field as keyof Source['fields']];
      problems.push({
        field: d.field,
        ...(mapped === undefined ? {} : { posted: posted(mapped) }),
        message: mapped === undefined && field !== 'category' ? `${d.message} (not mapped)` : d.message,
      });
    }
    if (!problems.length) throw err;
  }
  if (problems.length || !input) throw invalid(problems);
  const key = `intake:${source.source}:${createHash('sha256').update(rawBody).digest('hex')}`;
  const result = await createLead(db, input, key);
  return { id: result.lead.id, created: result.created };
}

function invalid(problems: MappingProblem[]): AppError {
  const fields = [...new Set(problems.map((p) => p.posted ?? p.field))].join(', ');
  return badRequest('validation_failed', `Unmapped or invalid fields: ${fields}`, problems);
}
