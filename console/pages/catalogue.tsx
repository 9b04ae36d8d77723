import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ActionButton } from '../components/action-button';
import { Failed, Loading } from '../components/bits';
import { DataTable } from '../components/data-table';
import { useTitle } from '../components/layout';
import { CategoryForm } from '../components/category-form';
import { money } from '../format';
import type { Category } from '../types';
import { useApi } from '../use-api';

/** Deactivate or activate: PATCH /categories/{slug} {active}; says which it did. */
function ActiveButton(props: { category: Category; onChanged: () => void }) {
  const c = props.category;
  const label = c.active ? 'Deactivate' : 'Activate';
  return (
    <ActionButton
      label={label}
      ariaLabel={`${label} ${c.name}`}
      run={async () => {
        await api<Category>(`/categories/${c.slug}`, { method: 'PATCH', body: { active: !c.active } });
        props.onChanged();
        return c.active
          ? `Deactivated ${c.name}: no new leads in it, its queued teasers dropped.`
          : `Activated ${c.name}: it takes leads again.`;
      }}
    />
  );
}

/** The services leads are sold in: their price, buyers per lead and life (GET /categories). */
export function Catalogue() {
  useTitle('Catalogue');
  const { data, error, reload } = useApi<{ categories: Category[] }>('/categories');
  const [editing, setEditing] = useState<string>();
  // A saved row closes its form once the catalogue is read again, so it never shows the old figures.
  const [closeAfter, setCloseAfter] = useState<object>();
  useEffect(() => {
    if (closeAfter && data !== closeAfter) {
      setCloseAfter(undefined);
      setEditing(undefined);
    }
  }, [data, closeAfter]);
  return (
    <>
      <h1>Catalogue</h1>
      <p>
        Leads are accepted only in these categories, by slug or synonym (case, spaces and punctuation aside),
        at the category's price unless the request sets one. A deactivated category takes no new leads and its
        queued teasers are dropped.
      </p>
      <details>
        <summary role="button" class="outline">
          Add a category
        </summary>
        <CategoryForm onSaved={reload} />
      </details>
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="categories" />}
      {data && (
        <DataTable
          label="Categories"
          testId="categories-table"
          rowTestId={(c) => `category-${c.slug}`}
          rows={data.categories}
          rowKey={(c) => c.slug}
          empty="No categories yet: add the services you sell leads in."
          expanded={(c) =>
            editing === c.slug ? (
              <CategoryForm
                category={c}
                onSaved={() => {
                  setCloseAfter(data);
                  reload();
                }}
                onCancel={() => setEditing(undefined)}
              />
            ) : undefined
          }
          columns={[
            { header: 'Name', cell: (c) => c.name },
            { header: 'Slug', cell: (c) => c.slug },
            { header: 'Synonyms', cell: (c) => c.synonyms.join(', ') || '—' },
            {
              header: 'Price',
              cell: (c) => (
                <>
                  {money(c.priceCents)}
                  {/* Its price rules (docs/pricing.md), each on a line of its own. */}
                  {c.zipPrices.map((z) => (
                    <small key={z.zipPrefix} class="hint">
                      <br />
                      {z.zipPrefix}…: {money(z.priceCents)}
                    </small>
                  ))}
                  {c.agedPriceCents !== null && (
                    <small class="hint" data-testid={`aged-${c.slug}`}>
                      <br />
                      unsold after {c.agedAfterHours} h: {money(c.agedPriceCents)}
                    </small>
                  )}
                </>
              ),
            },
            { header: 'Buyers', nowrap: true, cell: (c) => c.maxUnlocks },
            { header: 'Life', nowrap: true, cell: (c) => `${c.ttlHours} h` },
            { header: 'State', nowrap: true, cell: (c) => (c.active ? 'Active' : 'Inactive') },
          ]}
          actions={(c) => (
            <>
              <button
                type="button"
                class="secondary outline small"
                aria-label={`Edit ${c.name}`}
                onClick={() => setEditing(c.slug)}
              >
                Edit
              </button>
              <ActiveButton category={c} onChanged={reload} />
            </>
          )}
        />
      )}
    </>
  );
}
