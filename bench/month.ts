/**
 * The standard month of a small store, as webhook deliveries: 3,000 carts, 6 changes each on average, 45% give an
 * email, 30% check out, shoppers spread evenly over three US time zones and shopping mostly in their daytime.
 * Everything after the deliveries (waits, reminders, quiet hours, give-ups) follows from the rules doc.
 * Deterministic: the same seed plays the same month.
 */
import { DateTime } from 'luxon';
import { random } from './harness';
import {
  CATALOGUE,
  cartCheckedOut,
  cartUpdated,
  money,
  totalOf,
  type CartBody,
  type CartItemBody,
} from './webhook-events';

export interface MonthSpec {
  readonly carts: number;
  readonly meanChanges: number;
  readonly emailShare: number;
  readonly checkoutShare: number;
  readonly zones: readonly string[];
  readonly days: number;
  /** Start of the month (epoch ms). */
  readonly startMs: number;
  readonly seed: number;
}

export const STANDARD_MONTH: MonthSpec = {
  carts: 3_000,
  meanChanges: 6,
  emailShare: 0.45,
  checkoutShare: 0.3,
  zones: ['America/New_York', 'America/Chicago', 'America/Los_Angeles'],
  days: 30,
  startMs: Date.parse('2026-11-02T05:00:00Z'),
  seed: 20_261_102,
};

export interface Delivery {
  /** When the storefront sends it (the event's own timestamp). */
  readonly at: number;
  readonly id: string;
  readonly kind: 'change' | 'checkout';
  readonly payload: Record<string, unknown>;
}

export interface MonthSummary {
  readonly carts: number;
  readonly changes: number;
  readonly withEmail: number;
  readonly checkouts: number;
  /** Carts whose last total was $100 or more. */
  readonly bigCarts: number;
  readonly byZone: Readonly<Record<string, number>>;
}

/** Relative shopping activity by local hour (quiet at night, peaking in the evening). */
const HOUR_WEIGHTS = [
  1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.5, 4, 4.5, 5, 5, 4.5, 4.5, 5, 5.5, 6, 6.5, 6.5, 5.5, 4, 2,
];

/** Assumptions about sessions and checkouts, printed with the report. */
export const MONTH_ASSUMPTIONS = [
  'cart starts spread uniformly over the 30 days; local start hour weighted by typical daytime shopping activity',
  'changes per cart: 1 + Poisson(5), then nudged so the month has exactly 6 × carts changes; 5 s to 15 min ' +
    'apart (exponential, mean 90 s)',
  'an emailed cart shows its email from a random change on (the change that first brings it sets the ' +
    'wake-up); 70% also give a first name',
  'items from an 8-product catalogue ($12 to $85), 1 to 5 lines, edited between changes; 5% saved-link carts',
  'checkouts: 30% of all carts, chosen at random; 65% within 2 to 40 min of the last change, 35% between 1 h ' +
    'and 72 h later',
  'every shopper is a different address; no unsubscribes, bounces or redeliveries in the month',
];

function poisson(rand: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rand(); p > limit; p *= rand()) k++;
  return k;
}

function pickWeighted(rand: () => number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (const [index, weight] of weights.entries()) {
    r -= weight;
    if (r < 0) return index;
  }
  return weights.length - 1;
}

function sample<T>(rand: () => number, count: number, from: readonly T[]): Set<T> {
  const pool = [...from];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return new Set(pool.slice(0, count));
}

function item(rand: () => number): CartItemBody {
  const product = CATALOGUE[Math.floor(rand() * CATALOGUE.length)]!;
  return { title: product.title, quantity: 1 + Math.floor(rand() * 2), unitPrice: money(product.price) };
}

/** Edits a cart between two changes: a quantity, an added line, or a removed one. */
function edit(rand: () => number, items: CartItemBody[]): CartItemBody[] {
  const next = [...items];
  const r = rand();
  if (r < 0.5) {
    const i = Math.floor(rand() * next.length);
    const current = next[i]!;
    next[i] = { ...current, quantity: Math.max(1, current.quantity + (rand() < 0.6 ? 1 : -1)) };
  } else if ((r < 0.8 && next.length < 5) || next.length === 1) next.push(item(rand));
  else next.splice(Math.floor(rand() * next.length), 1);
  return next;
}

