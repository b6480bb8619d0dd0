/**
 * The intake sweep: thousands of forged, mutated, oversized, mistyped and replayed requests to both webhook URLs, built
 * around a few valid deliveries. `test/integration/intake-sweep.test.ts` checks every answer (nothing accepted wrongly,
 * nothing written, no 5xx); `npm run bench` plays it through a warm intake between two valid workloads, to show a
 * valid request is as fast after the sweep as before. Deterministic for a seed (apart from fresh delivery ids).
 */
import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { fixture, shopifyHeaders, standardHeaders } from '../test/support/webhooks';

const MINUTE = 60_000;

export type SweepHeaders = Record<string, string>;
export type SweepPath = '/webhooks/cart' | '/webhooks/shopify';

/** One request of the sweep and the answer it must get. */
export interface SweepRequest {
  readonly path: SweepPath;
  readonly body: string;
  readonly headers: SweepHeaders;
  /**
   * Our format's signature carries a time that must be within five minutes when it arrives: requests that must get past
   * it are signed as they are sent (as a storefront's retry is), so a slow machine changes nothing.
   */
  readonly signOnSend?: boolean;
  /**
   * What must come back: a refusal with one of these statuses (and the field it must name), a replay, or a stale
   * ignore.
   */
  readonly expect: { kind: 'refused'; statuses: number[]; field?: string } | { kind: 'replay' } | { kind: 'ignored' };
  readonly category: string;
}

export interface SweepOptions {
  /** Standard Webhooks secret of /webhooks/cart. */
  readonly cartSecret: string;
  /** Shopify app secret of /webhooks/shopify. */
  readonly shopifySecret: string;
  /** "Now" for event times, as the intake's clock reads it. */
  readonly nowMs: number;
  /** Cart ids and tokens start with this, so several sweeps can share tables. */
  readonly prefix?: string;
  readonly seed?: number;
}

/** The headers a request goes out with: signed now when it must pass our format's replay window. */
export function headersToSend(
  request: Pick<SweepRequest, 'body' | 'headers' | 'signOnSend'>,
  cartSecret: string,
): SweepHeaders {
  return request.signOnSend
    ? standardHeaders(request.body, cartSecret, { id: request.headers['webhook-id'] })
    : request.headers;
}

/** Values that must be refused, by the field they replace (a path into the body). */
const long = (n: number) => 'x'.repeat(n);
const BAD_EMAILS = [
  'not-an-email',
  'a@b.com, victim@x.com',
  'sam@example.com\r\nBcc: victim@x.com',
  `${long(65)}@example.com`,
  `sam@${'d'.repeat(64)}.com`,
  `${long(3000)}@example.com`,
  'sam @example.com',
  5,
  ['a@b.com'],
];
const OUR_MUTATIONS: Array<[string, unknown[]]> = [
  ['type', [5, null, '', long(200)]],
  ['timestamp', ['yesterday', '2999-01-01T00:00:00Z', 'FUTURE', 5, null, '2026-13-01T00:00:00Z']],
  ['data', [null, 'cart', [], 5]],
  ['data.id', ['', long(129), 'bad id', 5, null, 'é']],
  ['data.email', [...BAD_EMAILS, null]],
  ['data.firstName', ['', long(101), 5, null]],
  // Many items and long titles are not refused but kept bounded (domain/cart/bounds.ts; intake-handler.test.ts).
  ['data.items', [null, 'x', {}]],
  ['data.items.0.title', ['', 5, null]],
  ['data.items.0.quantity', [0, -1, 1.5, 1e15, '1', null, 100_001]],
  ['data.items.0.unitPrice', ['-1', 'abc', '1.234', -5, null, {}, '1'.repeat(40)]],
  ['data.items.0.imageUrl', ['javascript:alert(1)', 'ftp://x.example/a', `https://x.example/${long(3000)}`, 5]],
  ['data.total', ['abc', -1, '1.001', null, 1e300]],
  ['data.currency', ['dollars', 5, null]],
  ['data.returnUrl', ['javascript:alert(1)', long(3000), 5]],
  ['data.timeZone', ['Mars/Olympus', long(100), 5]],
  ['data.savedLink', ['yes', 1]],
  ['data.marketingConsent', ['true', 0]],
];
const CHECKOUT_MUTATIONS: Array<[string, unknown[]]> = [
  ['token', ['', long(300), 'a b', 5, null]],
  ['cart_token', [long(3000), 'a b', 5]],
  ['email', BAD_EMAILS],
  ['updated_at', ['yesterday', '2999-01-01T00:00:00Z', 'FUTURE', null, 5]],
  ['line_items', [null, 'x']],
  ['line_items.0.quantity', [0, 1e15, '1', 1.5, null]],
  ['line_items.0.title', ['', 5]],
  ['line_items.0.variant_title', [5]],
  ['line_items.0.price', ['abc', -1, '1.001', null]],
  ['total_price', ['abc', -1, null]],
  ['currency', ['US', 5, null]],
  ['abandoned_checkout_url', [long(3000), 5]],
  ['landing_site', [long(3000), 5]],
  ['customer.first_name', [long(101), 5]],
  ['buyer_accepts_marketing', ['yes', 1]],
  // An order's fields in a checkout body: it is not a checkout, whatever the topic says.
  ['checkout_token', ['abc']],
  ['financial_status', ['paid']],
  ['order_number', [1001]],
  ['admin_graphql_api_id', ['gid://shopify/Order/1']],
];
const ORDER_MUTATIONS: Array<[string, unknown[]]> = [
  ['id', ['x', -1, null, 1.5]],
  ['admin_graphql_api_id', [null, 'gid://shopify/Checkout/1', 5, long(300)]],
  ['email', BAD_EMAILS],
  ['created_at', ['yesterday', 'FUTURE', null]],
  ['processed_at', ['FUTURE', 'soon']],
  ['checkout_token', [long(3000), 'a b', 5]],
  ['cart_token', [long(3000), 5]],
  ['total_price', ['abc', -1]],
];

