/**
 * `npm run demo`: plays the seed story against a running local system (`npm start` in another terminal):
 * posts the signed seed cart (src/local/seed-cart.ts), moves the test clock, and prints what the system did and why.
 * `npm run demo -- --stripe`: the same story as a Stripe Checkout Session: its line items given to the local stand-in
 * of Stripe's API, then `checkout.session.expired` and, after the reminder, the recovered session's
 * `checkout.session.completed`, each in Stripe's shape and signed as Stripe signs.
 * Environment: CR_URL (default http://127.0.0.1:3000).
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { LOCAL_SECRETS } from '../src/local/system';
import { formatMoney } from '../src/domain/cart/money';
import { itemsSummary } from '../src/domain/email/template';
import {
  SEED_CART,
  seedCartData,
  seedCartTotal,
  seedCheckoutData,
  seedReturnUrl,
  seedStripeLineItems,
} from '../src/local/seed-cart';

const base = process.env.CR_URL ?? 'http://127.0.0.1:3000';
const stripeMode = process.argv.includes('--stripe');
const sessionId = `cs_test_demo${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const cartId = stripeMode ? `stripe-${sessionId}` : `demo-${randomUUID().slice(0, 8)}`;

async function call(path: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(`${base}${path}`, init);
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${path} -> ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function post(type: string, data: object): Promise<unknown> {
  const { now } = (await call('/_local/clock')) as { now: string };
  const body = JSON.stringify({ type, timestamp: now, data });
  const id = `msg_${randomUUID()}`;
  const signedAt = new Date();
  return call('/webhooks/cart', {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
      'webhook-signature': new Webhook(LOCAL_SECRETS.webhook).sign(id, signedAt, body),
    },
  });
}

type Entry = { at: string; actor: string; action: string; reason: string };

async function advance(by: string): Promise<Entry[]> {
  const { now } = (await call(`/_local/clock/advance?by=${encodeURIComponent(by)}`, { method: 'POST' })) as {
    now: string;
  };
  console.log(`\n… clock moved ${by}; it is now ${now}`);
  const history = (await call(`/_local/carts/${cartId}/activity`)) as Entry[];
  for (const entry of history)
    console.log(`  ${entry.at}  ${entry.actor.padEnd(6)} ${entry.action.padEnd(16)} ${entry.reason}`);
  return history;
}

/**
 * Moves the clock `by`, then on an hour at a time until the cart's `count`th reminder has gone out: a reminder that
 * falls due in quiet hours waits for the morning, whatever time of day the demo is run.
 */
async function advanceUntilSent(count: number, by: string): Promise<void> {
  let history = await advance(by);
  for (let hour = 0; hour < 24 && history.filter((entry) => entry.action === 'sent').length < count; hour++)
    history = await advance('1 hour');
}

/** A Stripe event around a Checkout Session, in Stripe's shape, signed with the local endpoint secret. */
async function postStripe(type: string, session: Record<string, unknown>): Promise<unknown> {
  const { now } = (await call('/_local/clock')) as { now: string };
  const body = JSON.stringify({
    id: `evt_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    object: 'event',
    api_version: '2026-01-28.clover',
    created: Math.floor(Date.parse(now) / 1000),
    data: { object: session },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
  // Signed on the wall clock: the 300-second window is about transport, not the test clock.
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: LOCAL_SECRETS.stripe });
  return call('/webhooks/stripe', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
}

/** The seed cart as the demo announces it: "Linen shirt, Candle ×2 and Tote, $120.00, from sam@example.com". */
const story = `${itemsSummary(SEED_CART.lines)}, ${formatMoney(seedCartTotal())}, from ${SEED_CART.shopper.email}`;

async function stripeStory(): Promise<void> {
  const { now } = (await call('/_local/clock')) as { now: string };
  const created = Math.floor(Date.parse(now) / 1000);
  const session = (overrides: Record<string, unknown>) => ({
    object: 'checkout.session',
    amount_subtotal: seedCartTotal().minor,
    amount_total: seedCartTotal().minor,
    currency: SEED_CART.currency.toLowerCase(),
    mode: 'payment',
    customer_details: { email: SEED_CART.shopper.email, name: SEED_CART.shopper.name },
    customer_email: null,
    consent: { promotions: 'opt_in', terms_of_service: null },
    consent_collection: { promotions: 'auto', terms_of_service: 'none' },
    payment_link: null,
    url: null,
    ...overrides,
  });
  console.log(`Stripe Checkout Session ${sessionId}: ${story} (promotional consent: opt_in)`);
  await call(`/_local/stripe/sessions/${sessionId}/line_items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(seedStripeLineItems()),
  });
  await advance('24 hours');
  console.log('\nThe session expires (24 hours after it was created); Stripe sends checkout.session.expired:');
  console.log(
    await postStripe(
      'checkout.session.expired',
      session({
        id: sessionId,
        created,
        expires_at: created + 24 * 3600,
        status: 'expired',
        payment_status: 'unpaid',
        recovered_from: null,
        after_expiration: {
          recovery: {
            allow_promotion_codes: false,
            enabled: true,
            expires_at: created + 31 * 24 * 3600,
            url: `https://buy.stripe.com/r/${sessionId}`,
          },
        },
      }),
    ),
  );
  await advance('5 minutes');
  await advance('20 hours');
  console.log(
    '\nThe shopper follows the recovery link and pays; Stripe sends checkout.session.completed for the new session:',
  );
  const back = Math.floor(Date.parse(((await call('/_local/clock')) as { now: string }).now) / 1000);
  console.log(
    await postStripe(
      'checkout.session.completed',
      session({
        id: `${sessionId}_r`,
        created: back - 600,
        expires_at: back - 600 + 24 * 3600,
        status: 'complete',
        payment_status: 'paid',
        recovered_from: sessionId,
        after_expiration: null,
      }),
    ),
  );
  await advance('8 days');
  console.log(`\nCart row: ${base}/_local/carts/${cartId}`);
}

try {
  if (stripeMode) {
    await stripeStory();
    process.exit(0);
  }
  console.log(`Posting cart ${cartId}: ${story}`);
  console.log(await post('cart.updated', seedCartData({ id: cartId, returnUrl: seedReturnUrl(cartId) })));
  await advanceUntilSent(1, '1 hour');
  await advanceUntilSent(2, '20 hours');
  console.log('\nThe shopper checks out:');
  console.log(await post('cart.checked_out', seedCheckoutData({ id: cartId })));
  await advance('8 days');
  console.log(`\nCart row: ${base}/_local/carts/${cartId}`);
} catch (error) {
  console.error(
    `Demo failed: ${error instanceof Error ? error.message : String(error)}\nIs the local system running (npm start)?`,
  );
  process.exit(1);
}
