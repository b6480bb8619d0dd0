/**
 * The seed cart's shapes all tell the same cart: each read back by the product's own parser gives the domain's lines.
 */
import { describe, expect, it } from 'vitest';
import { StandardCartWebhook } from '../../src/adapters/webhooks/standard-webhook';
import { fitLineItems } from '../../src/adapters/webhooks/stripe-webhook';
import {
  decimalOf,
  SEED_CART,
  seedCartLines,
  seedCartPayload,
  seedCartRow,
  seedCartSnapshot,
  seedCartTotal,
  seedStripeLineItems,
  seedStripeLines,
} from '../../src/local/seed-cart';
import { standardHeaders } from '../support/webhooks';

describe('the seed cart', () => {
  it('totals its lines: the $120 cart', () => {
    expect(seedCartTotal()).toEqual({ minor: 12000, currency: 'USD' });
    expect(seedCartRow()).toMatchObject({
      items: seedCartLines(),
      total: seedCartTotal(),
      status: 'open',
      remindersSent: 0,
    });
  });

  it('writes minor units as the currency writes decimals', () => {
    const written = [decimalOf(12000), decimalOf(5), decimalOf(0), decimalOf(12000, 'JPY'), decimalOf(12345, 'KWD')];
    expect(written).toEqual(['120.00', '0.05', '0.00', '12000', '12.345']);
  });

  it('is the same cart in our webhook format, read by its parser', () => {
    const secret = `whsec_${Buffer.from('seed-cart-test').toString('base64')}`;
    const body = JSON.stringify(seedCartPayload());
    const parsed = new StandardCartWebhook(secret, { now: () => new Date('2026-11-03T00:00:00Z') }).parse(
      Buffer.from(body),
      standardHeaders(body, secret, { id: 'msg_seed' }),
    );
    const cart = { ...seedCartSnapshot(), savedLink: false };
    expect(parsed).toEqual({
      kind: 'event',
      event: {
        kind: 'cart_changed',
        eventId: 'msg_seed',
        occurredAt: new Date(SEED_CART.changedAt),
        source: 'generic',
        cart,
      },
    });
  });

  // The export sheet's items cell is read back in export-rows.test.ts, beside the parser's other cases.
  it("is the same cart in Stripe's line items", () => {
    expect(fitLineItems(seedStripeLines())).toEqual(seedCartLines());
    const listed = seedStripeLineItems().map((item) => ({
      title: item.description,
      quantity: item.quantity,
      unitAmount: (item.price as { unit_amount: number }).unit_amount,
    }));
    expect(listed).toEqual(seedStripeLines());
  });
});
