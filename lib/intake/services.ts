/** The services the hosted form offers: the catalogue's active categories, by name. */
import { listCategories } from '../catalogue/categories';
import { foldCategory } from '../catalogue/fold';
import type { Database } from '../db/client';
import type { Service } from './form-page';

export async function formServices(db: Database): Promise<Service[]> {
  const active = await listCategories(db, { activeOnly: true });
  return active
    .map((c) => ({ slug: c.slug, name: c.name, synonyms: c.synonyms }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The service `?category=` names, by slug, name or synonym, as POST /leads reads one. */
export function prefilledService(services: Service[], given: string | undefined): Service | undefined {
  const wanted = foldCategory(given ?? '');
  if (!wanted) return undefined;
  return services.find((s) =>
    [s.slug, s.name, ...(s.synonyms ?? [])].some((n) => foldCategory(n) === wanted),
  );
}
