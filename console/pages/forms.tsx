import { useState } from 'preact/hooks';
import { api } from '../api';
import { Failed, Loading } from '../components/bits';
import { DataTable } from '../components/data-table';
import { useTitle } from '../components/layout';
import { FORM_BLOCK_REASON, labelOf } from '../labels';
import { dateTime } from '../format';
import { useApi } from '../use-api';

/** The lead fields a form tool's post is mapped to (lib/intake/mapping.ts), as PUT takes them. */
type FieldKey = 'name' | 'phone' | 'email' | 'category' | 'zipCode' | 'description' | 'consent';
const FIELDS: Array<{ key: FieldKey; label: string; required?: boolean; hint?: string }> = [
  { key: 'name', label: 'Name', required: true, hint: 'several, comma-separated, are joined' },
  { key: 'phone', label: 'Phone', required: true },
  { key: 'email', label: 'E-mail' },
  { key: 'category', label: 'Service (category)' },
  { key: 'zipCode', label: 'ZIP code', required: true },
  { key: 'description', label: 'Description' },
  { key: 'consent', label: 'Consent wording' },
];

type Source = {
  source: string;
  fields: Partial<Record<FieldKey, string | string[]>>;
  defaults: { category?: string };
  createdAt: string;
  updatedAt: string;
};
type Sources = { sources: Source[]; formBlocked: { total: number; byReason: Record<string, number> } };

const shown = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : (v ?? ''));

/** Set a source's mapping; the new token is shown once, with the URL to give the form tool. */
function MappingForm(props: { editing?: Source; onSaved: () => void }) {
  const e = props.editing;
  const [source, setSource] = useState(e?.source ?? '');
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(FIELDS.map((f) => [f.key, shown(e?.fields[f.key])])),
  );
  const [category, setCategory] = useState(e?.defaults.category ?? '');
  const [state, setState] = useState<{ busy?: boolean; error?: string; url?: string }>({});
  const save = async () => {
    setState({ busy: true });
    const fields: Record<string, string | string[]> = {};
    for (const f of FIELDS) {
      const v = values[f.key]!.trim();
      if (!v) continue;
      const names = v
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      fields[f.key] = f.key === 'name' && names.length > 1 ? names : v;
    }
    try {
      const res = await api<{ url: string }>(`/intake/sources/${encodeURIComponent(source.trim())}`, {
        method: 'PUT',
        body: { fields, ...(category.trim() ? { defaults: { category: category.trim() } } : {}) },
      });
      setState({ url: res.url });
      props.onSaved();
    } catch (err) {
      setState({ error: (err as Error).message });
    }
  };
  return (
    <form
      data-testid="mapping-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        void save();
      }}
    >
      <label>
        Source
        <input
          name="source"
          required
          pattern="[a-z0-9][a-z0-9_\-]{0,62}"
          aria-describedby="source-hint"
          value={source}
          onInput={(ev) => setSource((ev.target as HTMLInputElement).value)}
        />
        <small id="source-hint">Lower-case letters, digits, - and _, e.g. site-contact</small>
      </label>
      <fieldset>
        <legend>Their field names, exactly as the tool posts them</legend>
        <div class="grid-fields">
          {FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}
              {f.required ? '' : ' (optional)'}
              <input
                name={f.key}
                required={f.required}
                aria-describedby={f.hint ? `${f.key}-hint` : undefined}
                value={values[f.key]}
                onInput={(ev) => setValues({ ...values, [f.key]: (ev.target as HTMLInputElement).value })}
              />
              {f.hint && <small id={`${f.key}-hint`}>{f.hint}</small>}
            </label>
          ))}
          <label>
            Default service (when the post names none)
            <input
              name="defaultCategory"
              value={category}
              onInput={(ev) => setCategory((ev.target as HTMLInputElement).value)}
            />
          </label>
        </div>
      </fieldset>
      <button type="submit" aria-busy={state.busy} disabled={state.busy}>
        Save and issue a new token
      </button>
      {state.error && (
        <p class="error" role="alert">
          {state.error}
        </p>
      )}
      {state.url && (
        <article data-testid="intake-url" role="status">
          <p>
            Give the form tool this URL now: it is not shown again, and the source's previous URL no longer
            works.
          </p>
          <code class="wrap">{state.url}</code>
        </article>
      )}
    </form>
  );
}

/** The hosted form, the form tools' mappings, and the submissions refused as abuse. */
export function Forms() {
  useTitle('Web forms');
  const list = useApi<Sources>('/intake/sources');
  const [editing, setEditing] = useState<Source | undefined>();
  const [formKey, setFormKey] = useState(0);
  const formUrl = `${location.origin}/request`;
  return (
    <>
      <h1>Web forms</h1>
      <section>
        <h2>Hosted form</h2>
        <p>
          Link to <a href={formUrl}>{formUrl}</a> (add <code>?category=…&amp;zip=…</code> to prefill it,{' '}
          <code>?lang=es</code> for Spanish), or embed it where FORM_FRAME_ANCESTORS allows.
        </p>
        {list.data && (
          <p data-testid="form-blocked">
            Refused as abuse in the last 30 days: <strong>{list.data.formBlocked.total}</strong>
            {Object.entries(list.data.formBlocked.byReason).map(([reason, n]) => (
              <span key={reason}>
                {' '}
                · {labelOf(FORM_BLOCK_REASON, reason)}: {n}
              </span>
            ))}
          </p>
        )}
      </section>
      <section>
        <h2>Form tools</h2>
        {list.error && <Failed error={list.error} />}
        {!list.data && !list.error && <Loading what="sources" />}
        {list.data && list.data.sources.length > 0 && (
          <DataTable
            label="Form tools"
            testId="sources"
            rows={list.data.sources}
            rowKey={(s) => s.source}
            empty="No form tools yet."
            columns={[
              { header: 'Source', cell: (s) => s.source },
              {
                header: 'Mapping',
                cell: (s) =>
                  FIELDS.filter((f) => s.fields[f.key])
                    .map((f) => `${f.label}: ${shown(s.fields[f.key])}`)
                    .join('; ') + (s.defaults.category ? `; default service: ${s.defaults.category}` : ''),
              },
              { header: 'Changed', cell: (s) => dateTime(s.updatedAt) },
            ]}
            actions={(s) => (
              <button
                type="button"
                class="small outline secondary"
                aria-label={`Edit ${s.source}`}
                onClick={() => {
                  setEditing(s);
                  setFormKey((k) => k + 1);
                }}
              >
                Edit
              </button>
            )}
          />
        )}
        <h3>{editing ? `Edit ${editing.source}` : 'Add a form tool'}</h3>
        <MappingForm key={formKey} editing={editing} onSaved={list.reload} />
      </section>
    </>
  );
}
