import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import type { FunctionUrlHandler } from '../../src/http/function-url';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { ShopifyWebhook } from '../../src/adapters/webhooks/shopify-webhook';
import { StandardCartWebhook } from '../../src/adapters/webhooks/standard-webhook';
import { createIntakeHandler, MAX_BODY_BYTES } from '../../src/handlers/intake';
import type { Log } from '../../src/ports/log';
import { LOCAL_SECRETS } from '../../src/local/system';
import { freshTables } from '../support/dynamo';
import { functionUrlEvent } from '../support/function-url';
import { RecordingScheduler } from '../support/recording-scheduler';
import { cartPayload, fixture, shopifyHeaders, standardHeaders } from '../support/webhooks';
import { fixedRules } from '../../src/ports/owner-docs';
import { CART_BOUNDS } from '../../src/domain/cart/bounds';
import type { CartRow } from '../../src/domain/cart/cart';

const secret = LOCAL_SECRETS.webhook;
const shopSecret = LOCAL_SECRETS.shopify;

describe('intake handler', () => {
  let handler: FunctionUrlHandler;
  let countRows: () => Promise<number>;
  let getRow: (cartId: string) => Promise<CartRow | undefined>;
  let scheduler: RecordingScheduler;
  let logged: Array<{ level: string; message: string; attributes?: Record<string, unknown> }>;

  beforeEach(async () => {
    const { documents, names } = await freshTables();
    scheduler = new RecordingScheduler();
    logged = [];
    const log: Log = {
      appendKeys() {},
      info: (message, attributes) => logged.push({ level: 'info', message, attributes }),
      warn: (message, attributes) => logged.push({ level: 'warn', message, attributes }),
      error: (message, attributes) => logged.push({ level: 'error', message, attributes }),
    };
    handler = createIntakeHandler({
      carts: new DynamoDbCartStore(documents, names.carts),
      activity: new DynamoDbActivityLog(documents, names.sends, 90),
      scheduler,
      rules: fixedRules(),
      clock: new ControllableClock(),
      log,
      retentionDays: 90,
      formats: {
        '/webhooks/cart': new StandardCartWebhook(secret, new ControllableClock()),
        '/webhooks/shopify': new ShopifyWebhook(shopSecret, new ControllableClock()),
      },
    });
    countRows = async () => (await documents.send(new ScanCommand({ TableName: names.carts }))).Count ?? 0;
    getRow = (cartId) => new DynamoDbCartStore(documents, names.carts).get(cartId);
  });

  const postCart = (body: string, headers = standardHeaders(body, secret)) =>
    handler(functionUrlEvent({ path: '/webhooks/cart', headers, body }));

  it('accepts a signed cart event and writes the row', async () => {
    const response = await postCart(JSON.stringify(cartPayload()));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '')).toEqual({
      outcome: 'applied',
      cartId: 'cart-seed-120',
      wakeUpScheduled: true,
    });
    expect(await countRows()).toBe(1);
  });

  it('accepts a base64-encoded body the same way', async () => {
    const body = JSON.stringify(cartPayload());
    const response = await handler(
      functionUrlEvent({ path: '/webhooks/cart', headers: standardHeaders(body, secret), body, base64: true }),
    );
    expect(response.statusCode).toBe(200);
  });

  describe('big carts, correctly signed: accepted and kept bounded, never refused', () => {
    const lines = (n: number, title = (i: number) => `Linen shirt ${i}`) =>
      Array.from({ length: n }, (_, i) => ({ title: title(i), quantity: 1, unitPrice: '1.00' }));

    it('keeps the first 50 of 500 items and counts the rest, and logs what it cut', async () => {
      const response = await postCart(JSON.stringify(cartPayload({ items: lines(500), total: '500.00' })));
      expect(response.statusCode).toBe(200);
      const row = await getRow('cart-seed-120');
      expect(row?.items).toHaveLength(CART_BOUNDS.storedItems);
      expect(row?.items[0]?.title).toBe('Linen shirt 0');
      expect(row?.moreItems).toBe(450);
      expect(row?.total).toEqual({ minor: 50_000, currency: 'USD' });
      expect(logged.find((l) => l.message === 'cart kept bounded')?.attributes).toMatchObject({
        itemsSent: 500,
        itemsKept: 50,
        itemsDropped: 450,
        titlesCut: 0,
      });
      // A later, smaller change of the same cart keeps all its items and no stale count.
      const small = cartPayload({ items: lines(2) }, '2026-11-02T20:05:00Z');
      expect((await postCart(JSON.stringify(small))).statusCode).toBe(200);
      expect(await getRow('cart-seed-120')).toMatchObject({
        items: [{ title: 'Linen shirt 0' }, { title: 'Linen shirt 1' }],
      });
      expect((await getRow('cart-seed-120'))?.moreItems).toBeUndefined();
    });

    it('cuts very long titles, whole characters, and says so', async () => {
      const long = `Hand-loomed ${'linen '.repeat(2_000)}throw`;
      const response = await postCart(
        JSON.stringify(
          cartPayload({
            items: [
              { title: long, quantity: 1, unitPrice: '90.00' },
              { title: '🧵'.repeat(400), quantity: 1, unitPrice: '1.00' },
            ],
            total: '91.00',
          }),
        ),
      );
      expect(response.statusCode).toBe(200);
      const titles = (await getRow('cart-seed-120'))?.items.map((item) => item.title) ?? [];
      expect(titles.map((title) => Array.from(title).length)).toEqual([CART_BOUNDS.title, CART_BOUNDS.title]);
      expect(titles.every((title) => title.endsWith('…'))).toBe(true);
      expect(titles[1]?.startsWith('🧵🧵')).toBe(true);
      expect(logged.find((l) => l.message === 'cart kept bounded')?.attributes).toMatchObject({
        itemsDropped: 0,
        titlesCut: 2,
      });
    });

    it(
      'accepts a Shopify checkout of 5,000 line items with properties and tax lines, ' + 'a body of several MB',
      async () => {
        const checkout = fixture('shopify-checkout-update.json') as Record<string, unknown> & {
          line_items: Array<Record<string, unknown>>;
        };
        const [line] = checkout.line_items;
        const big = {
          ...checkout,
          line_items: Array.from({ length: 5_000 }, (_, i) => ({
            ...line,
            title: `${String(line?.title)} ${i}`,
            properties: [
              { name: 'Engraving', value: 'x'.repeat(400) },
              { name: '_gift_wrap', value: 'yes' },
            ],
            tax_lines: [
              { title: 'State tax', price: '0.50', rate: 0.06 },
              { title: 'County tax', price: '0.10', rate: 0.01 },
            ],
          })),
        };
        const body = JSON.stringify(big);
        expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
        expect(body.length).toBeLessThan(MAX_BODY_BYTES);
        const response = await handler(
          functionUrlEvent({
            path: '/webhooks/shopify',
            headers: shopifyHeaders(body, shopSecret, 'checkouts/update'),
            body,
          }),
        );
        expect(response.statusCode).toBe(200);
        const cartId = JSON.parse(response.body ?? '{}').cartId as string;
        const row = await getRow(cartId);
        expect(row?.items).toHaveLength(CART_BOUNDS.storedItems);
        expect(row?.moreItems).toBe(5_000 - CART_BOUNDS.storedItems);
      },
    );

    it('checks the signature before parsing: a forged 5 MB body is refused as unsigned, not read', async () => {
      const items = '{"title":"x","quantity":1,"unitPrice":"1.00"},'.repeat(100_000);
      const body = `{"type": "cart.updated", "data": {"items": [${items}`; // not even JSON
      expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
      const forged = standardHeaders(body, `whsec_${Buffer.from('someone else').toString('base64')}`);
      expect((await postCart(body, forged)).statusCode).toBe(401);
      const shopify = await handler(
        functionUrlEvent({
          path: '/webhooks/shopify',
          headers: shopifyHeaders(body, 'not-the-secret', 'checkouts/update'),
          body,
        }),
      );
      expect(shopify.statusCode).toBe(401);
      expect(await countRows()).toBe(0);
    });
  });

  type Case = {
    name: string;
    request: () => ReturnType<FunctionUrlHandler>;
    status: number;
    code: string;
    message?: RegExp;
  };
  const cases: Case[] = [
    {
      name: 'missing signature headers',
      request: () => postCart(JSON.stringify(cartPayload()), { 'content-type': 'application/json' } as never),
      status: 401,
      code: 'missing_signature',
    },
    {
      name: 'signature from another secret',
      request: () => {
        const body = JSON.stringify(cartPayload());
        return postCart(body, standardHeaders(body, `whsec_${Buffer.from('someone else').toString('base64')}`));
      },
      status: 401,
      code: 'bad_signature',
    },
    {
      name: 'body altered after signing',
      request: () => {
        const body = JSON.stringify(cartPayload());
        return postCart(body.replace('120.00', '12.00'), standardHeaders(body, secret));
      },
      status: 401,
      code: 'bad_signature',
    },
    {
      name: 'timestamp ten minutes old',
      request: () => {
        const body = JSON.stringify(cartPayload());
        return postCart(body, standardHeaders(body, secret, { signedAt: new Date(Date.now() - 10 * 60_000) }));
      },
      status: 401,
      code: 'timestamp_out_of_window',
    },
    {
      name: 'timestamp ten minutes ahead',
      request: () => {
        const body = JSON.stringify(cartPayload());
        return postCart(body, standardHeaders(body, secret, { signedAt: new Date(Date.now() + 10 * 60_000) }));
      },
      status: 401,
      code: 'timestamp_out_of_window',
    },
    {
      name: 'body over the Function URL limit (6 MB)',
      request: () => postCart(JSON.stringify(cartPayload({ padding: 'x'.repeat(MAX_BODY_BYTES) }))),
      status: 413,
      code: 'payload_too_large',
    },
    { name: 'invalid JSON', request: () => postCart('{"type": "cart.updated",'), status: 400, code: 'invalid_json' },
    {
      name: 'missing total',
      request: () => postCart(JSON.stringify(cartPayload({ total: undefined }))),
      status: 400,
      code: 'invalid_field',
      message: /^data\.total: /,
    },
    {
      name: 'bad item price',
      request: () =>
        postCart(JSON.stringify(cartPayload({ items: [{ title: 'Shirt', quantity: 1, unitPrice: '12.345' }] }))),
      status: 400,
      code: 'invalid_field',
      message: /^data\.items\.0\.unitPrice: .*more than 2 decimal places/,
    },
    {
      name: 'zero quantity',
      request: () =>
        postCart(JSON.stringify(cartPayload({ items: [{ title: 'Shirt', quantity: 0, unitPrice: '1.00' }] }))),
      status: 400,
      code: 'invalid_field',
      message: /^data\.items\.0\.quantity: /,
    },
    {
      name: 'not an email',
      request: () => postCart(JSON.stringify(cartPayload({ email: 'sam at example' }))),
      status: 400,
      code: 'invalid_field',
      message: /^data\.email: expected (an|one) email address/,
    },
    {
      name: 'javascript: return link',
      request: () => postCart(JSON.stringify(cartPayload({ returnUrl: 'javascript:alert(1)' }))),
      status: 400,
      code: 'invalid_field',
      message: /^data\.returnUrl: expected an http\(s\) URL/,
    },
    {
      name: 'unknown time zone',
      request: () => postCart(JSON.stringify(cartPayload({ timeZone: 'Mars/Olympus' }))),
      status: 400,
      code: 'invalid_field',
      message: /^data\.timeZone: /,
    },
    {
      name: 'unknown currency',
      request: () => postCart(JSON.stringify(cartPayload({ currency: 'XYZ' }))),
      status: 400,
      code: 'invalid_field',
      message: /^data\.currency: expected an ISO 4217 currency code/,
    },
    {
      name: 'bad event time',
      request: () => postCart(JSON.stringify(cartPayload({}, 'yesterday'))),
      status: 400,
      code: 'invalid_field',
      message: /^timestamp: /,
    },
    {
      name: 'GET instead of POST',
      request: () => handler(functionUrlEvent({ path: '/webhooks/cart', method: 'GET' })),
      status: 405,
      code: 'method_not_allowed',
    },
    {
      name: 'unknown path',
      request: () => handler(functionUrlEvent({ path: '/webhooks/other', body: '{}' })),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'Shopify payload with one byte changed',
      request: () => {
        const body = JSON.stringify(fixture('shopify-checkout-update.json'));
        const tampered = body.replace('"120.00"', '"920.00"');
        return handler(
          functionUrlEvent({
            path: '/webhooks/shopify',
            headers: shopifyHeaders(body, shopSecret, 'checkouts/update'),
            body: tampered,
          }),
        );
      },
      status: 401,
      code: 'bad_signature',
    },
    {
      name: 'Shopify payload without HMAC',
      request: () =>
        handler(
          functionUrlEvent({
            path: '/webhooks/shopify',
            headers: { 'x-shopify-topic': 'checkouts/update' },
            body: '{}',
          }),
        ),
      status: 401,
      code: 'missing_signature',
    },
    {
      name: 'Shopify checkout missing line items',
      request: () => {
        const { line_items: _, ...rest } = fixture('shopify-checkout-update.json');
        const body = JSON.stringify(rest);
        return handler(
          functionUrlEvent({
            path: '/webhooks/shopify',
            headers: shopifyHeaders(body, shopSecret, 'checkouts/update'),
            body,
          }),
        );
      },
      status: 400,
      code: 'invalid_field',
      message: /^line_items: /,
    },
  ];

  it.each(cases)('refuses $name with $status and writes nothing', async ({ request, status, code, message }) => {
    const response = await request();

    expect(response.statusCode).toBe(status);
    const body = JSON.parse(response.body ?? '{}') as { error: string; message: string };
    expect(body.error).toBe(code);
    if (message) expect(body.message).toMatch(message);
    expect(response.body).not.toMatch(/\s+at\s+\S+\s+\(|node_modules|\.ts:\d+/);
    expect(await countRows()).toBe(0);
    expect(scheduler.calls).toBe(0);
  });

  it('refuses a junk path, however long, with one short log line', async () => {
    const response = await handler(functionUrlEvent({ path: `/webhooks/${'%zz'.repeat(3000)}`, body: '{}' }));
    expect(response.statusCode).toBe(404);
    expect((response.body ?? '').length).toBeLessThan(300);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'warn',
      message: 'webhook refused',
      attributes: { status: 404, code: 'not_found' },
    });
    expect(JSON.stringify(logged[0]).length).toBeLessThan(400);
    expect(await countRows()).toBe(0);
  });

  it('acknowledges unknown event kinds with 202, logs them, and writes nothing', async () => {
    const body = JSON.stringify({ type: 'cart.viewed', timestamp: '2026-11-02T20:00:00Z', data: {} });
    const response = await postCart(body);
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body ?? '')).toEqual({ outcome: 'ignored', type: 'cart.viewed' });
    expect(logged).toContainEqual(expect.objectContaining({ message: 'webhook ignored: unknown event type' }));
    expect(await countRows()).toBe(0);
  });

  it('acknowledges Shopify topics it does not act on', async () => {
    const body = JSON.stringify({ id: 1 });
    const response = await handler(
      functionUrlEvent({
        path: '/webhooks/shopify',
        headers: shopifyHeaders(body, shopSecret, 'products/update'),
        body,
      }),
    );
    expect(response.statusCode).toBe(202);
    expect(await countRows()).toBe(0);
  });

  it('answers an unexpected failure with a bare 500 and keeps the detail in the log', async () => {
    const broken = createIntakeHandler({
      carts: { applyChange: () => Promise.reject(new Error('table exploded at /secret/path.ts:12')) } as never,
      activity: { record: async () => {}, history: async () => [] },
      scheduler,
      rules: fixedRules(),
      clock: new ControllableClock(),
      log: {
        info() {},
        warn() {},
        appendKeys() {},
        error: (message, attributes) => logged.push({ level: 'error', message, attributes }),
      },
      retentionDays: 90,
      formats: { '/webhooks/cart': new StandardCartWebhook(secret, new ControllableClock()) },
    });
    const body = JSON.stringify(cartPayload());
    const response = await broken(
      functionUrlEvent({ path: '/webhooks/cart', headers: standardHeaders(body, secret), body }),
    );

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('exploded');
    expect(logged.at(-1)).toMatchObject({ level: 'error', message: 'webhook failed' });
  });
});
