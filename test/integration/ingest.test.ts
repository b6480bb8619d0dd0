import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { LocalScheduler } from '../../src/adapters/local/local-scheduler';
import type { CartChangedEvent, CartSnapshot, CheckedOutEvent } from '../../src/domain/cart/cart';
import { silentLog } from '../../src/ports/log';
import { ingestCartEvent, type IngestDeps } from '../../src/use-cases/ingest-cart-event';
import { freshTables } from '../support/dynamo';
import { RecordingScheduler } from '../support/recording-scheduler';
import { fixedRules } from '../../src/ports/owner-docs';
import { seedCartSnapshot, seedCartTotal } from '../../src/local/seed-cart';

const T = new Date('2026-11-02T20:00:00Z');
const minutes = (n: number) => new Date(T.getTime() + n * 60_000);

/** The seed cart (src/local/seed-cart.ts) as cart-1. */
function snapshot(overrides: Partial<CartSnapshot> = {}): CartSnapshot {
  return seedCartSnapshot({ cartId: 'cart-1', returnUrl: 'https://shop.example.com/cart/1', ...overrides });
}

function change(id: string, at: Date, overrides: Partial<CartSnapshot> = {}): CartChangedEvent {
  return { kind: 'cart_changed', eventId: id, occurredAt: at, source: 'generic', cart: snapshot(overrides) };
}

function order(id: string, at: Date, match: CheckedOutEvent['match']): CheckedOutEvent {
  return { kind: 'checked_out', eventId: id, occurredAt: at, source: 'shopify', match, orderTotal: seedCartTotal() };
}

