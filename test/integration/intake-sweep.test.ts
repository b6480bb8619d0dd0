/**
 * A sweep of forged, mutated, oversized, mistyped and replayed requests to both webhook URLs through the real intake
 * handler on DynamoDB Local. After a few valid deliveries, the table is photographed; then thousands of bad requests
 * (and exact replays of the valid ones) are sent in random order. Nothing bad may be accepted, no refusal may write
 * (the table must equal the photograph), every refusal of a signed body is a 400 naming the field that was broken,
 * and nothing answers 5xx. Deterministic: one fixed seed.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { ShopifyWebhook } from '../../src/adapters/webhooks/shopify-webhook';
import { StandardCartWebhook } from '../../src/adapters/webhooks/standard-webhook';
import { createIntakeHandler } from '../../src/handlers/intake';
import type { FunctionUrlHandler } from '../../src/http/function-url';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { freshTables } from '../support/dynamo';
import { functionUrlEvent } from '../support/function-url';
import { RecordingScheduler } from '../support/recording-scheduler';
import { RecordingStats } from '../support/recording-stats';
import { fixture, shopifyHeaders, standardHeaders } from '../support/webhooks';

const secret = `whsec_${Buffer.from('sweep-secret').toString('base64')}`;
const shopSecret = 'sweep-shop-secret';
const MINUTE = 60_000;

type Headers = Record<string, string>;
interface Request {
  readonly path: '/webhooks/cart' | '/webhooks/shopify';
  readonly body: string;
  readonly headers: Headers;
  /**
   * Our format's signature carries a time that must be within five minutes when it arrives: requests that must get past
   * it are signed as they are sent (as a storefront's retry is), so a slow machine changes nothing.
   */
  readonly signOnSend?: boolean;
  /** What must come back: a refusal with one of these statuses (and the field it must name), a replay, or a stale ignore. */
  readonly expect: { kind: 'refused'; statuses: number[]; field?: string } | { kind: 'replay' } | { kind: 'ignored' };
  readonly category: string;
}

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * MINUTE).toISOString();

function ourCart(id: string, minutesAgo: number): Record<string, unknown> {
  return {
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
  };
}

function shopifyCheckout(token: string, minutesAgo: number): Record<string, unknown> {
  return { ...fixture('shopify-checkout-update.json'), token, cart_token: `ct-${token}`, email: `${token}@example.com`, updated_at: at(minutesAgo) };
}

function shopifyOrder(token: string, minutesAgo: number): Record<string, unknown> {
  return { ...fixture('shopify-order-create.json'), checkout_token: token, cart_token: `ct-${token}`, email: `${token}@example.com`, created_at: at(minutesAgo), processed_at: at(minutesAgo) };
}

const signedOurs = (payload: unknown, id = `msg_${randomUUID()}`): Request['headers'] => {
  const body = JSON.stringify(payload);
  return standardHeaders(body, secret, { id });
};

const signedShopify = (body: string, topic: string, extra: Headers = {}): Headers => ({
  ...shopifyHeaders(body, shopSecret, topic),
  'x-shopify-event-id': `ev-${randomUUID()}`,
  ...extra,
});

