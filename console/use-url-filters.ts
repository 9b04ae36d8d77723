import { useEffect, useState } from 'preact/hooks';
import { useSearch } from 'wouter-preact';

/** The filters `search` (`?status=open&from=…`) holds: every one of `fields`, '' when absent. */
function filtersFrom<K extends string>(fields: readonly K[], search: string): Record<K, string> {
  const params = new URLSearchParams(search);
  return Object.fromEntries(fields.map((f) => [f, params.get(f) ?? ''])) as Record<K, string>;
}

/**
 * A filter form whose state is the page's address, so that a shared link, Back and Forward open
 * the same view: `filters` are what the address says, `form` what is being typed (it follows the
 * address when that changes), and `field(name)` binds an input or a select to it.
 */
export function useUrlFilters<K extends string>(fields: readonly K[], idPrefix: string) {
  const search = useSearch();
  const filters = filtersFrom(fields, search);
  const [form, setForm] = useState(filters);
  useEffect(() => setForm(filtersFrom(fields, search)), [search]);
  const field = (name: K) => ({
    name,
    id: `${idPrefix}-${name}`,
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value }),
  });
  return { search, filters, form, field };
}
