import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SECRETS, type LocalSystem } from '../../src/local/system';
import { cartPayload, fixture, shopifyHeaders, standardHeaders } from '../support/webhooks';
import { startTestSystem } from '../support/local-system';

describe('the local system over HTTP', () => {
  let system: LocalSystem;

  beforeAll(async () => {
    // Real time here: these tests are about the HTTP surface, not about simulated time.
    system = await startTestSystem('e2e-intake-', { realNow: () => Date.now() });
  });
  afterAll(() => system.stop());

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${system.url}${path}`, { method: 'POST', body, headers });
  /** Carts with a pending waiter wake-up (the nightly import job is there too, and is not a cart's). */
  const wakeUps = async () =>
    (
      (await (await fetch(`${system.url}/_local/schedules`)).json()) as Array<{
        target: string;
        payload: { cartId: string };
      }>
    )
      .filter((job) => job.target === 'waiter')
      .map((job) => job.payload.cartId);
  const get = async (path: string) => (await fetch(`${system.url}${path}`)).json() as Promise<Record<string, unknown>>;

  it('takes a signed cart event in our format and a Shopify checkout, and stores both rows', async () => {
    const ours = JSON.stringify(cartPayload({ id: 'e2e-ours' }, new Date().toISOString()));
    const shopify = JSON.stringify(fixture('shopify-checkout-update.json'));

    const oursResponse = await post('/webhooks/cart', ours, standardHeaders(ours, LOCAL_SECRETS.webhook));
    const shopifyResponse = await post(
      '/webhooks/shopify',
      shopify,
      shopifyHeaders(shopify, LOCAL_SECRETS.shopify, 'checkouts/update'),
    );

    expect(oursResponse.status).toBe(200);
    expect(shopifyResponse.status).toBe(200);
    expect(await get('/_local/carts/e2e-ours')).toMatchObject({
      status: 'open',
      email: 'sam@example.com',
      total: { minor: 12000 },
    });
    expect(await get('/_local/carts/shopify-Z2NwLXVzLWVhc3QxOjAxSkZYN0tBUDRR')).toMatchObject({
      status: 'open',
      email: 'sam.shopper@example.com',
      source: 'shopify',
      wakeSeq: 1,
    });
    expect((await wakeUps()).sort()).toEqual(['e2e-ours', 'shopify-Z2NwLXVzLWVhc3QxOjAxSkZYN0tBUDRR']);
  });

  it('ends the chase when the Shopify order arrives, and refuses a tampered delivery', async () => {
    const order = JSON.stringify(fixture('shopify-order-create.json'));
    const tampered = await post(
      '/webhooks/shopify',
      order.replace('120.00', '121.00'),
      shopifyHeaders(order, LOCAL_SECRETS.shopify, 'orders/create'),
    );
    expect(tampered.status).toBe(401);
    expect(await get('/_local/carts/shopify-Z2NwLXVzLWVhc3QxOjAxSkZYN0tBUDRR')).toMatchObject({ status: 'open' });

    const response = await post(
      '/webhooks/shopify',
      order,
      shopifyHeaders(order, LOCAL_SECRETS.shopify, 'orders/create'),
    );

    expect(await response.json()).toMatchObject({ outcome: 'checked_out', matchedBy: 'checkout token' });
    expect(await get('/_local/carts/shopify-Z2NwLXVzLWVhc3QxOjAxSkZYN0tBUDRR')).toMatchObject({
      status: 'checked_out',
    });
    expect(await wakeUps()).toEqual(['e2e-ours']);
  });

  it('moves the clock forward on request', async () => {
    const before = Date.parse(((await get('/_local/clock')) as { now: string }).now);
    const response = await fetch(`${system.url}/_local/clock/advance?by=2h`, { method: 'POST' });
    const after = Date.parse(((await response.json()) as { now: string }).now);
    expect(after - before).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect((await fetch(`${system.url}/_local/clock/advance?by=soon`, { method: 'POST' })).status).toBe(400);
  });
});