/** Values that must be refused, by the field they replace (a path into the body). */
const long = (n: number) => 'x'.repeat(n);
const BAD_EMAILS = ['not-an-email', 'a@b.com, victim@x.com', 'sam@example.com\r\nBcc: victim@x.com', `${long(65)}@example.com`, `sam@${'d'.repeat(64)}.com`, `${long(3000)}@example.com`, 'sam @example.com', 5, ['a@b.com']];
const OUR_MUTATIONS: Array<[string, unknown[]]> = [
  ['type', [5, null, '', long(200)]],
  ['timestamp', ['yesterday', '2999-01-01T00:00:00Z', 'FUTURE', 5, null, '2026-13-01T00:00:00Z']],
  ['data', [null, 'cart', [], 5]],
  ['data.id', ['', long(129), 'bad id', 5, null, 'é']],
  ['data.email', [...BAD_EMAILS, null]],
  ['data.firstName', ['', long(101), 5, null]],
  ['data.items', [null, 'x', {}, 'MANY_ITEMS']],
  ['data.items.0.title', ['', long(301), 5, null]],
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
  ['line_items', [null, 'MANY_ITEMS', 'x']],
  ['line_items.0.quantity', [0, 1e15, '1', 1.5, null]],
  ['line_items.0.title', ['', long(301), 5]],
  ['line_items.0.variant_title', [long(256), 5]],
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

function mutate(payload: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(payload);
  const keys = path.split('.');
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  const items = (node[last] as unknown[] | undefined) ?? [];
  node[last] =
    value === 'MANY_ITEMS' ? Array(251).fill(Array.isArray(items) && items[0] ? items[0] : { title: 'x', quantity: 1, price: '1.00' }) : value === 'FUTURE' ? new Date(Date.now() + 10 * MINUTE).toISOString() : value;
  return copy;
}

describe('the intake sweep', () => {
  let handler: FunctionUrlHandler;
  let snapshot: () => Promise<unknown[]>;

  beforeAll(async () => {
    const { documents, names } = await freshTables();
    const clock = new ControllableClock();
    handler = createIntakeHandler({
      carts: new DynamoDbCartStore(documents, names.carts),
      activity: new DynamoDbActivityLog(documents, names.sends, 90),
      stats: new RecordingStats(),
      scheduler: new RecordingScheduler(),
      rules: fixedRules(),
      clock,
      log: silentLog,
      retentionDays: 90,
      formats: { '/webhooks/cart': new StandardCartWebhook(secret, clock), '/webhooks/shopify': new ShopifyWebhook(shopSecret, clock) },
    });
    snapshot = async () => {
      const [carts, sends] = await Promise.all(
        [names.carts, names.sends].map(async (table) => (await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []),
      );
      const key = (item: Record<string, unknown>) => `${String(item.cartId)}#${String(item.sk ?? '')}`;
      return [...carts!, ...sends!].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    };
  });

  it('refuses 5,000+ forged, mutated, oversized, mistyped and replayed requests: none accepted, none written, no 5xx', async () => {
    const send = (request: Pick<Request, 'path' | 'body' | 'headers' | 'signOnSend'>) => {
      const headers = request.signOnSend ? standardHeaders(request.body, secret, { id: request.headers['webhook-id'] }) : request.headers;
      return handler(functionUrlEvent({ path: request.path, headers, body: request.body }));
    };

    // The valid deliveries: 30 carts in our format, 20 Shopify checkouts and 10 of their orders.
    const valid: Request[] = [];
    for (let i = 0; i < 30; i++) {
      const body = JSON.stringify(ourCart(`sweep-${i}`, 30 - i));
      valid.push({ path: '/webhooks/cart', body, headers: standardHeaders(body, secret), expect: { kind: 'replay' }, category: 'valid' });
    }
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify(shopifyCheckout(`tok${i}`, 40 - i));
      valid.push({ path: '/webhooks/shopify', body, headers: signedShopify(body, 'checkouts/update'), expect: { kind: 'replay' }, category: 'valid' });
    }
    for (let i = 0; i < 10; i++) {
      const body = JSON.stringify(shopifyOrder(`tok${i}`, 5));
      valid.push({ path: '/webhooks/shopify', body, headers: signedShopify(body, 'orders/create'), expect: { kind: 'replay' }, category: 'valid' });
    }
    for (const request of valid) expect((await send(request)).statusCode).toBe(200);
    const photograph = await snapshot();

    const rng = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), { seed: 13, numRuns: 40_000 });
    let r = 0;
    const pick = <T>(list: readonly T[]): T => list[rng[r++ % rng.length]! % list.length]!;
    const sweep: Request[] = [];

    // Replays: exact copies of valid deliveries; Shopify redeliveries of one event under a new webhook id; too-old ones.
    for (let i = 0; i < 200; i++) {
      const original = pick(valid);
      sweep.push({ ...original, signOnSend: original.path === '/webhooks/cart', category: 'replayed' });
    }
    for (let i = 0; i < 60; i++) {
      const original = pick(valid.filter((v) => v.path === '/webhooks/shopify'));
      sweep.push({ ...original, headers: { ...original.headers, 'x-shopify-webhook-id': randomUUID() }, category: 'replayed' });
      sweep.push({ ...original, headers: { ...original.headers, 'x-shopify-triggered-at': at(5 * 60) }, expect: { kind: 'ignored' }, category: 'replayed' });
      const ours = pick(valid.filter((v) => v.path === '/webhooks/cart'));
      sweep.push({ ...ours, headers: standardHeaders(ours.body, secret, { id: ours.headers['webhook-id'], signedAt: new Date(Date.now() - 10 * MINUTE) }), expect: { kind: 'refused', statuses: [401] }, category: 'replayed' });
    }
    // Forged: no signature, a made-up one, another secret's, another body's.
    for (let i = 0; i < 800; i++) {
      const base = pick(valid);
      const forged: Headers = { ...base.headers };
      const how = i % 4;
      if (base.path === '/webhooks/cart') {
        if (how === 0) delete forged['webhook-signature'];
        else if (how === 1) forged['webhook-signature'] = `v1,${Buffer.from(randomUUID()).toString('base64')}`;
        else if (how === 2) Object.assign(forged, standardHeaders(base.body, `whsec_${Buffer.from('other').toString('base64')}`));
        else forged['webhook-signature'] = standardHeaders(JSON.stringify(ourCart('other', 1)), secret, { id: forged['webhook-id'] })['webhook-signature'];
      } else {
        if (how === 0) delete forged['x-shopify-hmac-sha256'];
        else if (how === 1) forged['x-shopify-hmac-sha256'] = Buffer.from(randomUUID()).toString('base64');
        else if (how === 2) forged['x-shopify-hmac-sha256'] = createHmac('sha256', 'other').update(base.body).digest('base64');
        else forged['x-shopify-hmac-sha256'] = createHmac('sha256', shopSecret).update(`${base.body} `).digest('base64');
      }
      sweep.push({ ...base, headers: forged, expect: { kind: 'refused', statuses: [401] }, category: 'forged' });
    }
    // Mutated in transit: one character of a signed body changed.
    for (let i = 0; i < 800; i++) {
      const base = pick(valid);
      const at = pick(rng) % base.body.length;
      const char = base.body[at] === '1' ? '2' : '1';
      const body = base.body.slice(0, at) + char + base.body.slice(at + 1);
      sweep.push({ ...base, body, expect: { kind: 'refused', statuses: [401] }, category: 'mutated' });
    }
    // Oversized bodies, signed.
    const big = JSON.stringify({ ...ourCart('big', 1), padding: long(256 * 1024) });
    const bigHeaders = { '/webhooks/cart': standardHeaders(big, secret), '/webhooks/shopify': signedShopify(big, 'checkouts/update') } as const;
    for (let i = 0; i < 200; i++) {
      const path = i % 2 === 0 ? '/webhooks/cart' : '/webhooks/shopify';
      sweep.push({ path, body: big, headers: bigHeaders[path], expect: { kind: 'refused', statuses: [413] }, category: 'oversized' });
    }
    // Mistyped, out of bounds or the wrong kind, correctly signed: a 400 naming the field.
    for (let i = 0; i < 3_300; i++) {
      const kind = i % 3;
      if (kind === 0) {
        const [path, values] = pick(OUR_MUTATIONS);
        const payload = mutate(ourCart(`bad-${i}`, 1), path, pick(values));
        const body = JSON.stringify(payload);
        sweep.push({ path: '/webhooks/cart', body, headers: { 'webhook-id': `msg_${randomUUID()}` }, signOnSend: true, expect: { kind: 'refused', statuses: [400], field: path }, category: 'mistyped' });
      } else if (kind === 1) {
        const [path, values] = pick(CHECKOUT_MUTATIONS);
        const body = JSON.stringify(mutate(shopifyCheckout(`bad${i}`, 1), path, pick(values)));
        sweep.push({ path: '/webhooks/shopify', body, headers: signedShopify(body, 'checkouts/update'), expect: { kind: 'refused', statuses: [400], field: path }, category: 'mistyped' });
      } else {
        const [path, values] = pick(ORDER_MUTATIONS);
        const body = JSON.stringify(mutate(shopifyOrder(`bad${i}`, 1), path, pick(values)));
        sweep.push({ path: '/webhooks/shopify', body, headers: signedShopify(body, 'orders/create'), expect: { kind: 'refused', statuses: [400], field: path }, category: 'mistyped' });
      }
    }
    // A checkout re-sent as an order (and the reverse), unsigned headers that are too long or unreadable.
    for (let i = 0; i < 100; i++) {
      const checkout = JSON.stringify(shopifyCheckout(`swap${i}`, 1));
      sweep.push({ path: '/webhooks/shopify', body: checkout, headers: signedShopify(checkout, 'orders/create'), expect: { kind: 'refused', statuses: [400], field: 'admin_graphql_api_id' }, category: 'mistyped' });
      const order = JSON.stringify(shopifyOrder(`swap${i}`, 1));
      sweep.push({ path: '/webhooks/shopify', body: order, headers: signedShopify(order, 'checkouts/update'), expect: { kind: 'refused', statuses: [400], field: 'checkout_token' }, category: 'mistyped' });
      sweep.push({ path: '/webhooks/shopify', body: checkout, headers: signedShopify(checkout, 'checkouts/update', { 'x-shopify-event-id': long(300) }), expect: { kind: 'refused', statuses: [400], field: 'x-shopify-event-id' }, category: 'mistyped' });
      sweep.push({ path: '/webhooks/shopify', body: checkout, headers: signedShopify(checkout, 'checkouts/update', { 'x-shopify-triggered-at': 'a while ago' }), expect: { kind: 'refused', statuses: [400], field: 'x-shopify-triggered-at' }, category: 'mistyped' });
    }

    // In a fixed shuffled order, a few at a time.
    const order = fc.sample(fc.shuffledSubarray(sweep.map((_, i) => i), { minLength: sweep.length, maxLength: sweep.length }), { seed: 13, numRuns: 1 })[0]!;
    const tally: Record<string, number> = {};
    const wrong: string[] = [];
    let serverErrors = 0;
    for (let i = 0; i < order.length; i += 16) {
      await Promise.all(
        order.slice(i, i + 16).map(async (index) => {
          const request = sweep[index]!;
          const response = await send(request);
          const body = JSON.parse(response.body ?? '{}') as { outcome?: string; message?: string };
          tally[request.category] = (tally[request.category] ?? 0) + 1;
          if (response.statusCode >= 500) serverErrors += 1;
          const ok =
            request.expect.kind === 'replay'
              ? response.statusCode === 200 && ['duplicate', 'already_checked_out', 'closed'].includes(body.outcome ?? '')
              : request.expect.kind === 'ignored'
                ? response.statusCode === 202 && body.outcome === 'ignored'
                : request.expect.statuses.includes(response.statusCode) &&
                  (request.expect.field === undefined || (body.message ?? '').startsWith(`${request.expect.field}`));
          if (!ok) wrong.push(`${request.category} ${request.path} ${JSON.stringify(request.expect)} -> ${response.statusCode} ${response.body?.slice(0, 160)}`);
        }),
      );
    }
    const total = Object.values(tally).reduce((a, b) => a + b, 0);
    console.info(`intake sweep: ${total} requests ${JSON.stringify(tally)}, ${wrong.length} answered wrongly, ${serverErrors} 5xx`);

    expect(total).toBeGreaterThanOrEqual(5_000);
    if (wrong.length > 0) console.info(wrong.join("\n"));
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(serverErrors).toBe(0);
    // Nothing a refusal or a replay did is in the tables.
    expect(await snapshot()).toEqual(photograph);
    // And a valid delivery still lands.
    const fresh = JSON.stringify(ourCart('after-sweep', 1));
    expect((await send({ path: '/webhooks/cart', body: fresh, headers: standardHeaders(fresh, secret) })).statusCode).toBe(200);
  }, 600_000);
});