describe('intake against DynamoDB Local', () => {
  let deps: IngestDeps;
  let carts: DynamoDbCartStore;
  let scheduler: RecordingScheduler;
  let local: LocalScheduler;
  let activity: DynamoDbActivityLog;

  beforeEach(async () => {
    const { documents, names } = await freshTables();
    const clock = new ControllableClock(undefined, () => T.getTime());
    carts = new DynamoDbCartStore(documents, names.carts);
    local = new LocalScheduler(documents, names.schedules, clock, silentLog);
    scheduler = new RecordingScheduler(local);
    activity = new DynamoDbActivityLog(documents, names.sends, 90);
    deps = { carts, activity, scheduler, rules: fixedRules(), clock, log: silentLog, retentionDays: 90 };
  });

  it('stores one row per cart with money in minor units and schedules the first wake-up by size', async () => {
    const result = await ingestCartEvent(change('e1', T), deps);

    expect(result).toEqual({ outcome: 'applied', cartId: 'cart-1', wakeUpScheduled: true });
    const row = await carts.get('cart-1');
    expect(row).toMatchObject({
      status: 'open',
      total: { minor: 12000, currency: 'USD' },
      remindersSent: 0,
      wakeSeq: 1,
    });
    // The first wake-up lives on the schedule only: one hour after the change, the shortest first wait.
    expect(row?.wakeUpAt).toBeUndefined();
    expect(row?.expiresAt).toBe(Math.floor(T.getTime() / 1000) + 90 * 86_400);
    expect(await local.jobs()).toEqual([
      expect.objectContaining({ dueAt: minutes(60).toISOString(), payload: { cartId: 'cart-1', seq: 1 } }),
    ]);
  });

  it('wakes a small cart at the shortest first wait too: a later event may still make it big', async () => {
    await ingestCartEvent(change('e1', T, { total: { minor: 2500, currency: 'USD' } }), deps);
    expect((await local.jobs()).map((job) => job.dueAt)).toEqual([minutes(60).toISOString()]);
  });

  it('ignores a duplicate delivery: same row, no second schedule', async () => {
    await ingestCartEvent(change('e1', T), deps);
    const before = await carts.get('cart-1');

    const again = await ingestCartEvent(change('e1', T, { items: [] }), deps);

    expect(again.outcome).toBe('duplicate');
    expect(await carts.get('cart-1')).toEqual(before);
    expect(await local.jobs()).toHaveLength(1);
  });

  it('never moves a cart backwards: the newest event time wins whatever the arrival order', async () => {
    await ingestCartEvent(
      change('newer', minutes(10), { items: [{ title: 'Newer', quantity: 2, unitPrice: 100 }] }),
      deps,
    );
    const older = await ingestCartEvent(
      change('older', minutes(5), { items: [{ title: 'Older', quantity: 1, unitPrice: 100 }] }),
      deps,
    );

    // Merged (the cart was first seen earlier than the row thought), but nothing the newer event said moved.
    expect(older.outcome).toBe('applied');
    const row = await carts.get('cart-1');
    expect(row?.items).toEqual([{ title: 'Newer', quantity: 2, unitPrice: 100 }]);
    expect(row?.lastChangedAt).toBe(minutes(10).toISOString());
    expect(row?.firstSeenAt).toBe(minutes(5).toISOString());
    // Delivered again, the older event changes nothing at all and is recognised as a redelivery (its key is the
    // row's earliest); an older event that brings nothing new is stale.
    expect((await ingestCartEvent(change('older', minutes(5)), deps)).outcome).toBe('duplicate');
    expect((await ingestCartEvent(change('oldish', minutes(7)), deps)).outcome).toBe('stale');
  });

  it('lets an older event fill a field the newer ones left out, and never overwrite one they carried', async () => {
    await ingestCartEvent(
      change('newer', minutes(10), { email: undefined, returnUrl: undefined, firstName: 'Sam' }),
      deps,
    );
    const older = await ingestCartEvent(change('older', minutes(5), { firstName: 'Samuel' }), deps);

    expect(older).toMatchObject({ outcome: 'applied', wakeUpScheduled: true });
    expect(await carts.get('cart-1')).toMatchObject({
      email: 'sam@example.com',
      returnUrl: 'https://shop.example.com/cart/1',
      firstName: 'Sam',
      emailKey: `${minutes(5).toISOString()}#older`,
      firstNameKey: `${minutes(10).toISOString()}#newer`,
    });
  });

  it('orders two events of the same millisecond by delivery id, deterministically', async () => {
    await ingestCartEvent(change('b', T, { firstName: 'B' }), deps);
    await ingestCartEvent(change('a', T, { firstName: 'A' }), deps);
    expect((await carts.get('cart-1'))?.firstName).toBe('B');
    expect((await ingestCartEvent(change('c', T, { firstName: 'C' }), deps)).outcome).toBe('applied');
    expect((await carts.get('cart-1'))?.firstName).toBe('C');
  });

  it('keeps a guest cart without email unscheduled until an event brings one', async () => {
    const guest = await ingestCartEvent(change('e1', T, { email: undefined, firstName: undefined }), deps);
    expect(guest).toMatchObject({ outcome: 'applied', wakeUpScheduled: false });
    expect((await carts.get('cart-1'))?.wakeUpAt).toBeUndefined();

    const withEmail = await ingestCartEvent(change('e2', minutes(30)), deps);

    expect(withEmail).toMatchObject({ outcome: 'applied', wakeUpScheduled: true });
    expect((await local.jobs()).map((job) => job.dueAt)).toEqual([minutes(90).toISOString()]);
  });

  it('schedules once however many changes follow (Scheduler calls do not grow with events)', async () => {
    const callsFor = async (changes: number) => {
      const recorder = new RecordingScheduler();
      const cartId = `cart-${changes}`;
      for (let i = 0; i < changes; i++) {
        await ingestCartEvent(change(`e${i}`, minutes(i), { cartId }), { ...deps, scheduler: recorder });
      }
      return recorder.calls;
    };
    expect([await callsFor(1), await callsFor(10), await callsFor(100)]).toEqual([1, 1, 1]);
  });

  it('keeps the email and the saved-link flag when a later event omits them', async () => {
    await ingestCartEvent(change('e1', T, { savedLink: true }), deps);
    await ingestCartEvent(change('e2', minutes(1), { email: undefined, savedLink: false }), deps);
    expect(await carts.get('cart-1')).toMatchObject({ email: 'sam@example.com', savedLink: true });
  });

  it('checks out by checkout token, cancels the pending wake-up, and ignores later changes', async () => {
    await ingestCartEvent(change('e1', T, { cartId: 'shopify-c1', checkoutToken: 'tok-1' }), deps);

    const result = await ingestCartEvent(
      order('o1', minutes(30), { checkoutToken: 'tok-1', email: 'sam@example.com' }),
      deps,
    );

    expect(result).toEqual({
      outcome: 'checked_out',
      cartId: 'shopify-c1',
      matchedBy: 'checkout token',
      alsoStopped: [],
    });
    expect(await carts.get('shopify-c1')).toMatchObject({
      status: 'checked_out',
      checkedOutAt: minutes(30).toISOString(),
    });
    expect((await carts.get('shopify-c1'))?.wakeUpAt).toBeUndefined();
    expect(scheduler.cancelled).toEqual([{ cartId: 'shopify-c1', seq: 1 }]);
    expect(await local.jobs()).toEqual([]);
    // A change that arrives later, even with a newer time, cannot reopen a bought cart.
    expect((await ingestCartEvent(change('late', minutes(40), { cartId: 'shopify-c1' }), deps)).outcome).toBe('closed');
    expect((await carts.get('shopify-c1'))?.status).toBe('checked_out');
  });

  it('checks out by cart id when the token is unknown, and a repeated order changes nothing', async () => {
    await ingestCartEvent(change('e1', T), deps);
    expect(
      await ingestCartEvent(order('o1', minutes(5), { checkoutToken: 'nope', cartId: 'cart-1' }), deps),
    ).toMatchObject({
      outcome: 'checked_out',
      matchedBy: 'cart id',
    });
    expect(await ingestCartEvent(order('o1', minutes(5), { cartId: 'cart-1' }), deps)).toEqual({
      outcome: 'already_checked_out',
      cartId: 'cart-1',
    });
  });

  it("checks out by email when no token matches, and ends the same shopper's other open carts", async () => {
    await ingestCartEvent(change('a', T, { cartId: 'older-cart' }), deps);
    await ingestCartEvent(change('b', minutes(20), { cartId: 'newer-cart' }), deps);
    await ingestCartEvent(change('c', T, { cartId: 'someone-else', email: 'kim@example.com' }), deps);

    const result = await ingestCartEvent(order('o1', minutes(60), { email: 'sam@example.com' }), deps);

    expect(result).toEqual({
      outcome: 'checked_out',
      cartId: 'newer-cart',
      matchedBy: 'email',
      alsoStopped: ['older-cart'],
    });
    expect(await carts.get('older-cart')).toMatchObject({
      status: 'stopped',
      stopReason: 'shopper placed an order from cart newer-cart',
    });
    // Both ends of the chase are in the carts' history, with their reasons.
    expect(await activity.history('newer-cart')).toEqual([
      expect.objectContaining({ actor: 'intake', action: 'checked_out', reason: 'order placed (matched by email)' }),
    ]);
    expect(await activity.history('older-cart')).toEqual([
      expect.objectContaining({ action: 'stopped', reason: 'shopper placed an order from cart newer-cart' }),
    ]);
    expect((await carts.get('someone-else'))?.status).toBe('open');
    expect((await local.jobs()).map((job) => job.payload.cartId)).toEqual(['someone-else']);
  });

  it('records an order for a cart never seen, so a late change cannot start a chase', async () => {
    const result = await ingestCartEvent(order('o1', T, { cartId: 'ghost' }), deps);
    expect(result).toMatchObject({ outcome: 'checked_out', cartId: 'ghost' });
    expect((await ingestCartEvent(change('late', minutes(1), { cartId: 'ghost' }), deps)).outcome).toBe('closed');
    expect(scheduler.scheduled).toEqual([]);
  });

  it('reports an order that matches nothing and names no cart', async () => {
    expect(await ingestCartEvent(order('o1', T, { email: 'nobody@example.com' }), deps)).toEqual({
      outcome: 'unmatched',
    });
  });

  it('re-ensures the first wake-up when the delivery that created it is retried after a crash', async () => {
    const failing = new RecordingScheduler({
      schedule: async () => {
        throw new Error('scheduler down');
      },
      cancel: async () => {},
    });
    await expect(ingestCartEvent(change('e1', T), { ...deps, scheduler: failing })).rejects.toThrow('scheduler down');
    expect(await local.jobs()).toEqual([]);

    const retry = await ingestCartEvent(change('e1', T), deps);

    expect(retry.outcome).toBe('duplicate');
    expect(await local.jobs()).toHaveLength(1);
  });
});
