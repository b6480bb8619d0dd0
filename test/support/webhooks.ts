import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { SEED_CART, seedCartPayload } from '../../src/local/seed-cart';

/**
 * A `cart.updated` payload of our own format: the seed's $120 cart (`src/local/seed-cart.ts`) with `overrides` laid
 * over its data. The overrides are untyped on purpose: tests send fields the format refuses.
 */
export function cartPayload(overrides: Record<string, unknown> = {}, timestamp: string = SEED_CART.changedAt) {
  const payload = seedCartPayload({}, timestamp);
  return { ...payload, data: { ...payload.data, ...overrides } };
}

/** Standard Webhooks headers for a body, signed now (or at `signedAt`). */
export function standardHeaders(body: string, secret: string, options: { id?: string; signedAt?: Date } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const signedAt = options.signedAt ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, signedAt, body),
  };
}

/** Shopify delivery headers for a body. */
export function shopifyHeaders(body: string | Buffer, secret: string, topic: string, webhookId: string = randomUUID()) {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    'x-shopify-webhook-id': webhookId,
    'x-shopify-shop-domain': 'ridge-and-loom.myshopify.com',
    'x-shopify-api-version': '2026-01',
  };
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/**
 * Stripe delivery headers for a body, signed by the official library's own test helper (`t=` is `signedAt`, in Unix
 * seconds, as Stripe sends it).
 */
export function stripeHeaders(body: string, secret: string, signedAt: Date = new Date()) {
  return {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret,
      timestamp: Math.floor(signedAt.getTime() / 1000),
    }),
  };
}
