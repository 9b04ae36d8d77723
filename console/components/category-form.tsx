import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { Category } from '../types';
import { FormActions } from './bits';
import { centsOf, countOf, dollars, list } from './provider-form';

/** Zip prices as typed, `787=18, 78701=25.50`; undefined when one does not read so. */
export function zipPricesOf(text: string): { zipPrefix: string; priceCents: number }[] | undefined {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out = items.map((item) => {
    const m = /^(\d{1,5})\s*[=:]\s*(.+)$/.exec(item);
    const cents = m ? centsOf(m[2]!) : Number.NaN;
    return m && cents !== null && !Number.isNaN(cents) ? { zipPrefix: m[1]!, priceCents: cents } : undefined;
  });
  return out.every((z) => z !== undefined) ? out : undefined;
}

const zipPricesText = (c?: Category) =>
  c?.zipPrices.map((z) => `${z.zipPrefix}=${dollars(z.priceCents)}`).join(', ') ?? '';

/**
 * Add a category, or (with `category`) change its name, synonyms, price, cap and life, its prices
 * by zip prefix and its aged price (docs/pricing.md). Price, cap and life left empty on a new
 * category take the configured defaults; the aged price left empty is none.
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
  const [zipPrices, setZipPrices] = useState(zipPricesText(c));
  const [agedAfter, setAgedAfter] = useState(c?.agedAfterHours?.toString() ?? '');
  const [agedPrice, setAgedPrice] = useState(c?.agedPriceCents ? dollars(c.agedPriceCents) : '');
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
      const byZip = zipPricesOf(zipPrices);
      if (!byZip) throw new ApiError(400, 'invalid', 'Prices by zip prefix: such as 787=18, 78701=25.50');
      const agedAfterHours = countOf(agedAfter);
      const agedPriceCents = centsOf(agedPrice);
      if (Number.isNaN(agedAfterHours))
        throw new ApiError(400, 'invalid', 'Aged after: a whole number of hours');
      if (Number.isNaN(agedPriceCents))
        throw new ApiError(400, 'invalid', 'Aged price: an amount such as 9 or 7.50');
      const body = {
        name,
        synonyms: list(synonyms),
        ...(priceCents !== null && { priceCents }),
        ...(cap !== null && { maxUnlocks: cap }),
        ...(ttl !== null && { ttlHours: ttl }),
        // An edit sends the whole rule (empty clears it); a new category only what was typed.
        ...((c || byZip.length > 0) && { zipPrices: byZip }),
        ...((c || agedAfterHours !== null || agedPriceCents !== null) && { agedAfterHours, agedPriceCents }),
      };
      const saved = c
        ? await api<Category>(`/categories/${c.slug}`, { method: 'PATCH', body })
        : await api<Category>('/categories', { method: 'POST', body: { slug, ...body } });
      props.onSaved(saved);
      if (!c) {
        for (const set of [
          setSlug,
          setName,
          setSynonyms,
          setPrice,
          setMaxUnlocks,
          setTtlHours,
          setZipPrices,
          setAgedAfter,
          setAgedPrice,
        ])
          set('');
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
      <label>
        Prices by zip prefix (the longest prefix a lead's zip code starts with wins)
        <input
          name="zipPrices"
          placeholder="e.g. 787=18, 78701=25.50"
          value={zipPrices}
          onInput={(e) => setZipPrices(e.currentTarget.value)}
        />
      </label>
      <div class="grid">
        <label>
          Aged after, hours (unsold: one more round at the aged price)
          <input
            name="agedAfterHours"
            inputMode="numeric"
            placeholder="none"
            value={agedAfter}
            onInput={(e) => setAgedAfter(e.currentTarget.value)}
          />
        </label>
        <label>
          Aged price, $
          <input
            name="agedPrice"
            inputMode="decimal"
            placeholder="none"
            value={agedPrice}
            onInput={(e) => setAgedPrice(e.currentTarget.value)}
          />
        </label>
      </div>
      <FormActions error={error} busy={busy} submit={c ? 'Save' : 'Add category'} onCancel={props.onCancel} />
    </form>
  );
}
