import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { Category } from '../types';
import { centsOf, countOf, dollars, list } from './provider-form';

/**
 * Add a category, or (with `category`) change its name, synonyms, price, cap and life. Price,
 * cap and life left empty on a new category take the configured defaults.
 */
export function CategoryForm(props: {
  category?: Category;
  onSaved: (c: Category) => void;
  onCancel?: () => void;
}) {
  const c = props.category;
  const [slug, setSlug] = useState('');
  const [name, setName] = useState(c?.name ?? '');
  const [synonyms, setSynonyms] = useState(c?.synonyms.join(', ') ?? '');
  const [price, setPrice] = useState(c ? dollars(c.priceCents) : '');
  const [maxUnlocks, setMaxUnlocks] = useState(c?.maxUnlocks.toString() ?? '');
  const [ttlHours, setTtlHours] = useState(c?.ttlHours.toString() ?? '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const priceCents = centsOf(price);
      const cap = countOf(maxUnlocks);
      const ttl = countOf(ttlHours);
      if (Number.isNaN(priceCents))
        throw new ApiError(400, 'invalid', 'Price: an amount such as 15 or 12.50');
      if (Number.isNaN(cap)) throw new ApiError(400, 'invalid', 'Buyers per lead: a whole number');
      if (Number.isNaN(ttl)) throw new ApiError(400, 'invalid', 'Lead life: a whole number of hours');
      const body = {
        name,
        synonyms: list(synonyms),
        ...(priceCents !== null && { priceCents }),
        ...(cap !== null && { maxUnlocks: cap }),
        ...(ttl !== null && { ttlHours: ttl }),
      };
      const saved = c
        ? await api<Category>(`/categories/${c.slug}`, { method: 'PATCH', body })
        : await api<Category>('/categories', { method: 'POST', body: { slug, ...body } });
      props.onSaved(saved);
      if (!c) {
        for (const set of [setSlug, setName, setSynonyms, setPrice, setMaxUnlocks, setTtlHours]) set('');
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} class="provider-form">
      <div class="grid">
        {!c && (
          <label>
            Slug
            <input
              name="slug"
              required
              pattern="[a-z0-9]+(-[a-z0-9]+)*"
              placeholder="e.g. pest-control"
              aria-describedby="slug-hint"
              value={slug}
              onInput={(e) => setSlug(e.currentTarget.value)}
            />
            <small id="slug-hint" class="hint">
              lowercase letters, digits and hyphens; it cannot change later
            </small>
          </label>
        )}
        <label>
          Name
          <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
      </div>
      <label>
        Synonyms (comma-separated: other names a website may send)
        <input
          name="synonyms"
          placeholder="e.g. heating & cooling, A/C repair"
          value={synonyms}
          onInput={(e) => setSynonyms(e.currentTarget.value)}
        />
      </label>
      <div class="grid">
        <label>
          Price, $
          <input
            name="price"
            inputMode="decimal"
            placeholder={c ? '' : 'default'}
            required={!!c}
            value={price}
            onInput={(e) => setPrice(e.currentTarget.value)}
          />
        </label>
        <label>
          Buyers per lead
          <input
            name="maxUnlocks"
            inputMode="numeric"
            placeholder={c ? '' : 'default'}
            required={!!c}
            value={maxUnlocks}
            onInput={(e) => setMaxUnlocks(e.currentTarget.value)}
          />
        </label>
        <label>
          Lead life, hours
          <input
            name="ttlHours"
            inputMode="numeric"
            placeholder={c ? '' : 'default'}
            required={!!c}
            value={ttlHours}
            onInput={(e) => setTtlHours(e.currentTarget.value)}
          />
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" aria-busy={busy} disabled={busy}>
          {c ? 'Save' : 'Add category'}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary outline" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
