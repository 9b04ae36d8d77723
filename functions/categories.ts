import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { categoryView, createCategory, listCategories, updateCategory } from '../lib/catalogue/categories';
import { categoryInput, categoryPatch, isSlug } from '../lib/catalogue/category-input';
import { audited } from '../lib/audit/audited';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';

/** Admin: the catalogue, the services leads are sold in (lib/catalogue/). */
export const handler = await httpFunction(
  'categories',
  {
    'GET /categories': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, { categories: (await listCategories(await getDb())).map(categoryView) });
    },
    'POST /categories': audited('category.create', 'owner', async (req) => {
      const category = await createCategory(jsonBody(req, categoryInput()));
      return { response: json(201, category), objectId: category.slug };
    }),
    'PATCH /categories/{slug}': audited('category.update', 'owner', async (req) => {
      const slug = req.pathParams.slug;
      if (!isSlug(slug)) throw notFound('No category with this slug');
      return { response: json(200, await updateCategory(slug, jsonBody(req, categoryPatch()))) };
    }),
  },
  [getDb],
);