/**
 * The sweep: `valid` are 60 good deliveries (30 carts in our format, 20 Shopify checkouts, 10 of their orders) to send
 * first; `sweep` is 5,000+ requests to send after them, in `order`.
 */
export function buildIntakeSweep(options: SweepOptions): {
  valid: SweepRequest[];
  sweep: SweepRequest[];
  order: number[];
} {
  const { cartSecret, shopifySecret, nowMs } = options;
  const prefix = options.prefix ?? '';
  const seed = options.seed ?? 13;
  const at = (minutesAgo: number) => new Date(nowMs - minutesAgo * MINUTE).toISOString();

  const ourCart = (id: string, minutesAgo: number): Record<string, unknown> => ({
    type: 'cart.updated',
    timestamp: at(minutesAgo),
    data: {
      id,
      email: `${id}@example.com`,
      firstName: 'Sam',
      items: [{ title: 'Linen shirt', quantity: 1, unitPrice: '60.00', imageUrl: 'https://shop.example.com/i.jpg' }],
      total: '60.00',
      currency: 'USD',
      returnUrl: `https://shop.example.com/cart/${id}`,
      timeZone: 'America/Chicago',
      savedLink: false,
      marketingConsent: true,
    },
  });
  const shopifyCheckout = (token: string, minutesAgo: number): Record<string, unknown> => ({
    ...fixture('shopify-checkout-update.json'),
    token,
    cart_token: `ct-${token}`,
    email: `${token}@example.com`,
    updated_at: at(minutesAgo),
  });
  const shopifyOrder = (token: string, minutesAgo: number): Record<string, unknown> => ({
    ...fixture('shopify-order-create.json'),
    checkout_token: token,
    cart_token: `ct-${token}`,
    email: `${token}@example.com`,
    created_at: at(minutesAgo),
    processed_at: at(minutesAgo),
  });
  const signedShopify = (body: string, topic: string, extra: SweepHeaders = {}): SweepHeaders => ({
    ...shopifyHeaders(body, shopifySecret, topic),
    'x-shopify-event-id': `ev-${randomUUID()}`,
    ...extra,
  });
  const mutate = (payload: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> => {
    const copy = structuredClone(payload);
    const keys = path.split('.');
    let node = copy as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = keys.at(-1)!;
    node[last] = value === 'FUTURE' ? new Date(nowMs + 10 * MINUTE).toISOString() : value;
    return copy;
  };

  const valid: SweepRequest[] = [];
  for (let i = 0; i < 30; i++) {
    const body = JSON.stringify(ourCart(`${prefix}sweep-${i}`, 30 - i));
    valid.push({
      path: '/webhooks/cart',
      body,
      headers: standardHeaders(body, cartSecret),
      expect: { kind: 'replay' },
      category: 'valid',
    });
  }
  for (let i = 0; i < 20; i++) {
    const body = JSON.stringify(shopifyCheckout(`${prefix}tok${i}`, 40 - i));
    valid.push({
      path: '/webhooks/shopify',
      body,
      headers: signedShopify(body, 'checkouts/update'),
      expect: { kind: 'replay' },
      category: 'valid',
    });
  }
  for (let i = 0; i < 10; i++) {
    const body = JSON.stringify(shopifyOrder(`${prefix}tok${i}`, 5));
    valid.push({
      path: '/webhooks/shopify',
      body,
      headers: signedShopify(body, 'orders/create'),
      expect: { kind: 'replay' },
      category: 'valid',
    });
  }

  const rng = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), { seed, numRuns: 40_000 });
  let r = 0;
  const pick = <T>(list: readonly T[]): T => list[rng[r++ % rng.length]! % list.length]!;
  const sweep: SweepRequest[] = [];

  // Replays: exact copies of valid deliveries; Shopify redeliveries of one event under a new webhook id; too-old ones.
  for (let i = 0; i < 200; i++) {
    const original = pick(valid);
    sweep.push({ ...original, signOnSend: original.path === '/webhooks/cart', category: 'replayed' });
  }
  for (let i = 0; i < 60; i++) {
    const original = pick(valid.filter((v) => v.path === '/webhooks/shopify'));
    sweep.push({
      ...original,
      headers: { ...original.headers, 'x-shopify-webhook-id': randomUUID() },
      category: 'replayed',
    });
    sweep.push({
      ...original,
      headers: { ...original.headers, 'x-shopify-triggered-at': at(5 * 60) },
      expect: { kind: 'ignored' },
      category: 'replayed',
    });
    const ours = pick(valid.filter((v) => v.path === '/webhooks/cart'));
    sweep.push({
      ...ours,
      headers: standardHeaders(ours.body, cartSecret, {
        id: ours.headers['webhook-id'],
        signedAt: new Date(Date.now() - 10 * MINUTE),
      }),
      expect: { kind: 'refused', statuses: [401] },
      category: 'replayed',
    });
  }
  // Forged: no signature, a made-up one, another secret's, another body's.
  for (let i = 0; i < 800; i++) {
    const base = pick(valid);
    const forged: SweepHeaders = { ...base.headers };
    const how = i % 4;
    if (base.path === '/webhooks/cart') {
      if (how === 0) delete forged['webhook-signature'];
      else if (how === 1) forged['webhook-signature'] = `v1,${Buffer.from(randomUUID()).toString('base64')}`;
      else if (how === 2)
        Object.assign(forged, standardHeaders(base.body, `whsec_${Buffer.from('other').toString('base64')}`));
      else
        forged['webhook-signature'] = standardHeaders(JSON.stringify(ourCart('other', 1)), cartSecret, {
          id: forged['webhook-id'],
        })['webhook-signature'];
    } else {
      if (how === 0) delete forged['x-shopify-hmac-sha256'];
      else if (how === 1) forged['x-shopify-hmac-sha256'] = Buffer.from(randomUUID()).toString('base64');
      else if (how === 2)
        forged['x-shopify-hmac-sha256'] = createHmac('sha256', 'other').update(base.body).digest('base64');
      else
        forged['x-shopify-hmac-sha256'] = createHmac('sha256', shopifySecret).update(`${base.body} `).digest('base64');
    }
    sweep.push({ ...base, headers: forged, expect: { kind: 'refused', statuses: [401] }, category: 'forged' });
  }
  // Mutated in transit: one character of a signed body changed.
  for (let i = 0; i < 800; i++) {
    const base = pick(valid);
    const where = pick(rng) % base.body.length;
    const char = base.body[where] === '1' ? '2' : '1';
    const body = base.body.slice(0, where) + char + base.body.slice(where + 1);
    sweep.push({ ...base, body, expect: { kind: 'refused', statuses: [401] }, category: 'mutated' });
  }
  // Bodies over the Function URL's own limit (6 MB; AWS refuses them before the function in production), signed.
  const big = JSON.stringify({ ...ourCart(`${prefix}big`, 1), padding: long(6 * 1024 * 1024) });
  const bigHeaders = {
    '/webhooks/cart': standardHeaders(big, cartSecret),
    '/webhooks/shopify': signedShopify(big, 'checkouts/update'),
  } as const;
  for (let i = 0; i < 40; i++) {
    const path = i % 2 === 0 ? '/webhooks/cart' : '/webhooks/shopify';
    sweep.push({
      path,
      body: big,
      headers: bigHeaders[path],
      expect: { kind: 'refused', statuses: [413] },
      category: 'oversized',
    });
  }
  // Mistyped, out of bounds or the wrong kind, correctly signed: a 400 naming the field.
  for (let i = 0; i < 3_300; i++) {
    const kind = i % 3;
    if (kind === 0) {
      const [path, values] = pick(OUR_MUTATIONS);
      const body = JSON.stringify(mutate(ourCart(`${prefix}bad-${i}`, 1), path, pick(values)));
      sweep.push({
        path: '/webhooks/cart',
        body,
        headers: { 'webhook-id': `msg_${randomUUID()}` },
        signOnSend: true,
        expect: { kind: 'refused', statuses: [400], field: path },
        category: 'mistyped',
      });
    } else if (kind === 1) {
      const [path, values] = pick(CHECKOUT_MUTATIONS);
      const body = JSON.stringify(mutate(shopifyCheckout(`${prefix}bad${i}`, 1), path, pick(values)));
      sweep.push({
        path: '/webhooks/shopify',
        body,
        headers: signedShopify(body, 'checkouts/update'),
        expect: { kind: 'refused', statuses: [400], field: path },
        category: 'mistyped',
      });
    } else {
      const [path, values] = pick(ORDER_MUTATIONS);
      const body = JSON.stringify(mutate(shopifyOrder(`${prefix}bad${i}`, 1), path, pick(values)));
      sweep.push({
        path: '/webhooks/shopify',
        body,
        headers: signedShopify(body, 'orders/create'),
        expect: { kind: 'refused', statuses: [400], field: path },
        category: 'mistyped',
      });
    }
  }
  // A checkout re-sent as an order (and the reverse), unsigned headers that are too long or unreadable.
  for (let i = 0; i < 100; i++) {
    const checkout = JSON.stringify(shopifyCheckout(`${prefix}swap${i}`, 1));
    sweep.push({
      path: '/webhooks/shopify',
      body: checkout,
      headers: signedShopify(checkout, 'orders/create'),
      expect: { kind: 'refused', statuses: [400], field: 'admin_graphql_api_id' },
      category: 'mistyped',
    });
    const order = JSON.stringify(shopifyOrder(`${prefix}swap${i}`, 1));
    sweep.push({
      path: '/webhooks/shopify',
      body: order,
      headers: signedShopify(order, 'checkouts/update'),
      expect: { kind: 'refused', statuses: [400], field: 'checkout_token' },
      category: 'mistyped',
    });
    sweep.push({
      path: '/webhooks/shopify',
      body: checkout,
      headers: signedShopify(checkout, 'checkouts/update', { 'x-shopify-event-id': long(300) }),
      expect: { kind: 'refused', statuses: [400], field: 'x-shopify-event-id' },
      category: 'mistyped',
    });
    sweep.push({
      path: '/webhooks/shopify',
      body: checkout,
      headers: signedShopify(checkout, 'checkouts/update', { 'x-shopify-triggered-at': 'a while ago' }),
      expect: { kind: 'refused', statuses: [400], field: 'x-shopify-triggered-at' },
      category: 'mistyped',
    });
  }

  // In a fixed shuffled order.
  const order = fc.sample(
    fc.shuffledSubarray(
      sweep.map((_, i) => i),
      { minLength: sweep.length, maxLength: sweep.length },
    ),
    { seed, numRuns: 1 },
  )[0]!;
  return { valid, sweep, order };
}

/** Whether an answer is the one the request must get. */
export function answeredAsExpected(
  request: SweepRequest,
  statusCode: number,
  responseBody: string | undefined,
): boolean {
  const body = JSON.parse(responseBody ?? '{}') as { outcome?: string; message?: string };
  if (request.expect.kind === 'replay')
    return statusCode === 200 && ['duplicate', 'already_checked_out', 'closed'].includes(body.outcome ?? '');
  if (request.expect.kind === 'ignored') return statusCode === 202 && body.outcome === 'ignored';
  return (
    request.expect.statuses.includes(statusCode) &&
    (request.expect.field === undefined || (body.message ?? '').startsWith(request.expect.field))
  );
}
