/**
 * The seed cart: the $120 cart of the seed story (a linen shirt, two candles and a tote, left by Sam), stated once here
 * and shaped from that one statement for whoever plays or renders it: the domain's cart (`seedCartSnapshot`,
 * `seedCartRow`), our own webhook (`seedCartPayload`), Stripe's line items (`seedStripeLineItems`) and the export
 * sheet's items cell (`seedExportItems`). `npm run demo`, `npm run preview`, the tests and the benches use it, so a
 * price or title changed here changes everywhere at once.
 *
 * It lives beside the laptop's system rather than in the domain: it is sample data, not a rule of the product, and
 * most of its shapes are storefront wire formats the domain does not know. No Lambda entry imports it.
 */
import type { StandardCartData, StandardCheckoutData } from '../adapters/webhooks/standard-webhook';
import type { CartItem, CartRow, CartSnapshot } from '../domain/cart/cart';
import { currencyExponent, type Money } from '../domain/cart/money';
import type { StripeLineItem } from '../ports/stripe-checkout';
import type { StripeLineItemJson } from './stripe-stand-in';

/** The seed cart, once: who left it, where, and what was in it (unit prices in minor units of `currency`). */
export const SEED_CART = {
  cartId: 'cart-seed-120',
  /** When the shopper last changed it, in the seed story. */
  changedAt: '2026-11-02T20:00:00Z',
  shopper: { email: 'sam@example.com', firstName: 'Sam', name: 'Sam Rivera' },
  /** The store's own site: each cart's return link is `<storeUrl>/cart/<cart id>`. */
  storeUrl: 'https://shop.example.com',
  currency: 'USD',
  lines: [
    { title: 'Linen shirt', quantity: 1, unitPrice: 60_00 },
    { title: 'Candle', quantity: 2, unitPrice: 20_00 },
    { title: 'Tote', quantity: 1, unitPrice: 20_00 },
  ],
} as const satisfies {
  cartId: string;
  changedAt: string;
  shopper: { email: string; firstName: string; name: string };
  storeUrl: string;
  currency: string;
  lines: readonly CartItem[];
};

/** The seed cart's lines, as the domain holds them (fresh copies: a caller may change its own). */
export function seedCartLines(): CartItem[] {
  return SEED_CART.lines.map((line) => ({ ...line }));
}

/**
 * The seed cart's total: the sum of its lines ($120.00). Another `currency` labels the same minor units (the preview
 * shows the seed in the store's currency: €120.00, or ¥12,000 for a yen store).
 */
export function seedCartTotal(currency: string = SEED_CART.currency): Money {
  return { minor: SEED_CART.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0), currency };
}

/** The link back to a cart on the seed store. */
export function seedReturnUrl(cartId: string = SEED_CART.cartId): string {
  return `${SEED_CART.storeUrl}/cart/${cartId}`;
}

/**
 * A minor-unit amount written as a decimal in its currency ("120.00" for 12000 USD, "12000" for JPY), as storefronts
 * send amounts in our webhook and the export sheet.
 */
export function decimalOf(minor: number, currency: string = SEED_CART.currency): string {
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

// In every shape below, `overrides` replace whole fields and nothing else: a caller that changes the cart id names its
// return link too (`seedReturnUrl(id)`) if it wants one to match.

/** The seed cart as one cart-change event tells it (a generic-format cart). */
export function seedCartSnapshot(overrides: Partial<CartSnapshot> = {}): CartSnapshot {
  return {
    cartId: SEED_CART.cartId,
    source: 'generic',
    email: SEED_CART.shopper.email,
    firstName: SEED_CART.shopper.firstName,
    items: seedCartLines(),
    total: seedCartTotal(),
    returnUrl: seedReturnUrl(),
    ...overrides,
  };
}

/** The seed cart as a fresh cr-carts row: open, changed at the seed story's time, no reminder yet. */
export function seedCartRow(overrides: Partial<CartRow> = {}): CartRow {
  const changedAt = new Date(SEED_CART.changedAt).toISOString();
  return {
    ...seedCartSnapshot(),
    status: 'open',
    eventKey: '',
    firstSeenAt: changedAt,
    lastChangedAt: changedAt,
    remindersSent: 0,
    expiresAt: 0,
    ...overrides,
  };
}

/** The seed cart's `data` in our own webhook format: decimal prices, the currency beside them. */
export function seedCartData(overrides: Partial<StandardCartData> = {}): StandardCartData {
  return {
    id: SEED_CART.cartId,
    email: SEED_CART.shopper.email,
    firstName: SEED_CART.shopper.firstName,
    items: SEED_CART.lines.map((line) => ({
      title: line.title,
      quantity: line.quantity,
      unitPrice: decimalOf(line.unitPrice),
    })),
    total: decimalOf(seedCartTotal().minor),
    currency: SEED_CART.currency,
    returnUrl: seedReturnUrl(),
    ...overrides,
  };
}

/** A `cart.updated` event of our own webhook format carrying the seed cart, at `timestamp` (the seed story's time). */
export function seedCartPayload(overrides: Partial<StandardCartData> = {}, timestamp: string = SEED_CART.changedAt) {
  return { type: 'cart.updated', timestamp, data: seedCartData(overrides) };
}

/** The seed cart's checkout (`cart.checked_out`'s `data`): the whole cart bought. */
export function seedCheckoutData(overrides: Partial<StandardCheckoutData> = {}): StandardCheckoutData {
  return {
    id: SEED_CART.cartId,
    email: SEED_CART.shopper.email,
    total: decimalOf(seedCartTotal().minor),
    currency: SEED_CART.currency,
    ...overrides,
  };
}

/** The seed cart's lines as intake reads them from Stripe's API (the port's shape). */
export function seedStripeLines(): StripeLineItem[] {
  return SEED_CART.lines.map((line) => ({ title: line.title, quantity: line.quantity, unitAmount: line.unitPrice }));
}

/**
 * The seed cart's lines as Stripe lists a Checkout Session's line items (`GET /v1/checkout/sessions/{id}/line_items`),
 * for the local stand-in of Stripe's API: ids from the titles (`li_linen_shirt`), one-time prices, no discount or tax.
 */
export function seedStripeLineItems(): StripeLineItemJson[] {
  const currency = SEED_CART.currency.toLowerCase();
  return SEED_CART.lines.map((line) => {
    const id = `li_${line.title.toLowerCase().replaceAll(/[^a-z0-9]+/g, '_')}`;
    const amount = line.unitPrice * line.quantity;
    return {
      id,
      object: 'item',
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency,
      description: line.title,
      price: {
        id: `price_${id}`,
        object: 'price',
        currency,
        unit_amount: line.unitPrice,
        type: 'one_time',
        product: `prod_${id}`,
      },
      quantity: line.quantity,
    };
  });
}

/**
 * The seed cart's lines as the export sheet's items cell writes them: `Linen shirt x1 @ 60.00; Candle x2 @ 20.00; ...`.
 */
export function seedExportItems(): string {
  return SEED_CART.lines.map((line) => `${line.title} x${line.quantity} @ ${decimalOf(line.unitPrice)}`).join('; ');
}
