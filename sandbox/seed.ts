/**
 * Demo providers for the sandbox (`npm run seed`, `POST /sandbox/seed`), created through the
 * admin API of a running local server. Fictional: 555-01xx numbers are reserved for fiction in
 * the North American plan (and valid for libphonenumber). A plumbing inquiry in 78701 reaches
 * two of them (Pat and Sam); an electrical one in 78702, two others; a plumbing one in 10001, one
 * provider in English and one in Spanish, both on New York time. The Austin ones take teasers at
 * any hour, so that the walk-through works whenever it is tried; the New York ones keep the
 * default teaser hours, so that a lead there at night shows quiet hours (queued for 08:00).
 */
/** The demo catalogue: a fresh install's is empty, and providers and leads need categories. */
export const DEMO_CATEGORIES = [
  { slug: 'plumbing', name: 'Plumbing', synonyms: ['plumber', 'plomería'], priceCents: 1500 },
  { slug: 'electrical', name: 'Electrical', synonyms: ['electrician'], priceCents: 1800 },
  { slug: 'roofing', name: 'Roofing', synonyms: ['roofer'], priceCents: 2500 },
  { slug: 'hvac', name: 'HVAC', synonyms: ['heating & cooling', 'A/C repair'], priceCents: 2000 },
];

export type DemoProvider = {
  name: string;
  phone: string;
  categories: string[];
  zipCodes: string[];
  language?: 'en' | 'es';
  timeZone?: string;
  teaserHours?: string;
};

const ANY_HOUR = '00:00-24:00';

export const DEMO_PROVIDERS: readonly DemoProvider[] = [
  {
    name: 'Pat Plumber',
    phone: '+15125550101',
    categories: ['plumbing'],
    zipCodes: ['78701', '78702'],
    teaserHours: ANY_HOUR,
  },
  {
    name: 'Sam Pipes',
    phone: '+15125550102',
    categories: ['plumbing', 'hvac'],
    zipCodes: ['78701'],
    teaserHours: ANY_HOUR,
  },
  {
    name: 'Bright Spark Electric',
    phone: '+15125550103',
    categories: ['electrical'],
    zipCodes: ['78701', '78702'],
    teaserHours: ANY_HOUR,
  },
  {
    name: 'Lone Star Roofing',
    phone: '+15125550104',
    categories: ['roofing'],
    zipCodes: ['78702'],
    teaserHours: ANY_HOUR,
  },
  {
    name: 'Volt & Wire Co.',
    phone: '+15125550105',
    categories: ['electrical', 'hvac'],
    zipCodes: ['78702'],
    teaserHours: ANY_HOUR,
  },
  {
    name: 'Chelsea Plumbing & Heating',
    phone: '+12125550106',
    categories: ['plumbing', 'roofing'],
    zipCodes: ['10001'],
    timeZone: 'America/New_York',
  },
  {
    name: 'Fontanería Rosa',
    phone: '+12125550107',
    categories: ['plumbing'],
    zipCodes: ['10001'],
    language: 'es',
    timeZone: 'America/New_York',
  },
];

export type SeededProvider = DemoProvider & { id: string | null; created: boolean };
export type SeedResult = { created: number; existing: number; providers: SeededProvider[] };

type ProviderRow = { id: string; phone: string };

export class SeedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the admin API answered ${status}: ${body.slice(0, 500)}`);
  }
}

/**
 * Creates the demo catalogue and then the demo providers through `apiUrl` (`POST /categories`,
 * `POST /providers` with the admin key); a slug or a phone already taken counts as existing.
 * Idempotent.
 */
export async function seedDemoProviders(apiUrl: string, adminKey: string): Promise<SeedResult> {
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  for (const category of DEMO_CATEGORIES) {
    const res = await fetch(new URL('/categories', apiUrl), {
      method: 'POST',
      headers,
      body: JSON.stringify(category),
    });
    const text = await res.text();
    if (res.status !== 201 && !(res.status === 409 && text.includes('category_exists'))) {
      throw new SeedError(res.status, text);
    }
  }
  const outcomes: boolean[] = [];
  for (const demo of DEMO_PROVIDERS) {
    const res = await fetch(new URL('/providers', apiUrl), {
      method: 'POST',
      headers,
      body: JSON.stringify(demo),
    });
    const text = await res.text();
    if (res.status === 201) outcomes.push(true);
    else if (res.status === 409 && text.includes('phone_taken')) outcomes.push(false);
    else throw new SeedError(res.status, text);
  }
  const list = await fetch(new URL('/providers', apiUrl), { headers });
  const text = await list.text();
  if (list.status !== 200) throw new SeedError(list.status, text);
  const { providers } = JSON.parse(text) as { providers: ProviderRow[] };
  const seeded = DEMO_PROVIDERS.map((demo, i): SeededProvider => ({
    ...demo,
    id: providers.find((p) => p.phone === demo.phone)?.id ?? null,
    created: outcomes[i]!,
  }));
  const created = outcomes.filter(Boolean).length;
  return { created, existing: outcomes.length - created, providers: seeded };
}
