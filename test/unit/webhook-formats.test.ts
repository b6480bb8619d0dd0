import { describe, expect, it } from 'vitest';
import { ShopifyWebhook } from '../../src/adapters/webhooks/shopify-webhook';
import { StandardCartWebhook } from '../../src/adapters/webhooks/standard-webhook';
import { fitLineItems, StripeCheckoutWebhook } from '../../src/adapters/webhooks/stripe-webhook';
import { silentLog } from '../../src/ports/log';
import type { StripeLineItem } from '../../src/ports/stripe-checkout';
import { seedCartLines, seedStripeLines } from '../../src/local/seed-cart';
import { fixture, shopifyHeaders, standardHeaders, cartPayload, stripeHeaders } from '../support/webhooks';

const shopSecret = 'shop-secret';
/** The formats' clock: after every fixture's event time. */
const clock = { now: () => new Date('2026-11-10T00:00:00Z') };
const secret = `whsec_${Buffer.from('unit-test-secret').toString('base64')}`;

function parseShopify(payload: Record<string, unknown>, topic: string, webhookId = 'wh-1') {
  const body = Buffer.from(JSON.stringify(payload));
  return new ShopifyWebhook(shopSecret, clock).parse(body, shopifyHeaders(body, shopSecret, topic, webhookId));
}

