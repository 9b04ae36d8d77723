import { useState } from 'preact/hooks';
import { api } from '../api';
import { DEFAULT_LANGUAGE, LANGUAGE_NAMES, phone as phoneText } from '../format';
import type { Language, Provider } from '../types';
import { FormActions } from './bits';
import { useFieldErrors } from './field-errors';
import { useSay } from './notice';

/** The fields the form has, as the API names them (its errors' `details`). */
const FIELDS = [
  'name',
  'phone',
  'email',
  'categories',
  'zipCodes',
  'weeklySpendCapCents',
  'dailyLeadCap',
  'timeZone',
  'teaserHours',
  'language',
  'autoPay',
] as const;

/** A comma-separated field as a list, without empty items. */
export const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Dollars as typed (`250`, `99.50`) to integer cents; '' is no cap; NaN when not a sum of money. */
export function centsOf(text: string): number | null {
  const t = text.trim().replace(/^\$/, '');
  if (t === '') return null;
  return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : Number.NaN;
}

/** A whole number as typed; '' is no cap; NaN otherwise. */
export function countOf(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  return /^\d+$/.test(t) ? Number(t) : Number.NaN;
}

/** Cents as dollars to type over (`250`, `99.50`); '' for none. */
export const dollars = (cents: number | null | undefined) =>
  cents === null || cents === undefined ? '' : (cents / 100).toFixed(2).replace(/\.00$/, '');

/**
 * Create a provider, or (with `provider`) change its name, categories, zip codes and budgets
 * (an empty budget field is no cap, an empty zone the default), teaser hours (empty: the
 * default) and SMS language.
 */
export function ProviderForm(props: {
  provider?: Provider;
  onSaved: (p: Provider) => void;
  onCancel?: () => void;
}) {
  const p = props.provider;
  const [name, setName] = useState(p?.name ?? '');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [categories, setCategories] = useState(p?.categories.join(', ') ?? '');
  const [zipCodes, setZipCodes] = useState(p?.zipCodes.join(', ') ?? '');
  const [weeklyCap, setWeeklyCap] = useState(dollars(p?.weeklySpendCapCents));
  const [dailyCap, setDailyCap] = useState(p?.dailyLeadCap?.toString() ?? '');
  const [timeZone, setTimeZone] = useState(p?.timeZone ?? '');
  const [teaserHours, setTeaserHours] = useState(p?.teaserHours ?? '');
  const [autoPay, setAutoPay] = useState(p?.autoPay ?? true);
  const [language, setLanguage] = useState<Language>(p?.language ?? DEFAULT_LANGUAGE);
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors(FIELDS);
  const say = useSay();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    setBusy(true);
    errors.clear();
    try {
      const weeklySpendCapCents = centsOf(weeklyCap);
      const dailyLeadCap = countOf(dailyCap);
      if (Number.isNaN(weeklySpendCapCents))
        errors.fail('weeklySpendCapCents', 'an amount such as 250 or 99.50');
      if (Number.isNaN(dailyLeadCap)) errors.fail('dailyLeadCap', 'a whole number');
      const budgets = { weeklySpendCapCents, dailyLeadCap, timeZone: timeZone.trim() || null };
      const body = {
        name,
        categories: list(categories),
        zipCodes: list(zipCodes),
        ...budgets,
        teaserHours: teaserHours.trim() || null,
        language,
      };
      const saved = p
        ? await api<Provider>(`/providers/${p.id}`, { method: 'PATCH', body: { ...body, autoPay } })
        : await api<Provider>('/providers', {
            method: 'POST',
            body: { ...body, phone, ...(email ? { email } : {}) },
          });
      props.onSaved(saved);
      say(p ? `Saved ${saved.name}.` : `Added ${saved.name} (${phoneText(saved.phone)}).`);
      if (!p) {
        setName('');
        setPhone('');
        setEmail('');
        setCategories('');
        setZipCodes('');
        setWeeklyCap('');
        setDailyCap('');
        setTimeZone('');
        setTeaserHours('');
        setLanguage(DEFAULT_LANGUAGE);
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
        {!p && (
          <label>
            Phone
            <input
              name="phone"
              {...errors.describe('phone')}
              type="tel"
              required
              value={phone}
              onInput={(e) => setPhone(e.currentTarget.value)}
            />
            {errors.error('phone')}
          </label>
        )}
        {!p && (
          <label>
            Email (optional)
            <input
              {...errors.describe('email')}
              name="email"
              type="email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
            {errors.error('email')}
          </label>
        )}
      </div>
      <div class="grid">
        <label>
          Categories (comma-separated)
          <input
            name="categories"
            {...errors.describe('categories')}
            required
            value={categories}
            onInput={(e) => setCategories(e.currentTarget.value)}
          />
          {errors.error('categories')}
        </label>
        <label>
          Zip codes (comma-separated)
          <input
            name="zipCodes"
            {...errors.describe('zipCodes')}
            required
            value={zipCodes}
            onInput={(e) => setZipCodes(e.currentTarget.value)}
          />
          {errors.error('zipCodes')}
        </label>
      </div>
      <div class="grid">
        <label>
          Weekly spend cap, $ (optional)
          <input
            name="weeklySpendCap"
            {...errors.describe('weeklySpendCapCents')}
            inputMode="decimal"
            placeholder="no cap"
            value={weeklyCap}
            onInput={(e) => setWeeklyCap(e.currentTarget.value)}
          />
          {errors.error('weeklySpendCapCents')}
        </label>
        <label>
          Daily lead cap (optional)
          <input
            name="dailyLeadCap"
            {...errors.describe('dailyLeadCap')}
            inputMode="numeric"
            placeholder="no cap"
            value={dailyCap}
            onInput={(e) => setDailyCap(e.currentTarget.value)}
          />
          {errors.error('dailyLeadCap')}
        </label>
        <label>
          Time zone (optional)
          <input
            name="timeZone"
            {...errors.describe('timeZone')}
            placeholder="default, e.g. America/Chicago"
            value={timeZone}
            onInput={(e) => setTimeZone(e.currentTarget.value)}
          />
          {errors.error('timeZone')}
        </label>
        <label>
          Teaser hours (optional)
          <input
            name="teaserHours"
            {...errors.describe('teaserHours')}
            placeholder="default, e.g. 08:00-21:00"
            value={teaserHours}
            onInput={(e) => setTeaserHours(e.currentTarget.value)}
          />
          {errors.error('teaserHours')}
        </label>
        <label>
          SMS language
          <select
            name="language"
            {...errors.describe('language')}
            value={language}
            onChange={(e) => setLanguage(e.currentTarget.value as Language)}
          >
            {(Object.keys(LANGUAGE_NAMES) as Language[]).map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
          {errors.error('language')}
        </label>
      </div>
      {p && (
        <label>
          <input
            name="autoPay"
            type="checkbox"
            role="switch"
            checked={autoPay}
            onChange={(e) => setAutoPay(e.currentTarget.checked)}
          />
          Auto-pay: charge the saved card when they reply YES
          <small class="hint">
            ({p.savedCard ? 'a card is saved' : 'no card saved yet: their next payment by link saves one'})
          </small>
        </label>
      )}
      <FormActions
        error={errors.rest}
        busy={busy}
        submit={p ? 'Save' : 'Add provider'}
        onCancel={props.onCancel}
      />
    </form>
  );
}
