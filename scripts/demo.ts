/**
 * `npm run demo`: plays the seed story against a running local system (`npm start` in another terminal):
 * posts a signed $120 cart, moves the test clock, and prints what the system did and why.
 * Environment: CR_URL (default http://127.0.0.1:3000).
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { LOCAL_SECRETS } from '../src/local/system';

const base = process.env.CR_URL ?? 'http://127.0.0.1:3000';
const cartId = `demo-${randomUUID().slice(0, 8)}`;

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

async function advance(by: string): Promise<void> {
  const { now } = (await call(`/_local/clock/advance?by=${encodeURIComponent(by)}`, { method: 'POST' })) as { now: string };
  console.log(`\n… clock moved ${by}; it is now ${now}`);
  const history = (await call(`/_local/carts/${cartId}/activity`)) as Array<{ at: string; actor: string; action: string; reason: string }>;
  for (const entry of history) console.log(`  ${entry.at}  ${entry.actor.padEnd(6)} ${entry.action.padEnd(16)} ${entry.reason}`);
}

try {
  console.log(`Posting cart ${cartId}: linen shirt, two candles and a tote, $120, from sam@example.com`);
  console.log(
    await post('cart.updated', {
      id: cartId,
      email: 'sam@example.com',
      firstName: 'Sam',
      items: [
        { title: 'Linen shirt', quantity: 1, unitPrice: '60.00' },
        { title: 'Candle', quantity: 2, unitPrice: '20.00' },
        { title: 'Tote', quantity: 1, unitPrice: '20.00' },
      ],
      total: '120.00',
      currency: 'USD',
      returnUrl: `https://shop.example.com/cart/${cartId}`,
    }),
  );
  await advance('1 hour');
  await advance('20 hours');
  console.log('\nThe shopper checks out:');
  console.log(await post('cart.checked_out', { id: cartId, email: 'sam@example.com', total: '120.00', currency: 'USD' }));
  await advance('8 days');
  console.log(`\nCart row: ${base}/_local/carts/${cartId}`);
} catch (error) {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}\nIs the local system running (npm start)?`);
  process.exit(1);
}