export function monthDeliveries(spec: MonthSpec = STANDARD_MONTH): { deliveries: Delivery[]; summary: MonthSummary } {
  const rand = random(spec.seed);
  const ids = Array.from({ length: spec.carts }, (_, i) => i);
  const counts = ids.map(() => 1 + poisson(rand, spec.meanChanges - 1));
  const target = spec.carts * spec.meanChanges;
  let sum = counts.reduce((a, b) => a + b, 0);
  while (sum !== target) {
    const i = Math.floor(rand() * spec.carts);
    if (sum > target && counts[i]! > 1) {
      counts[i]!--;
      sum--;
    } else if (sum < target) {
      counts[i]!++;
      sum++;
    }
  }
  const emailed = sample(rand, Math.round(spec.carts * spec.emailShare), ids);
  const checkedOut = sample(rand, Math.round(spec.carts * spec.checkoutShare), ids);

  const deliveries: Delivery[] = [];
  const byZone: Record<string, number> = {};
  let bigCarts = 0;
  for (const i of ids) {
    const zone = spec.zones[i % spec.zones.length]!;
    byZone[zone] = (byZone[zone] ?? 0) + 1;
    const day = Math.floor(rand() * spec.days);
    const startLocal = DateTime.fromMillis(spec.startMs, { zone })
      .startOf('day')
      .plus({
        days: day,
        hours: pickWeighted(rand, HOUR_WEIGHTS),
        minutes: Math.floor(rand() * 60),
        seconds: Math.floor(rand() * 60),
      });
    let at = Math.max(spec.startMs, startLocal.toMillis());
    const cartId = `c${String(i).padStart(5, '0')}`;
    const changes = counts[i]!;
    const emailFrom = emailed.has(i) ? Math.floor(rand() * changes) : Number.POSITIVE_INFINITY;
    const email = `shopper${i}@example.com`;
    const firstName = rand() < 0.7 ? ['Sam', 'Jo', 'Alex', 'Priya', 'Maria', 'Chen'][i % 6] : undefined;
    const savedLink = rand() < 0.05;
    const consent = rand() < 0.6 ? true : undefined;
    let items: CartItemBody[] = [item(rand)];
    if (rand() < 0.4) items.push(item(rand));
    for (let change = 0; change < changes; change++) {
      if (change > 0) {
        at += Math.min(15 * 60_000, 5_000 + Math.round(-Math.log(1 - rand()) * 85_000));
        items = edit(rand, items);
      }
      const body: CartBody = {
        id: cartId,
        ...(change >= emailFrom ? { email, ...(firstName ? { firstName } : {}) } : {}),
        items,
        total: totalOf(items),
        currency: 'USD',
        returnUrl: `https://shop.example.com/cart/${cartId}${savedLink ? '?cr_saved=1' : ''}`,
        timeZone: zone,
        ...(consent !== undefined ? { marketingConsent: consent } : {}),
      };
      deliveries.push({ at, id: `msg_${cartId}_${change}`, kind: 'change', payload: cartUpdated(at, body) });
    }
    const total = totalOf(items);
    if (Number(total) >= 100) bigCarts++;
    if (checkedOut.has(i)) {
      const delay = rand() < 0.65 ? (2 + rand() * 38) * 60_000 : (1 + rand() * 71) * 3_600_000;
      const checkoutAt = at + Math.round(delay);
      deliveries.push({
        at: checkoutAt,
        id: `msg_${cartId}_order`,
        kind: 'checkout',
        payload: cartCheckedOut(checkoutAt, cartId, emailed.has(i) ? email : undefined, total),
      });
    }
  }
  deliveries.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  return {
    deliveries,
    summary: {
      carts: spec.carts,
      changes: target,
      withEmail: emailed.size,
      checkouts: checkedOut.size,
      bigCarts,
      byZone,
    },
  };
}
