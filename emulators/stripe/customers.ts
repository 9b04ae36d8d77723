/** Customers: one per provider, to save their card on. */
import { noSuch } from './errors';
import { newId, now } from './ids';
import { checkKnown, email, rejectEmptyStrings, shortText, validMetadata } from './params';
import { ok, type Route } from './route';
import type { StripeState } from './state';

export type FakeCustomer = {
  id: string;
  object: 'customer';
  created: number;
  description: string | null;
  email: string | null;
  name: string | null;
  phone: string | null;
  metadata: Record<string, string>;
  invoice_settings: { default_payment_method: string | null };
  livemode: false;
  [field: string]: unknown;
};

const CUSTOMER_PARAMS = [
  'address',
  'description',
  'email',
  'expand',
  'invoice_settings',
  'metadata',
  'name',
  'payment_method',
  'phone',
  'preferred_locales',
  'shipping',
  'tax_exempt',
] as const;

function createCustomer(state: StripeState, params: Record<string, unknown>): FakeCustomer {
  checkKnown(params, CUSTOMER_PARAMS, '');
  rejectEmptyStrings(params, []);
  const mail = params.email === undefined ? null : email(params.email, 'email');
  const c: FakeCustomer = {
    id: newId('cus_', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: shortText(params.description, 'description', 256),
    email: mail,
    invoice_prefix: newId('', 8).toUpperCase(),
    invoice_settings: { default_payment_method: null },
    livemode: false,
    metadata: validMetadata(params.metadata, 'metadata'),
    name: shortText(params.name, 'name', 256),
    phone: shortText(params.phone, 'phone', 256),
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
  };
  state.customers.set(c.id, c);
  return c;
}

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/customers$/,
    handle: ({ state, params }) => ok(createCustomer(state, params)),
  },
  {
    method: 'GET',
    path: /^\/v1\/customers\/([^/]+)$/,
    handle: ({ state, params, id }) => {
      checkKnown(params, ['expand'], '');
      const c = state.customers.get(id);
      if (!c) throw noSuch('customer', id, 'id');
      return ok(structuredClone(c));
    },
  },
];
