import { useId, useState } from 'preact/hooks';
import { ApiError } from '../api';

/** What is wrong with each field, by the name the API gives it (`phone`, `weeklySpendCapCents`). */
export type FieldErrors = Partial<Record<string, string>>;

/**
 * An error as the form shows it: each bad field the API named in `details` (its first path part:
 * `categories.0` is `categories`) with its message, at that field; the rest (a conflict, a field
 * the form does not have) as one message under the button.
 */
export function splitError(e: unknown, fields: readonly string[]): { fields: FieldErrors; rest?: string } {
  if (!(e instanceof ApiError)) return { fields: {}, rest: 'Could not save' };
  const found: FieldErrors = {};
  const others: string[] = [];
  for (const d of e.details ?? []) {
    const name = d.field?.split('.')[0];
    if (name && fields.includes(name)) found[name] ??= d.message ?? 'is not valid';
    else if (d.field) others.push(`${d.field}: ${d.message ?? 'is not valid'}`);
  }
  if (Object.keys(found).length === 0) return { fields: {}, rest: e.message };
  return { fields: found, rest: others.length ? others.join('; ') : undefined };
}

/**
 * A form's errors at their fields: `describe(name)` gives an input `aria-invalid` and
 * `aria-describedby` (its hint, then its error), `error(name)` the error's text under it, with
 * the id that names it. `show` puts an answer's errors in place and moves the focus to the first
 * bad field, so a keyboard or screen reader user lands on what to fix.
 */
export function useFieldErrors(fields: readonly string[]) {
  const prefix = useId();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [rest, setRest] = useState<string>();
  const errorId = (name: string) => `${prefix}-${name}-error`;
  return {
    errors,
    /** The message that belongs to no field. */
    rest,
    clear() {
      setErrors({});
      setRest(undefined);
    },
    /** One field found wrong before asking the API (an amount that is not one). */
    fail(name: string, message: string): never {
      throw new ApiError(400, 'validation_failed', message, [{ field: name, message }]);
    },
    show(e: unknown, form: HTMLFormElement | null) {
      const split = splitError(e, fields);
      setErrors(split.fields);
      setRest(split.rest);
      const first = fields.find((f) => split.fields[f]);
      // After the render that marks it: the field is there already (only its attributes change).
      if (first && form)
        queueMicrotask(() => form.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus());
    },
    describe(name: string, hintId?: string) {
      const ids = [hintId, errors[name] ? errorId(name) : undefined].filter(Boolean).join(' ');
      return {
        'data-field': name,
        'aria-invalid': errors[name] ? true : undefined,
        'aria-describedby': ids || undefined,
      };
    },
    error(name: string) {
      const message = errors[name];
      return message ? (
        <small id={errorId(name)} class="error field-error" data-testid={`error-${name}`}>
          {message}
        </small>
      ) : null;
    },
  };
}
