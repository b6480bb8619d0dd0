/**
 * The Stripe lane end to end through the real intake handler on DynamoDB Local: events in Stripe's own shape
 * (test/fixtures/stripe-*.json, written from Stripe's Checkout Session object and event docs, not from our types),
 * signed by the official library's test helper, verified by the official library, line items read by the official
 * client from a loopback stand-in of Stripe's API over HTTP.
 */
import type { Server } from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { StripeCheckoutClient } from '../../src/adapters/stripe/stripe-checkout-client';
import { StripeCheckoutWebhook } from '../../src/adapters/webhooks/stripe-webhook';
import { decideSend } from '../../src/domain/cart/gates';
import { decideWake } from '../../src/domain/cart/moves';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { createIntakeHandler, MAX_BODY_BYTES } from '../../src/handlers/intake';
import type { FunctionUrlHandler } from '../../src/http/function-url';
import { startHttpServer } from '../../src/local/http-server';
import { StripeStandIn, type StripeLineItemJson } from '../../src/local/stripe-stand-in';
import { seedCartLines } from '../../src/local/seed-cart';
import type { Log } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { freshTables } from '../support/dynamo';
import { functionUrlEvent } from '../support/function-url';
import { RecordingScheduler } from '../support/recording-scheduler';
import { random } from '../support/random';
import { fixture, stripeHeaders } from '../support/webhooks';

const SECRET = 'whsec_stripe_intake_test_secret';
/** A moment after the seed session expired (it was created 2026-11-02T20:00Z and expires 24 hours later). */
const EXPIRED_AT = new Date('2026-11-03T20:00:00Z');
const SESSION = 'cs_test_a1Seed120';
const CART = `stripe-${SESSION}`;

// biome-ignore lint/suspicious/noExplicitAny: recorded Stripe payloads, read and edited by path
type Json = Record<string, any>;

/** A fresh copy of a fixture, to change as a test needs. */
const event = (name: 'expired' | 'completed'): Json =>
  structuredClone(fixture(`stripe-checkout-session-${name}.json`)) as Json;
const lineItems = fixture('../fixtures/stripe-line-items.json') as unknown as StripeLineItemJson[];