describe('Shopify checkouts', () => {
  it('maps checkouts/update onto a cart snapshot', () => {
    const parsed = parseShopify(fixture('shopify-checkout-update.json'), 'checkouts/update');

    expect(parsed).toEqual({
      kind: 'event',
      event: {
        kind: 'cart_changed',
        eventId: 'wh-1',
        occurredAt: new Date('2026-11-02T20:00:00Z'),
        source: 'shopify',
        cart: {
          cartId: 'shopify-Z2NwLXVzLWVhc3QxOjAxSkZYN0tBUDRR',
          source: 'shopify',
          email: 'sam.shopper@example.com',
          firstName: 'Sam',
          items: [
            { title: 'Linen shirt (M)', quantity: 1, unitPrice: 6000 },
            { title: 'Beeswax candle', quantity: 2, unitPrice: 2000 },
            { title: 'Canvas tote', quantity: 1, unitPrice: 2000 },
          ],
          total: { minor: 12000, currency: 'USD' },
          returnUrl: expect.stringMatching(/^https:\/\/ridge-and-loom\.myshopify\.com\/.*\/recover\?key=/),
          savedLink: false,
          marketingConsent: true,
          checkoutToken: '4d8f1a7c2b9e4e6f8a1b3c5d7e9f0a12',
        },
      },
    });
  });

  it('reads a checkout in the currency the shopper saw (presentment_currency), not the shop currency', () => {
    const base = fixture('shopify-checkout-update.json');
    const parsed = parseShopify(
      { ...base, currency: 'USD', presentment_currency: 'EUR', customer_locale: 'de-DE' },
      'checkouts/update',
    );
    expect(parsed).toMatchObject({ kind: 'event', event: { cart: { total: { minor: 12000, currency: 'EUR' } } } });
    // A store without multi-currency sends no presentment currency: the shop's is the shopper's.
    const plain = parseShopify({ ...base, currency: 'GBP', presentment_currency: null }, 'checkouts/update');
    expect(plain).toMatchObject({ kind: 'event', event: { cart: { total: { minor: 12000, currency: 'GBP' } } } });
  });

  it('reads consent from the customer first, then buyer_accepts_marketing', () => {
    const base = fixture('shopify-checkout-update.json');
    const declined = parseShopify(
      { ...base, customer: { first_name: 'Sam', email_marketing_consent: { state: 'not_subscribed' } } },
      'checkouts/update',
    );
    const noCustomer = parseShopify({ ...base, customer: null, buyer_accepts_marketing: false }, 'checkouts/update');
    expect(
      declined.kind === 'event' && declined.event.kind === 'cart_changed' && declined.event.cart.marketingConsent,
    ).toBe(false);
    expect(
      noCustomer.kind === 'event' && noCustomer.event.kind === 'cart_changed' && noCustomer.event.cart.marketingConsent,
    ).toBe(false);
  });

  it('flags a checkout that landed from a saved link', () => {
    const parsed = parseShopify(
      { ...fixture('shopify-checkout-update.json'), landing_site: '/cart/c/abc?cr_saved=1' },
      'checkouts/create',
    );
    expect(parsed.kind === 'event' && parsed.event.kind === 'cart_changed' && parsed.event.cart.savedLink).toBe(true);
  });

  it('keeps a guest checkout without email', () => {
    const parsed = parseShopify({ ...fixture('shopify-checkout-update.json'), email: null }, 'checkouts/create');
    expect(parsed.kind === 'event' && parsed.event.kind === 'cart_changed' && parsed.event.cart.email).toBeUndefined();
  });

  it('treats a completed checkout as an order', () => {
    const parsed = parseShopify(
      { ...fixture('shopify-checkout-update.json'), completed_at: '2026-11-03T12:00:00-05:00' },
      'checkouts/update',
    );
    expect(parsed).toMatchObject({
      kind: 'event',
      event: {
        kind: 'checked_out',
        occurredAt: new Date('2026-11-03T17:00:00Z'),
        match: { checkoutToken: '4d8f1a7c2b9e4e6f8a1b3c5d7e9f0a12' },
      },
    });
  });

  it('maps orders/create to a checkout matched by checkout token, cart token, then email', () => {
    expect(parseShopify(fixture('shopify-order-create.json'), 'orders/create')).toEqual({
      kind: 'event',
      event: {
        kind: 'checked_out',
        eventId: 'wh-1',
        occurredAt: new Date('2026-11-03T17:10:00Z'),
        source: 'shopify',
        match: {
          checkoutToken: '4d8f1a7c2b9e4e6f8a1b3c5d7e9f0a12',
          cartId: 'shopify-Z2NwLXVzLWVhc3QxOjAxSkZYN0tBUDRR',
          email: 'sam.shopper@example.com',
        },
        orderTotal: { minor: 12000, currency: 'USD' },
      },
    });
  });

  it('refuses a body that is not the kind its topic says, naming the field (the topic is not signed)', () => {
    expect(() => parseShopify(fixture('shopify-checkout-update.json'), 'orders/create')).toThrow(
      /^admin_graphql_api_id: expected an order id/,
    );
    expect(() => parseShopify(fixture('shopify-order-create.json'), 'checkouts/update')).toThrow(
      /^(checkout_token|financial_status|admin_graphql_api_id): .*not a checkout/,
    );
  });

  it(
    'recognises duplicates by X-Shopify-Event-Id, ' +
      'the id Shopify documents as shared by every delivery of one event',
    () => {
      const body = Buffer.from(JSON.stringify(fixture('shopify-checkout-update.json')));
      const delivery = (webhookId: string) => ({
        ...shopifyHeaders(body, shopSecret, 'checkouts/update', webhookId),
        'x-shopify-event-id': 'ev-42',
      });
      const first = new ShopifyWebhook(shopSecret, clock).parse(body, delivery('attempt-1'));
      const second = new ShopifyWebhook(shopSecret, clock).parse(body, delivery('attempt-2'));
      expect(first).toMatchObject({ event: { eventId: 'ev-42' } });
      expect(second).toEqual(first);
    },
  );

  it('acknowledges without applying a delivery triggered longer ago than Shopify retries (4 hours)', () => {
    const body = Buffer.from(JSON.stringify(fixture('shopify-checkout-update.json')));
    const parse = (triggeredAt: string) =>
      new ShopifyWebhook(shopSecret, clock).parse(body, {
        ...shopifyHeaders(body, shopSecret, 'checkouts/update'),
        'x-shopify-triggered-at': triggeredAt,
      });
    expect(parse('2026-11-09T19:59:00Z')).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/retry window/),
    });
    expect(parse('2026-11-09T20:01:00Z')).toMatchObject({ kind: 'event' });
    expect(() => parse('yesterday')).toThrow(/^x-shopify-triggered-at: /);
  });

  it(
    'refuses event times ahead of our clock, untrusted emails, ' +
      'huge quantities and oversized tokens, naming the field',
    () => {
      const checkout = fixture('shopify-checkout-update.json');
      const lineItems = checkout.line_items as Array<Record<string, unknown>>;
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ updated_at: '2999-01-01T00:00:00Z' }, /^updated_at: .*ahead of our clock/],
        [{ email: 'a@b.com, victim@x.com' }, /^email: expected one email address/],
        [{ email: 'sam@example.com\r\nBcc: victim@x.com' }, /^email: /],
        [{ email: 'not-an-email' }, /^email: /],
        [{ email: `${'a'.repeat(3000)}@example.com` }, /^email: /],
        [{ cart_token: 'x'.repeat(3000) }, /^cart_token: /],
        [{ line_items: [{ ...lineItems[0], quantity: 1e15 }] }, /^line_items\.0\.quantity: /],
        [{ customer: { first_name: 'x'.repeat(101) } }, /^customer\.first_name: /],
      ];
      for (const [override, message] of cases) {
        expect(
          () => parseShopify({ ...checkout, ...override }, 'checkouts/update'),
          JSON.stringify(override).slice(0, 80),
        ).toThrow(message);
      }
    },
  );

  it(
    'reads a checkout of any size in full: ' + "bounding what is kept is the intake use case's (domain/cart/bounds.ts)",
    () => {
      const checkout = fixture('shopify-checkout-update.json');
      const lineItems = checkout.line_items as Array<Record<string, unknown>>;
      const parsed = parseShopify(
        {
          ...checkout,
          line_items: Array(251).fill({ ...lineItems[0], title: 'x'.repeat(301), variant_title: 'v'.repeat(256) }),
        },
        'checkouts/update',
      );
      expect(parsed.kind === 'event' && parsed.event.kind === 'cart_changed' ? parsed.event.cart.items.length : 0).toBe(
        251,
      );
    },
  );

  it('needs the webhook id to deduplicate', () => {
    const body = Buffer.from('{}');
    const { 'x-shopify-webhook-id': _, ...headers } = shopifyHeaders(body, shopSecret, 'orders/create');
    expect(() => new ShopifyWebhook(shopSecret, clock).parse(body, headers)).toThrow(
      'x-shopify-event-id (or x-shopify-webhook-id) is required.',
    );
  });
});

