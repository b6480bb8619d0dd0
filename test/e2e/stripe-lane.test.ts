/**
 * The Stripe lane on the whole local system, over HTTP: Stripe events in Stripe's own shape (the fixtures), signed
 * with the local endpoint secret `npm start` prints, line items served by the system's own stand-in of Stripe's API
 * to the official client, then the waiter, the four gates, the outbox and the monthly counters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import { LOCAL_SECRETS, type LocalSystem } from '../../src/local/system';
import { startTestSystem } from '../support/local-system';
import { fixture, stripeHeaders } from '../support/webhooks';

// biome-ignore lint/suspicious/noExplicitAny: recorded Stripe payloads, read and edited by path
type Json = Record<string, any>;

const HOUR = 3_600_000;
const unix = (ms: number) => Math.floor(ms / 1000);

describe('Stripe Checkout on the local system', () => {
  let system: LocalSystem;

  beforeAll(async () => {
    system = await startTestSystem('e2e-stripe-');
  });
  afterAll(() => system.stop());

  const emailsFor = (cartId: string) => listOutbox(system.outboxDir).filter((entry) => entry.tags.cart === cartId);
  const deliver = async (body: Json) => {
    const text = JSON.stringify(body);
    const response = await fetch(`${system.url}/webhooks/stripe`, {
      method: 'POST',
      body: text,
      headers: stripeHeaders(text, LOCAL_SECRETS.stripe),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  /** A fixture event moved to the test clock: the session created at `createdMs`, the event sent at `sentMs`. */
  const expiredEvent = (
    sessionId: string,
    createdMs: number,
    sentMs: number,
    change: (session: Json) => void = () => {},
  ) => {
    const event = structuredClone(fixture('stripe-checkout-session-expired.json')) as Json;
    event.id = `evt_${sessionId}_expired`;
    event.created = unix(sentMs);
    Object.assign(event.data.object, { id: sessionId, created: unix(createdMs), expires_at: unix(sentMs) });
    event.data.object.after_expiration.recovery.url = `https://buy.stripe.com/r/${sessionId}`;
    change(event.data.object);
    return event;
  };
  const giveLineItems = async (sessionId: string) => {
    const response = await fetch(`${system.url}/_local/stripe/sessions/${sessionId}/line_items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync(new URL('../fixtures/stripe-line-items.json', import.meta.url)),
    });
    expect(response.status).toBe(200);
  };

  it(
    'the seed story: expiry 24 h after creation, ' +
      'reminded at once with its items and recovery link; paying through the link counts as recovered',
    async () => {
      const created = system.clock.now().getTime(); // 15:00 in New York, the example rules' store zone
      await giveLineItems('cs_test_e2eSeed');
      await system.advance(24 * HOUR);
      const expired = await deliver(expiredEvent('cs_test_e2eSeed', created, system.clock.now().getTime()));
      expect(expired).toEqual({
        status: 200,
        body: { outcome: 'applied', cartId: 'stripe-cs_test_e2eSeed', wakeUpScheduled: true },
      });

      await system.advance(5 * 60_000);
      const [first] = emailsFor('stripe-cs_test_e2eSeed');
      expect(first?.to).toBe('sam@example.com');
      const text = readFileSync(join(system.outboxDir, `${first!.name}.txt`), 'utf8');
      expect(text).toContain('- Linen shirt: $60.00');
      expect(text).toContain('- Candle ×2: $40.00');
      expect(text).toContain('Total: $120.00');
      expect(text).toContain('https://buy.stripe.com/r/cs_test_e2eSeed');

      await system.advance(2 * HOUR);
      const completed = structuredClone(fixture('stripe-checkout-session-completed.json')) as Json;
      completed.id = 'evt_e2eSeed_completed';
      completed.created = unix(system.clock.now().getTime());
      Object.assign(completed.data.object, {
        id: 'cs_test_e2eSeedBack',
        recovered_from: 'cs_test_e2eSeed',
        created: unix(system.clock.now().getTime() - 10 * 60_000),
      });
      expect((await deliver(completed)).body).toMatchObject({
        outcome: 'checked_out',
        cartId: 'stripe-cs_test_e2eSeed',
      });
      await system.advance(8 * 24 * HOUR);
      expect(emailsFor('stripe-cs_test_e2eSeed')).toHaveLength(1);
      const month = storeMonth(created);
      const counters = await new DynamoDbStats(
        system.documents,
        system.tables.sends,
        async () => 'America/New_York',
      ).month(month);
      expect(counters.recovered).toBe(1);
      expect(counters.wonBack.USD).toBe(12000);
    },
  );

  it('Stripe cannot give the line items: the reminder states the total alone', async () => {
    const created = system.clock.now().getTime();
    await system.advance(24 * HOUR);
    system.stripeStandIn.failWith = 500;
    try {
      const sentAt = system.clock.now().getTime();
      expect(
        (
          await deliver(
            expiredEvent(
              'cs_test_e2eNoItems',
              created,
              sentAt,
              (session) => (session.customer_details.email = 'kim@example.com'),
            ),
          )
        ).status,
      ).toBe(200);
    } finally {
      system.stripeStandIn.failWith = 0;
    }
    await system.advance(5 * 60_000);
    const [email] = emailsFor('stripe-cs_test_e2eNoItems');
    expect(email).toBeDefined();
    const text = readFileSync(join(system.outboxDir, `${email!.name}.txt`), 'utf8');
    expect(text).toContain('Total: $120.00');
    expect(text).not.toContain('Linen shirt');
  });

  it('no promotional consent: kept, skipped at the consent gate with its reason, never emailed', async () => {
    const created = system.clock.now().getTime();
    await giveLineItems('cs_test_e2eNoConsent');
    await system.advance(24 * HOUR);
    const event = expiredEvent('cs_test_e2eNoConsent', created, system.clock.now().getTime(), (session) => {
      session.consent = null;
      session.customer_details.email = 'lee@example.com';
    });
    expect((await deliver(event)).status).toBe(200);
    await system.advance(2 * 24 * HOUR);
    expect(emailsFor('stripe-cs_test_e2eNoConsent')).toEqual([]);
    const history = (await (
      await fetch(`${system.url}/_local/carts/stripe-cs_test_e2eNoConsent/activity`)
    ).json()) as Array<{ actor: string; action: string; reason: string }>;
    expect(history).toContainEqual(
      expect.objectContaining({
        actor: 'sender',
        reason: expect.stringContaining('gave no promotional consent at Stripe Checkout'),
      }),
    );
  });
});

/** The store month (YYYY-MM, New York) of an instant. */
function storeMonth(ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit' })
    .format(new Date(ms))
    .slice(0, 7);
}
