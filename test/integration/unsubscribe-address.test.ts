/**
 * The opt-out lands on the address the email went to: one-click bodies in every shape a mail receiver sends,
 * base64-encoded as a Function URL delivers them; a cart whose address changed after the email; a cart that expired;
 * and repeated clicks (one opt-out, one activity entry per change).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../../src/adapters/aws/dynamodb-opt-outs';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { unsubscribeLinks } from '../../src/domain/unsubscribe/links';
import { createUnsubscribeHandler } from '../../src/handlers/unsubscribe';
import type { FunctionUrlHandler } from '../../src/http/function-url';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { ingestCartEvent } from '../../src/use-cases/ingest-cart-event';
import { freshTables } from '../support/dynamo';
import { functionUrlEvent } from '../support/function-url';
import { ONE_CLICK_BODIES } from '../support/one-click-bodies';
import { RecordingScheduler } from '../support/recording-scheduler';
import { RecordingStats } from '../support/recording-stats';

const KEY = 'unsubscribe-test-key-0123456789';
const T = new Date('2026-11-02T20:00:00Z');
const MINUTE = 60_000;

describe('unsubscribe binds the address the email was sent to', () => {
  let handler: FunctionUrlHandler;
  let carts: DynamoDbCartStore;
  let optOuts: DynamoDbOptOutStore;
  let activity: DynamoDbActivityLog;
  let stats: RecordingStats;
  let clock: ControllableClock;
  let ingest: (cartId: string, email: string, at: Date) => Promise<unknown>;

  beforeAll(async () => {
    const { documents, names } = await freshTables();
    clock = new ControllableClock(undefined, () => T.getTime());
    carts = new DynamoDbCartStore(documents, names.carts);
    optOuts = new DynamoDbOptOutStore(documents, names.optouts);
    activity = new DynamoDbActivityLog(documents, names.sends, 90);
    stats = new RecordingStats();
    handler = createUnsubscribeHandler({
      key: KEY,
      carts,
      optOuts,
      activity,
      stats,
      rules: fixedRules(),
      clock,
      log: silentLog,
    });
    let event = 0;
    ingest = (cartId, email, at) =>
      ingestCartEvent(
        {
          kind: 'cart_changed',
          eventId: `e${++event}`,
          occurredAt: at,
          source: 'generic',
          cart: { cartId, source: 'generic', email, items: [], total: { minor: 100, currency: 'USD' } },
        },
        {
          carts,
          activity,
          scheduler: new RecordingScheduler(),
          rules: fixedRules(),
          clock,
          log: silentLog,
          retentionDays: 90,
        },
      );
  });

  const linksFor = (cartId: string, email: string) => unsubscribeLinks('https://u.example', KEY, cartId, email);
  const pathOf = (url: string) => new URL(url).pathname;
  // Each request a second after the last, so activity entries of repeated clicks could not hide behind one key.
  const post = (url: string, body: string, contentType = 'application/x-www-form-urlencoded', base64 = true) =>
    clock.advance(1000) &&
    handler(
      functionUrlEvent({ path: pathOf(url), method: 'POST', body, base64, headers: { 'content-type': contentType } }),
    );
  const unsubscribedEntries = async (cartId: string) =>
    (await activity.history(cartId)).filter((entry) => entry.action === 'unsubscribed');

  it.each(ONE_CLICK_BODIES.map((shape, index) => [shape.name, shape, index] as const))(
    'records the one-click opt-out sent as %s, base64-encoded',
    async (_name, shape, index) => {
      const cartId = `mp${index}`;
      const email = `mp${index}@example.com`;
      await ingest(cartId, email, T);
      const response = await post(linksFor(cartId, email).oneClickUrl, shape.body, shape.contentType);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Done.');
      expect(await optOuts.find(email, 'any-cart')).toBe('all');
      expect((await carts.get(cartId))?.status).toBe('stopped');
    },
  );

  it('opts out the address that received the email after the cart changed to another address', async () => {
    await ingest('chg', 'd1@example.com', T);
    const fromD1 = linksFor('chg', 'd1@example.com'); // the reminder went to d1
    await ingest('chg', 'd2@example.com', new Date(T.getTime() + MINUTE)); // then the shopper typed d2

    // The footer link's "this cart" button: d1 leaves this cart's reminders; d2 did not ask, so the cart goes on.
    expect((await post(fromD1.pageUrl, 'scope=cart')).statusCode).toBe(200);
    expect(await optOuts.find('d1@example.com', 'chg')).toBe('cart');
    expect(await optOuts.find('d2@example.com', 'chg')).toBeUndefined();
    expect((await carts.get('chg'))?.status).toBe('open');

    // The one-click button: d1 leaves everything, d2 still does not.
    expect(
      (await post(fromD1.oneClickUrl, ONE_CLICK_BODIES[1]!.body, ONE_CLICK_BODIES[1]!.contentType)).statusCode,
    ).toBe(200);
    expect(await optOuts.find('d1@example.com', 'another-cart')).toBe('all');
    expect(await optOuts.find('d2@example.com', 'chg')).toBeUndefined();
    expect((await carts.get('chg'))?.status).toBe('open');
    expect((await unsubscribedEntries('chg')).map((entry) => entry.reason)).toEqual([
      expect.stringContaining('which the cart no longer has'),
      expect.stringContaining('which the cart no longer has'),
    ]);
  });

  it("stops an address for good from an expired cart's link, including carts it opens later", async () => {
    const fromExpired = linksFor('expired-long-ago', 'old@example.com'); // no row: it expired after 90 days
    await ingest('old-open', 'old@example.com', T); // an open cart of the same address

    const response = await post(fromExpired.oneClickUrl, 'List-Unsubscribe=One-Click');

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("You won't get any more cart reminders");
    expect(await optOuts.find('old@example.com', 'a-future-cart')).toBe('all');
    expect((await carts.get('old-open'))?.status).toBe('stopped');
    expect(await unsubscribedEntries('expired-long-ago')).toHaveLength(1);
  });

  it('is idempotent: twenty clicks of each kind make one opt-out each and one activity entry per change', async () => {
    await ingest('rep', 'rep@example.com', T);
    await ingest('rep-other', 'rep@example.com', T);
    const links = linksFor('rep', 'rep@example.com');
    const before = stats.counted('optOuts');

    const statuses: number[] = [];
    for (let click = 0; click < 20; click++) statuses.push((await post(links.pageUrl, 'scope=cart')).statusCode);
    for (let click = 0; click < 20; click++)
      statuses.push((await post(links.oneClickUrl, 'List-Unsubscribe=One-Click')).statusCode);

    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(stats.counted('optOuts') - before).toBe(2); // cart#rep, then all
    expect(await optOuts.find('rep@example.com', 'rep')).toBe('all');
    // First click: the cart opt-out and the cart stopped; first one-click: the all opt-out and the other cart stopped.
    expect((await unsubscribedEntries('rep')).map((entry) => entry.details?.scope)).toEqual(['cart', 'all']);
    expect((await carts.get('rep-other'))?.status).toBe('stopped');
  });
});