describe('our cart format', () => {
  const parse = (payload: unknown, id = 'msg_1') => {
    const body = JSON.stringify(payload);
    return new StandardCartWebhook(secret, clock).parse(Buffer.from(body), standardHeaders(body, secret, { id }));
  };

  it('normalises email, money and the saved-link marker in the return URL', () => {
    const parsed = parse(
      cartPayload({
        email: ' Sam@Example.COM ',
        returnUrl: 'https://shop.example.com/c/1?cr_saved=1',
        timeZone: 'America/Chicago',
      }),
    );
    expect(parsed).toMatchObject({
      kind: 'event',
      event: {
        kind: 'cart_changed',
        eventId: 'msg_1',
        occurredAt: new Date('2026-11-02T20:00:00Z'),
        cart: {
          email: 'sam@example.com',
          total: { minor: 12000, currency: 'USD' },
          items: seedCartLines(),
          savedLink: true,
          timeZone: 'America/Chicago',
        },
      },
    });
  });

  it('reads a checkout with an order total', () => {
    const parsed = parse({
      type: 'cart.checked_out',
      timestamp: '2026-11-03T12:00:00Z',
      data: { id: 'c1', email: 'A@b.co', total: 99.5, currency: 'eur' },
    });
    expect(parsed).toEqual({
      kind: 'event',
      event: {
        kind: 'checked_out',
        eventId: 'msg_1',
        occurredAt: new Date('2026-11-03T12:00:00Z'),
        source: 'generic',
        match: { cartId: 'c1', email: 'a@b.co' },
        orderTotal: { minor: 9950, currency: 'EUR' },
      },
    });
  });

  it('refuses a timestamp more than five minutes ahead of our clock, naming the field', () => {
    expect(() => parse(cartPayload({}, '2026-11-10T00:06:00Z'))).toThrow(/^timestamp: .*ahead of our clock/);
    expect(parse(cartPayload({}, '2026-11-10T00:04:00Z'))).toMatchObject({ kind: 'event' });
  });

  it('takes emails only within RFC 5321 lengths, one address, no line breaks', () => {
    const email = (value: string) => () => parse(cartPayload({ email: value }));
    expect(email(`${'a'.repeat(64)}@example.com`)).not.toThrow();
    expect(email(`${'a'.repeat(65)}@example.com`)).toThrow(/^data\.email: .*local part of at most 64/);
    expect(email(`sam@${'d'.repeat(64)}.com`)).toThrow(/^data\.email: .*labels of at most 63/);
    expect(email(`sam@${Array(5).fill('d'.repeat(60)).join('.')}.com`)).toThrow(/^data\.email: /);
    expect(email('a@b.com, victim@x.com')).toThrow(/^data\.email: expected one email address/);
    expect(email('sam@example.com\nBcc: victim@x.com')).toThrow(/^data\.email: /);
  });

  it("bounds the delivery id, which ends up in the row's keys", () => {
    expect(() => parse(cartPayload(), 'm'.repeat(300))).toThrow(/^webhook-id: /);
  });

  it('ignores event types it does not know', () => {
    expect(parse({ type: 'cart.viewed', timestamp: '2026-11-03T12:00:00Z', data: {} })).toEqual({
      kind: 'ignored',
      type: 'cart.viewed',
    });
  });
});

