import { useState } from 'preact/hooks';
import { api } from '../api';
import type { Category } from '../types';
import { FormActions } from './bits';
import { useFieldErrors } from './field-errors';
import { useSay } from './notice';

/** The fields the form has, as the API names them (its errors' `details`). */
const FIELDS = [
  'slug',
  'name',
  'synonyms',
  'priceCents',
  'maxUnlocks',
  'ttlHours',
  'zipPrices',
  'agedAfterHours',
  'agedPriceCents',
] as const;
import { centsOf, countOf, dollars, list } from './provider-form';
import { money } from '../format';

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
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors(FIELDS);
  const say = useSay();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    setBusy(true);
    errors.clear();
    try {
      const priceCents = centsOf(price);
      const cap = countOf(maxUnlocks);
      const ttl = countOf(ttlHours);
      if (Number.isNaN(priceCents)) errors.fail('priceCents', 'an amount such as 15 or 12.50');
      if (Number.isNaN(cap)) errors.fail('maxUnlocks', 'a whole number');
      if (Number.isNaN(ttl)) errors.fail('ttlHours', 'a whole number of hours');
      const byZip = zipPricesOf(zipPrices) ?? errors.fail('zipPrices', 'such as 787=18, 78701=25.50');
      const agedAfterHours = countOf(agedAfter);
      const agedPriceCents = centsOf(agedPrice);
      if (Number.isNaN(agedAfterHours)) errors.fail('agedAfterHours', 'a whole number of hours');
      if (Number.isNaN(agedPriceCents)) errors.fail('agedPriceCents', 'an amount such as 9 or 7.50');
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
      say(c ? `Saved ${saved.name}.` : `Added ${saved.name} at ${money(saved.priceCents)}.`);
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
      errors.show(err, form);
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
              {...errors.describe('slug', 'slug-hint')}
              required
              pattern="[a-z0-9]+(-[a-z0-9]+)*"
              placeholder="e.g. pest-control"
              value={slug}
              onInput={(e) => setSlug(e.currentTarget.value)}
            />
            <small id="slug-hint" class="hint">
              lowercase letters, digits and hyphens; it cannot change later
            </small>
            {errors.error('slug')}
          </label>
        )}
        <label>
          Name
          <input
            {...errors.describe('name')}
            name="name"
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {errors.error('name')}
        </label>
      </div>
      <label>
        Synonyms (comma-separated: other names a website may send)
        <input
          name="synonyms"
          {...errors.describe('synonyms')}
          placeholder="e.g. heating & cooling, A/C repair"
          value={synonyms}
          onInput={(e) => setSynonyms(e.currentTarget.value)}
        />
        {errors.error('synonyms')}
      </label>
      <div class="grid">
        <label>
          Price, $
          <input
            name="price"
            {...errors.describe('priceCents')}
            inputMode="decimal"
            placeholder={c ? '' : 'default'}
            required={!!c}
            value={price}
            onInput={(e) => setPrice(e.currentTarget.value)}
          />
          {errors.error('priceCents')}
        </label>
        <label>
          Buyers per lead
          <input
            name="maxUnlocks"
            {...errors.describe('maxUnlocks')}
            inputMode="numeric"
            placeholder={c ? '' : 'default'}
            required={!!c}
            value={maxUnlocks}
            onInput={(e) => setMaxUnlocks(e.currentTarget.value)}
          />
          {errors.error('maxUnlocks')}
        </label>
        <label>
          Lead life, hours
          <input
            name="ttlHours"
            {...errors.describe('ttlHours')}
            inputMode="numeric"
            placeholder={c ? '' : 'default'}
            required={!!c}
            value={ttlHours}
            onInput={(e) => setTtlHours(e.currentTarget.value)}
          />
          {errors.error('ttlHours')}
        </label>
      </div>
      <label>
        Prices by zip prefix (the longest prefix a lead's zip code starts with wins)
        <input
          name="zipPrices"
          {...errors.describe('zipPrices')}
          placeholder="e.g. 787=18, 78701=25.50"
          value={zipPrices}
          onInput={(e) => setZipPrices(e.currentTarget.value)}
        />
        {errors.error('zipPrices')}
      </label>
      <div class="grid">
        <label>
          Aged after, hours (unsold: one more round at the aged price)
          <input
            name="agedAfterHours"
            {...errors.describe('agedAfterHours')}
            inputMode="numeric"
            placeholder="none"
            value={agedAfter}
            onInput={(e) => setAgedAfter(e.currentTarget.value)}
          />
          {errors.error('agedAfterHours')}
        </label>
        <label>
          Aged price, $
          <input
            name="agedPrice"
            {...errors.describe('agedPriceCents')}
            inputMode="decimal"
            placeholder="none"
            value={agedPrice}
            onInput={(e) => setAgedPrice(e.currentTarget.value)}
          />
          {errors.error('agedPriceCents')}
        </label>
      </div>
      <FormActions
        error={errors.rest}
        busy={busy}
        submit={c ? 'Save' : 'Add category'}
        onCancel={props.onCancel}
      />
    </form>
  );
}
