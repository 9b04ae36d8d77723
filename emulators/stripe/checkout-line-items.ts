/** A Checkout Session's `line_items` (inline `price_data` only), and the total they add up to. */
import { formatAmount, MAX_AMOUNT, minAmount } from './amounts';
import { invalid, missing, noSuch } from './errors';
import { checkKnown, int, isObj, str, validMetadata } from './params';

export type LineItem = { quantity: number; unit_amount: number; currency: string; name: string };

const LINE_ITEM_PARAMS = [
  'adjustable_quantity',
  'metadata',
  'price',
  'price_data',
  'quantity',
  'tax_rates',
] as const;
const PRICE_DATA_PARAMS = [
  'currency',
  'product',
  'product_data',
  'recurring',
  'tax_behavior',
  'unit_amount',
  'unit_amount_decimal',
] as const;
const PRODUCT_DATA_PARAMS = [
  'description',
  'images',
  'metadata',
  'name',
  'tax_code',
  'tax_details',
  'unit_label',
] as const;

/** The line items, their one currency and their total, within Stripe's minimum and maximum. */
export function lineItems(v: unknown): { items: LineItem[]; currency: string; amountTotal: number } {
  if (v === undefined) throw missing('line_items');
  if (!Array.isArray(v) || v.length === 0) throw invalid('Invalid array', 'line_items');
  if (v.length > 100) throw invalid('You may only specify up to 100 line items.', 'line_items');
  const items = v.map((li: unknown, i: number) => lineItem(li, `line_items[${i}]`));
  const currency = items[0]!.currency;
  if (items.some((l) => l.currency !== currency)) {
    throw invalid('All line items must have the same currency.', 'line_items');
  }
  return { items, currency, amountTotal: items.reduce((sum, l) => sum + l.unit_amount * l.quantity, 0) };
}

/** Checkout's own limits on what a session charges (checked after the session's `currency`). */
export function checkTotal(amountTotal: number, currency: string): void {
  const min = minAmount(currency);
  if (amountTotal < min) {
    throw invalid(
      `The Checkout Session's total amount due must add up to at least ${formatAmount(min, currency)}`,
      undefined,
      'amount_too_small',
    );
  }
  if (amountTotal > MAX_AMOUNT) {
    throw invalid(
      `The Checkout Session's total amount due must be no more than ${formatAmount(MAX_AMOUNT, currency)}`,
      undefined,
      'amount_too_large',
    );
  }
}

function lineItem(li: unknown, p: string): LineItem {
  if (!isObj(li)) throw invalid('Invalid object', p);
  checkKnown(li, LINE_ITEM_PARAMS, p);
  if (li.price !== undefined && li.price_data !== undefined) {
    throw invalid(`You may only specify one of these parameters: price, price_data.`, `${p}[price]`);
  }
  if (li.price !== undefined) throw noSuch('price', String(li.price), `${p}[price]`, 400);
  if (li.price_data === undefined) {
    throw invalid(
      `You must specify either \`price\` or \`price_data\` in ${p}.`,
      `${p}[price_data]`,
      'parameter_missing',
    );
  }
  if (li.quantity === undefined) throw missing(`${p}[quantity]`);
  const quantity = int(li.quantity, `${p}[quantity]`);
  if (quantity < 1) throw invalid('This value must be greater than or equal to 1.', `${p}[quantity]`);
  if (quantity > 999_999) throw invalid('This value must be less than or equal to 999999.', `${p}[quantity]`);
  const price = priceData(li.price_data, `${p}[price_data]`);
  if (li.metadata !== undefined) validMetadata(li.metadata, `${p}[metadata]`);
  return { quantity, ...price };
}

function priceData(pd: unknown, pp: string): Omit<LineItem, 'quantity'> {
  if (!isObj(pd)) throw invalid('Invalid object', pp);
  checkKnown(pd, PRICE_DATA_PARAMS, pp);
  if (pd.currency === undefined) throw missing(`${pp}[currency]`);
  const currency = str(pd.currency, `${pp}[currency]`).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalid(
      `Invalid currency: ${String(pd.currency)}. Stripe currently supports these currencies: usd, eur, gbp, …`,
      `${pp}[currency]`,
    );
  }
  if (pd.recurring !== undefined) {
    throw invalid(
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
      `${pp}[recurring]`,
    );
  }
  const unitAmount = unitAmountOf(pd, pp);
  return { unit_amount: unitAmount, currency, name: productName(pd, pp) };
}

function unitAmountOf(pd: Record<string, unknown>, pp: string): number {
  if (pd.unit_amount !== undefined && pd.unit_amount_decimal !== undefined) {
    throw invalid(
      'You may only specify one of these parameters: unit_amount, unit_amount_decimal.',
      `${pp}[unit_amount]`,
    );
  }
  if (pd.unit_amount !== undefined) {
    const unitAmount = int(pd.unit_amount, `${pp}[unit_amount]`);
    if (unitAmount < 0) throw invalid('This value must be greater than or equal to 0.', `${pp}[unit_amount]`);
    return unitAmount;
  }
  if (pd.unit_amount_decimal !== undefined) {
    const d = str(pd.unit_amount_decimal, `${pp}[unit_amount_decimal]`);
    if (!/^\d+(\.\d{1,12})?$/.test(d)) throw invalid(`Invalid decimal: ${d}`, `${pp}[unit_amount_decimal]`);
    return Math.round(Number(d));
  }
  throw missing(`${pp}[unit_amount]`);
}

function productName(pd: Record<string, unknown>, pp: string): string {
  if (pd.product !== undefined && pd.product_data !== undefined) {
    throw invalid('You may only specify one of these parameters: product, product_data.', `${pp}[product]`);
  }
  if (pd.product !== undefined) throw noSuch('product', String(pd.product), `${pp}[product]`, 400);
  if (pd.product_data === undefined) throw missing(`${pp}[product_data]`);
  const prod = pd.product_data;
  const ppp = `${pp}[product_data]`;
  if (!isObj(prod)) throw invalid('Invalid object', ppp);
  checkKnown(prod, PRODUCT_DATA_PARAMS, ppp);
  if (prod.name === undefined) throw missing(`${ppp}[name]`);
  const name = str(prod.name, `${ppp}[name]`);
  if (name.length > 250) throw invalid('This value must be 250 characters or fewer.', `${ppp}[name]`);
  if (prod.metadata !== undefined) validMetadata(prod.metadata, `${ppp}[metadata]`);
  return name;
}