describe('Stripe Checkout Sessions (the format alone, Stripe API stubbed through its port)', () => {
  const stripeSecret = 'whsec_unit_stripe';
  const lines: StripeLineItem[] = seedStripeLines();
  const calls: string[] = [];
  const format = new StripeCheckoutWebhook({
    secret: stripeSecret,
    clock,
    signatureClock: clock,
    log: silentLog,
    api: {
      lineItems: async (sessionId, limit) => {
        calls.push(`${sessionId}:${limit}`);
        return lines;
      },
      paymentLinkUrl: async () => undefined,
    },
  });
  const parse = (event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    return format.parse(Buffer.from(body), stripeHeaders(body, stripeSecret, clock.now()));
  };

  it("maps checkout.session.expired onto a cart snapshot timed by the session's creation", async () => {
    const parsed = await parse(fixture('stripe-checkout-session-expired.json'));
    expect(parsed).toEqual({
      kind: 'event',
      event: {
        kind: 'cart_changed',
        eventId: 'evt_1QxExpiredSeed120',
        occurredAt: new Date('2026-11-02T20:00:00Z'),
        source: 'stripe',
        cart: {
          cartId: 'stripe-cs_test_a1Seed120',
          source: 'stripe',
          email: 'sam@example.com',
          firstName: 'Sam',
          items: seedCartLines(),
          total: { minor: 12000, currency: 'USD' },
          returnUrl: 'https://buy.stripe.com/r/test_Seed120Recovery',
          marketingConsent: true,
        },
      },
    });
    expect(calls).toContain('cs_test_a1Seed120:250');
  });

  it('maps checkout.session.completed of a recovered session onto the order of the session it recovered', async () => {
    const parsed = await parse(fixture('stripe-checkout-session-completed.json'));
    expect(parsed).toEqual({
      kind: 'event',
      event: {
        kind: 'checked_out',
        eventId: 'evt_1QxCompletedSeed120',
        occurredAt: new Date('2026-11-04T18:50:00Z'),
        source: 'stripe',
        match: { cartId: 'stripe-cs_test_a1Seed120', email: 'sam@example.com' },
        orderTotal: { minor: 12000, currency: 'USD' },
        startedAt: new Date('2026-11-04T18:40:00Z'),
      },
    });
  });

  it('keeps a huge session bounded in one place: the first 250 items, titles of at most 300 characters', () => {
    const many = Array.from({ length: 400 }, (_, index) => ({
      title: `${'T'.repeat(500)}${index}`,
      quantity: 0,
      unitAmount: -5,
    }));
    const fitted = fitLineItems(many);
    expect(fitted).toHaveLength(250);
    // Cut as every lane's titles are (CART_BOUNDS): 299 characters and an ellipsis.
    expect(fitted[0]).toEqual({ title: `${'T'.repeat(299)}…`, quantity: 1, unitPrice: 0 });
  });
});