describe('Stripe Checkout lane (intake handler, DynamoDB Local, the official client against a Stripe stand-in)', () => {
  const standIn = new StripeStandIn();
  let server: Server;
  let port = 0;
  let handler: FunctionUrlHandler;
  let carts: DynamoDbCartStore;
  let activity: DynamoDbActivityLog;
  let scheduler: RecordingScheduler;
  let countRows: () => Promise<number>;
  let logged: Array<{ level: string; message: string; attributes?: Record<string, unknown> }>;
  let now: Date;
  const clock = { now: () => now };

  beforeAll(async () => {
    server = await startHttpServer([{ prefix: '/', handler: standIn.handler }], 0);
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });

  beforeEach(async () => {
    now = new Date(EXPIRED_AT.getTime() + 30_000);
    standIn.failWith = 0;
    standIn.delayMs = 0;
    standIn.requests.length = 0;
    standIn.setLineItems(SESSION, lineItems);
    const { documents, names } = await freshTables();
    carts = new DynamoDbCartStore(documents, names.carts);
    activity = new DynamoDbActivityLog(documents, names.sends, 90);
    scheduler = new RecordingScheduler();
    logged = [];
    const log: Log = {
      appendKeys() {},
      info: (message, attributes) => logged.push({ level: 'info', message, attributes }),
      warn: (message, attributes) => logged.push({ level: 'warn', message, attributes }),
      error: (message, attributes) => logged.push({ level: 'error', message, attributes }),
    };
    const api = new StripeCheckoutClient('rk_test_intake', {
      timeoutMs: 2_000,
      maxNetworkRetries: 1,
      endpoint: { host: '127.0.0.1', port, protocol: 'http' },
    });
    handler = createIntakeHandler({
      carts,
      activity,
      scheduler,
      rules: fixedRules(),
      clock,
      log,
      retentionDays: 90,
      formats: {
        '/webhooks/stripe': new StripeCheckoutWebhook({ secret: SECRET, api, clock, signatureClock: clock, log }),
      },
    });
    countRows = async () => (await documents.send(new ScanCommand({ TableName: names.carts }))).Count ?? 0;
  });

  /** Delivers an event as Stripe does: the JSON text, signed now (or at `signedAt`). */
  const deliver = async (
    body: Json | string,
    options: { signedAt?: Date; secret?: string; headers?: Record<string, string> } = {},
  ) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    const headers = options.headers ?? stripeHeaders(text, options.secret ?? SECRET, options.signedAt ?? now);
    const response = await handler(functionUrlEvent({ path: '/webhooks/stripe', headers, body: text }));
    return { status: response.statusCode, body: JSON.parse(response.body ?? '{}') as Json };
  };

  it(
    'the seed story: an expired session is the cart, with its items, ' +
      'its recovery link and its consent, reminded at once',
    async () => {
      const response = await deliver(event('expired'));
      expect(response).toEqual({ status: 200, body: { outcome: 'applied', cartId: CART, wakeUpScheduled: true } });
      const row = await carts.get(CART);
      expect(row).toMatchObject({
        source: 'stripe',
        status: 'open',
        email: 'sam@example.com',
        firstName: 'Sam',
        total: { minor: 12000, currency: 'USD' },
        returnUrl: 'https://buy.stripe.com/r/test_Seed120Recovery',
        marketingConsent: true,
        lastChangedAt: '2026-11-02T20:00:00.000Z',
        // Stripe's line items (test/fixtures/stripe-line-items.json) are the seed cart's.
        items: seedCartLines(),
      });
      expect(standIn.requests).toEqual([`/v1/checkout/sessions/${SESSION}/line_items`]);
      // The first wake-up is due from the session's creation, long past when Stripe says it expired: the scheduler
      // fires at once (the EventBridge adapter lifts a past time to its minimum lead), and the waiter's move then is
      // the first reminder, through every gate.
      expect(scheduler.scheduled).toEqual([{ cartId: CART, seq: 1, at: new Date('2026-11-02T21:00:00Z') }]);
      const wake = decideWake({ cart: row!, wakeSeq: 1, rules: DEFAULT_RULES, now });
      expect(wake).toMatchObject({ kind: 'move', move: 'first_reminder' });
      // 20:00:30 UTC is 14:00 in Chicago: outside quiet hours in the store's zone, so the gates send.
      expect(
        decideSend({
          cart: row!,
          step: 'first',
          rules: { ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, timeZone: 'America/Chicago' } },
          now,
          optOut: undefined,
          lastReminderToEmailAt: undefined,
        }).action,
      ).toBe('send');
    },
  );

  it('a redelivery of the same event (same evt id) changes nothing and asks for no other wake-up', async () => {
    const body = event('expired');
    await deliver(body);
    now = new Date(now.getTime() + 3_600_000); // Stripe retries later, re-signed at that time
    expect((await deliver(body)).body).toEqual({ outcome: 'duplicate', cartId: CART });
    // A redelivery re-ensures the same first wake-up (an idempotent create, by name), and nothing else.
    expect(new Set(scheduler.scheduled.map((wakeUp) => JSON.stringify(wakeUp))).size).toBe(1);
    expect(await countRows()).toBe(1);
  });

  it('expired, then the recovered session completes: the cart is checked out and the wake-up cancelled', async () => {
    await deliver(event('expired'));
    now = new Date('2026-11-04T19:00:00Z');
    const completed = await deliver(event('completed'));
    expect(completed.body).toEqual({ outcome: 'checked_out', cartId: CART, matchedBy: 'cart id', alsoStopped: [] });
    expect(scheduler.cancelled).toEqual([{ cartId: CART, seq: 1 }]);
    expect(await carts.get(CART)).toMatchObject({
      status: 'checked_out',
      checkedOutAt: '2026-11-04T18:50:00.000Z',
      orderTotal: { minor: 12000, currency: 'USD' },
    });
    // async_payment_succeeded for the same session is the same purchase.
    const succeeded = event('completed');
    succeeded.id = 'evt_1QxAsyncSucceededSeed120';
    succeeded.type = 'checkout.session.async_payment_succeeded';
    succeeded.created += 60;
    expect((await deliver(succeeded)).body).toEqual({ outcome: 'already_checked_out', cartId: CART });
  });

  it(
    'completed before its expiry is delivered: ' + 'the cart ends the same, closed, its items filled in, never chased',
    async () => {
      now = new Date('2026-11-04T19:00:00Z');
      expect((await deliver(event('completed'))).body).toMatchObject({ outcome: 'checked_out', cartId: CART });
      expect((await deliver(event('expired'))).body).toEqual({ outcome: 'closed', cartId: CART });
      expect(scheduler.scheduled).toEqual([]);
      expect(await carts.get(CART)).toMatchObject({
        status: 'checked_out',
        email: 'sam@example.com',
        items: seedCartLines(),
      });
    },
  );

  it('a purchase through another session stops this one, whichever of the two events arrives first', async () => {
    // The shopper abandoned A, then bought in a fresh session B the next morning (not through A's recovery link).
    const bought = event('completed');
    bought.data.object.recovered_from = null;
    bought.data.object.id = 'cs_test_b2FreshSession';
    now = new Date('2026-11-04T19:00:00Z');

    // Natural order: B completes a day before A's expiry is delivered... (A's event is delivered late here.)
    expect((await deliver(bought)).body).toMatchObject({
      outcome: 'checked_out',
      cartId: 'stripe-cs_test_b2FreshSession',
    });
    expect((await deliver(event('expired'))).body).toEqual({ outcome: 'closed', cartId: CART });
    const firstOrder = await carts.get(CART);
    expect(firstOrder).toMatchObject({
      status: 'stopped',
      stoppedBy: 'order',
      stopReason: 'shopper placed an order from cart stripe-cs_test_b2FreshSession',
    });
    expect(scheduler.scheduled).toEqual([]);
    expect((await activity.history(CART)).map((entry) => entry.action)).toEqual(['stopped']);
  });

  it('... and in the other order the same stop, with the wake-up cancelled', async () => {
    const bought = event('completed');
    bought.data.object.recovered_from = null;
    bought.data.object.id = 'cs_test_b2FreshSession';
    await deliver(event('expired'));
    now = new Date('2026-11-04T19:00:00Z');
    expect((await deliver(bought)).body).toMatchObject({ outcome: 'checked_out', alsoStopped: [CART] });
    expect(await carts.get(CART)).toMatchObject({
      status: 'stopped',
      stoppedBy: 'order',
      stopReason: 'shopper placed an order from cart stripe-cs_test_b2FreshSession',
    });
    expect(scheduler.cancelled).toEqual([{ cartId: CART, seq: 1 }]);
    expect((await activity.history(CART)).map((entry) => entry.action)).toEqual(['stopped']);
  });

  it('a session without an email is kept but never chased, and its line items are not read', async () => {
    const body = event('expired');
    body.data.object.customer_details.email = null;
    expect((await deliver(body)).body).toEqual({ outcome: 'applied', cartId: CART, wakeUpScheduled: false });
    expect(standIn.requests).toEqual([]);
    expect((await carts.get(CART))?.email).toBeUndefined();
  });

  it('an email Stripe accepted but we cannot send to is no email, not a refusal', async () => {
    const body = event('expired');
    body.data.object.customer_details.email = 'two@example.com, addresses@example.com';
    expect((await deliver(body)).body).toEqual({ outcome: 'applied', cartId: CART, wakeUpScheduled: false });
    expect(logged.some((line) => line.message.startsWith('stripe session email not usable'))).toBe(true);
  });

  it(
    'without promotional consent the session is kept and skipped ' +
      'at the consent gate (unless the owner turns the rule off)',
    async () => {
      const body = event('expired');
      body.data.object.consent = null;
      body.data.object.consent_collection = null;
      await deliver(body);
      const row = (await carts.get(CART))!;
      expect(row.marketingConsent).toBeUndefined();
      const gateInput = { cart: row, step: 'first' as const, now, optOut: undefined, lastReminderToEmailAt: undefined };
      expect(decideSend({ ...gateInput, rules: DEFAULT_RULES })).toMatchObject({
        action: 'skip',
        reason: 'no_consent',
        gate: 3,
      });
      expect(decideSend({ ...gateInput, rules: { ...DEFAULT_RULES, stripeRequiresConsent: false } }).action).not.toBe(
        'skip',
      );
      const declined = { ...row, marketingConsent: false };
      expect(decideSend({ ...gateInput, cart: declined, rules: DEFAULT_RULES })).toMatchObject({
        action: 'skip',
        reason: 'no_consent',
      });
    },
  );

  it(
    'when the line items cannot be read the cart keeps its total, ' + 'without items, and the failure is logged',
    async () => {
      standIn.failWith = 500;
      expect((await deliver(event('expired'))).body).toEqual({
        outcome: 'applied',
        cartId: CART,
        wakeUpScheduled: true,
      });
      expect(await carts.get(CART)).toMatchObject({ items: [], total: { minor: 12000, currency: 'USD' } });
      // The client's one retry, then the fallback.
      expect(standIn.requests).toHaveLength(2);
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'stripe line items not readable: the reminder will state the total without items',
        }),
      );
    },
  );

  it('a Stripe that does not answer within the client timeout: two attempts, then the same fallback', async () => {
    standIn.delayMs = 2_500; // past the client's 2 s timeout
    expect((await deliver(event('expired'))).body).toEqual({ outcome: 'applied', cartId: CART, wakeUpScheduled: true });
    expect(standIn.requests).toHaveLength(2); // the first attempt timed out, the one retry too: then the fallback
    expect((await carts.get(CART))?.items).toEqual([]);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'stripe line items not readable: the reminder will state the total without items',
      }),
    );
  });

  it('a Payment Link session (no recovery URL) returns to the Payment Link while it is active', async () => {
    const body = event('expired');
    body.data.object.after_expiration = null;
    body.data.object.payment_link = 'plink_1Seed';
    standIn.setPaymentLink({
      id: 'plink_1Seed',
      object: 'payment_link',
      active: true,
      url: 'https://buy.stripe.com/test_seed',
    });
    await deliver(body);
    expect((await carts.get(CART))?.returnUrl).toBe('https://buy.stripe.com/test_seed');
  });

  it(
    'a session with neither a recovery URL nor a Payment ' + 'Link has no return link (so the sender never reminds it)',
    async () => {
      const body = event('expired');
      body.data.object.after_expiration = null;
      await deliver(body);
      expect((await carts.get(CART))?.returnUrl).toBeUndefined();
    },
  );

  describe('what it refuses', () => {
    it('a forged signature, an altered body, a stale or a missing signature: 401, nothing written', async () => {
      const text = JSON.stringify(event('expired'));
      const forged = await deliver(text, { secret: 'whsec_someone_else' });
      expect(forged).toMatchObject({ status: 401, body: { error: 'bad_signature' } });
      const altered = await deliver(text.replace('"amount_total":12000', '"amount_total":1'), {
        headers: stripeHeaders(text, SECRET, now),
      });
      expect(altered).toMatchObject({ status: 401, body: { error: 'bad_signature' } });
      const stale = await deliver(text, { signedAt: new Date(now.getTime() - 301_000) });
      expect(stale).toMatchObject({ status: 401, body: { error: 'timestamp_out_of_window' } });
      const justInTime = await deliver(text, { signedAt: new Date(now.getTime() - 299_000) });
      expect(justInTime.status).toBe(200);
      await carts.get(CART);
      const missing = await deliver(text, { headers: { 'content-type': 'application/json' } });
      expect(missing).toMatchObject({ status: 401, body: { error: 'missing_signature' } });
      expect(await countRows()).toBe(1); // only the genuine delivery
    });

    it(
      '600 mutations of a genuine delivery (a byte of the body, the timestamp, ' +
        'the signature; replays from older deliveries) are all 401, and nothing is written',
      async () => {
        const next = random(25);
        const text = JSON.stringify(event('expired'));
        const genuine = stripeHeaders(text, SECRET, now);
        const signature = genuine['stripe-signature'];
        const t = /t=(\d+)/.exec(signature)![1]!;
        const v1 = /v1=([0-9a-f]+)/.exec(signature)![1]!;
        const statuses = new Map<number, number>();
        for (let i = 0; i < 600; i++) {
          let body = text;
          let header = signature;
          switch (i % 4) {
            case 0: {
              // One byte of the body changed (never to itself).
              const at = Math.floor(next() * body.length);
              const byte = String.fromCharCode(32 + ((body.charCodeAt(at) - 32 + 1 + Math.floor(next() * 90)) % 95));
              body = body.slice(0, at) + byte + body.slice(at + 1);
              break;
            }
            case 1:
              header = `t=${Number(t) + 1 + Math.floor(next() * 1000)},v1=${v1}`; // a moved timestamp
              break;
            case 2: {
              const at = Math.floor(next() * v1.length); // one hex digit of the signature
              const digit = ((parseInt(v1[at]!, 16) + 1 + Math.floor(next() * 15)) % 16).toString(16);
              header = `t=${t},v1=${v1.slice(0, at)}${digit}${v1.slice(at + 1)}`;
              break;
            }
            default:
              // A genuine signature made more than 300 s ago (a replay), or one with the v0 scheme only.
              header =
                next() < 0.5
                  ? stripeHeaders(text, SECRET, new Date(now.getTime() - 301_000 - Math.floor(next() * 86_400_000)))[
                      'stripe-signature'
                    ]
                  : `t=${t},v0=${v1}`;
          }
          const response = await handler(
            functionUrlEvent({ path: '/webhooks/stripe', headers: { ...genuine, 'stripe-signature': header }, body }),
          );
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        }
        expect([...statuses]).toEqual([[401, 600]]);
        expect(await countRows()).toBe(0);
        expect(standIn.requests).toEqual([]);
        expect((await deliver(text)).status).toBe(200);
      },
    );

    it('a body well over 256 KB (a common webhook cap): refused unsigned (401), accepted when genuine', async () => {
      const big = event('expired');
      big.data.object.metadata = { note: 'x'.repeat(400) };
      big.data.object.custom_fields = Array.from({ length: 800 }, (_, index) => ({
        key: `f${index}`,
        label: { custom: 'L'.repeat(300), type: 'custom' },
        type: 'text',
        text: { value: 'v'.repeat(100) },
      }));
      const text = JSON.stringify(big);
      expect(Buffer.byteLength(text)).toBeGreaterThan(256 * 1024);
      expect(Buffer.byteLength(text)).toBeLessThan(MAX_BODY_BYTES);
      expect(await deliver(text, { secret: 'whsec_someone_else' })).toMatchObject({ status: 401 });
      expect((await deliver(text)).status).toBe(200);
    });

    it(
      'signed but not a Stripe event: 400 naming the field; ' +
        'an unknown event type or an unusable session: 202, logged',
      async () => {
        expect(await deliver('{"hello":"world"}')).toMatchObject({ status: 400, body: { error: 'invalid_field' } });
        expect(await deliver('not json')).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
        const other = event('expired');
        other.type = 'payment_intent.succeeded';
        expect(await deliver(other)).toEqual({
          status: 202,
          body: { outcome: 'ignored', type: 'payment_intent.succeeded' },
        });
        const thin = {
          id: 'evt_test_65R9Ijk8',
          object: 'v2.core.event',
          type: 'v1.checkout.session.expired',
          created: '2026-11-03T20:00:00.000Z',
          related_object: { id: SESSION, type: 'checkout.session', url: `/v1/checkout/sessions/${SESSION}` },
        };
        expect(await deliver(thin)).toMatchObject({
          status: 202,
          body: { outcome: 'ignored', type: 'v2.core.event', reason: expect.stringContaining('thin event') },
        });
        const odd = event('expired');
        odd.data.object.currency = 'zzz';
        expect(await deliver(odd)).toMatchObject({
          status: 202,
          body: { outcome: 'ignored', reason: expect.stringContaining('currency') },
        });
        expect(await countRows()).toBe(0);
      },
    );
  });
});
