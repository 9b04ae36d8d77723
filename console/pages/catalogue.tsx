import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ActionButton } from '../components/action-button';
import { Failed, Loading, TableScroll } from '../components/bits';
import { CategoryForm } from '../components/category-form';
import { money } from '../format';
import type { Category } from '../types';
import { useApi } from '../use-api';

/** Deactivate or activate: PATCH /categories/{slug} {active}. */
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
      }}
    />
  );
}

/** The services leads are sold in: their price, buyers per lead and life (GET /categories). */
export function Catalogue() {
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
        <TableScroll label="Categories">
          <table class="striped" data-testid="categories-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Slug</th>
                <th>Synonyms</th>
                <th>Price</th>
                <th>Buyers</th>
                <th>Life</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.categories.map((c) =>
                editing === c.slug ? (
                  <tr key={c.slug}>
                    <td colSpan={8}>
                      <CategoryForm
                        category={c}
                        onSaved={() => {
                          setCloseAfter(data);
                          reload();
                        }}
                        onCancel={() => setEditing(undefined)}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={c.slug} data-testid={`category-${c.slug}`}>
                    <td>{c.name}</td>
                    <td>{c.slug}</td>
                    <td>{c.synonyms.join(', ')}</td>
                    <td>
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
                    </td>
                    <td>{c.maxUnlocks}</td>
                    <td>{c.ttlHours} h</td>
                    <td>{c.active ? 'active' : 'inactive'}</td>
                    <td class="row-actions">
                      <button
                        type="button"
                        class="secondary outline small"
                        aria-label={`Edit ${c.name}`}
                        onClick={() => setEditing(c.slug)}
                      >
                        Edit
                      </button>{' '}
                      <ActiveButton category={c} onChanged={reload} />
                    </td>
                  </tr>
                ),
              )}
              {data.categories.length === 0 && (
                <tr>
                  <td colSpan={8}>No categories yet: add the services you sell leads in.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
