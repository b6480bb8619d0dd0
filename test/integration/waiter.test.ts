import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../../src/adapters/aws/dynamodb-opt-outs';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import type { CartChangedEvent, CartSnapshot } from '../../src/domain/cart/cart';
import { DEFAULT_RULES, type Rules } from '../../src/domain/owner-docs/rules';
import type { CartStore } from '../../src/ports/cart-store';
import { silentLog } from '../../src/ports/log';
import type { ReminderRequest } from '../../src/ports/messages';
import type { ReminderQueue } from '../../src/ports/reminder-queue';
import { ingestCartEvent } from '../../src/use-cases/ingest-cart-event';
import { wakeCart, type WakeDeps } from '../../src/use-cases/wake-cart';
import { freshTables } from '../support/dynamo';
import { RecordingScheduler } from '../support/recording-scheduler';
import { RecordingStats } from '../support/recording-stats';
import { fixedRules } from '../../src/ports/owner-docs';
import { seedCartSnapshot } from '../../src/local/seed-cart';

const T = new Date('2026-11-02T20:00:00Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T.getTime() + hours * HOUR);

class RecordingQueue implements ReminderQueue {
  readonly handed: ReminderRequest[] = [];
  failNext = false;
  async handOff(request: ReminderRequest): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('lambda invoke failed');
    }
    this.handed.push(request);
  }
}

function seedCart(overrides: Partial<CartSnapshot> = {}): CartChangedEvent {
  return {
    kind: 'cart_changed',
    eventId: `e-${Math.random()}`,
    occurredAt: T,
    source: 'generic',
    cart: seedCartSnapshot({ cartId: 'seed', returnUrl: 'https://shop.example.com/c/seed', ...overrides }),
  };
}

describe('the waiter against DynamoDB Local', () => {
  let time: number;
  let clock: ControllableClock;
  let carts: DynamoDbCartStore;
  let scheduler: RecordingScheduler;
  let queue: RecordingQueue;
  let activity: DynamoDbActivityLog;
  let deps: WakeDeps;
  let put: (item: Record<string, unknown>) => Promise<unknown>;
  let tables: { optouts: string };

  const withRules = (rules: Rules): WakeDeps => ({ ...deps, rules: fixedRules(rules) });
  const pendingSeq = async () => (await carts.get('seed'))?.wakeSeq ?? 0;
  const wakeAt = async (when: Date, seq?: number, using = deps) => {
    time = when.getTime();
    return wakeCart({ cartId: 'seed', seq: seq ?? (await pendingSeq()) }, using);
  };

  beforeEach(async () => {
    const { documents, names } = await freshTables();
    tables = names;
    time = T.getTime();
    clock = new ControllableClock(undefined, () => time);
    carts = new DynamoDbCartStore(documents, names.carts);
    scheduler = new RecordingScheduler();
    queue = new RecordingQueue();
    activity = new DynamoDbActivityLog(documents, names.sends, 90);
    put = (item) => documents.send(new PutCommand({ TableName: names.optouts, Item: item }));
    deps = {
      carts,
      optOuts: new DynamoDbOptOutStore(documents, names.optouts),
      scheduler,
      reminders: queue,
      activity,
      rules: fixedRules(),
      stats: new RecordingStats(),
      clock,
      log: silentLog,
    };
    await ingestCartEvent(seedCart(), { ...deps, retentionDays: 90 });
  });

  /** The sender: SES accepted the reminder at `when` (what the sender, or SES's SEND event, writes on the row). */
  const accepted = (step: 'first' | 'second', when: Date) =>
    carts.recordReminder('seed', { kind: 'sent', step, at: when, joinsHoldBack: false });
  const LOOK = 5 / 60; // the waiter's look after a hand-off: five minutes

  it(
    'plays the seed story: big cart, first reminder at T+1h, ' + 'second at T+21h, gives up 7 days later, no third',
    async () => {
      expect(await wakeAt(at(1))).toEqual({ outcome: 'moved', move: 'first_reminder', nextWakeAt: at(1 + LOOK) });
      await accepted('first', at(1));
      expect(await wakeAt(at(1 + LOOK))).toEqual({ outcome: 'moved', move: 'still_shopping', nextWakeAt: at(21) });
      // 16:00 in New York: no quiet hours, the waiter looks five minutes after the hand-off.
      expect(await wakeAt(at(21))).toEqual({ outcome: 'moved', move: 'second_reminder', nextWakeAt: at(21 + LOOK) });
      await accepted('second', at(21));
      expect(await wakeAt(at(21 + LOOK))).toEqual({
        outcome: 'moved',
        move: 'still_shopping',
        nextWakeAt: at(21 + 7 * 24),
      });
      expect(await wakeAt(at(21 + 7 * 24))).toMatchObject({ outcome: 'moved', move: 'give_up' });

      expect(queue.handed).toEqual([
        { cartId: 'seed', step: 'first' },
        { cartId: 'seed', step: 'second' },
      ]);
      expect(scheduler.scheduled.map((w) => [w.seq, w.at.toISOString()])).toEqual([
        [1, at(1).toISOString()],
        [2, at(1 + LOOK).toISOString()],
        [3, at(21).toISOString()],
        [4, at(21 + LOOK).toISOString()],
        [5, at(21 + 7 * 24).toISOString()],
      ]);
      expect(await carts.get('seed')).toMatchObject({ status: 'given_up', remindersSent: 2 });
      expect(await carts.get('seed')).not.toHaveProperty('wakeUpAt');
      const history = await activity.history('seed');
      expect(history.map((entry) => [entry.action, entry.at.toISOString()])).toEqual([
        ['first_reminder', at(1).toISOString()],
        ['still_shopping', at(1 + LOOK).toISOString()],
        ['second_reminder', at(21).toISOString()],
        ['still_shopping', at(21 + LOOK).toISOString()],
        ['give_up', at(21 + 7 * 24).toISOString()],
      ]);
      expect(history.every((entry) => entry.reason.length > 10)).toBe(true);
    },
  );

  it('a duplicate delivery of the same wake-up makes no second move', async () => {
    await wakeAt(at(1), 1);
    expect(await wakeAt(at(1), 1)).toEqual({ outcome: 'stale' });
    expect(await carts.get('seed')).toMatchObject({ remindersSent: 1, wakeSeq: 2 });
    expect(await activity.history('seed')).toHaveLength(1);
    // The hand-off is repeated for the same (cart, step) because the waiter cannot tell a duplicate from a retry
    // after a crash; the sender's claim on (cart, step) makes it one email.
    expect(new Set(queue.handed.map((r) => `${r.cartId}/${r.step}`))).toEqual(new Set(['seed/first']));
    expect(scheduler.scheduled.filter((w) => w.seq === 2)).toHaveLength(2);
    // Left behind once: the cart was unbought when its first reminder fell due, however often that wake-up came.
    expect((deps.stats as RecordingStats).increments).toEqual([{ at: at(1), counter: 'leftBehind' }]);
  });

  it('reschedules a cart that changed since the wake-up was set, for exactly change + wait', async () => {
    await ingestCartEvent({ ...seedCart(), eventId: 'later', occurredAt: at(0.75) }, { ...deps, retentionDays: 90 });
    expect(await wakeAt(at(1))).toEqual({ outcome: 'moved', move: 'still_shopping', nextWakeAt: at(1.75) });
    expect(queue.handed).toEqual([]);
    expect(await wakeAt(at(1.75))).toMatchObject({ outcome: 'moved', move: 'first_reminder' });
  });

  it('re-reads and decides again when a cart change lands between its read and its write', async () => {
    let raced = false;
    const racing: CartStore = Object.assign(Object.create(carts) as CartStore, {
      recordWake: async (write: Parameters<CartStore['recordWake']>[0]) => {
        if (!raced) {
          raced = true;
          await ingestCartEvent(
            { ...seedCart(), eventId: 'racer', occurredAt: at(0.99) },
            { ...deps, retentionDays: 90 },
          );
        }
        return carts.recordWake(write);
      },
    });
    const result = await wakeAt(at(1), 1, { ...deps, carts: racing });
    expect(result).toEqual({ outcome: 'moved', move: 'still_shopping', nextWakeAt: at(1.99) });
    expect(queue.handed).toEqual([]);
  });

  it('finishes the side effects of a move when the invocation died after recording it', async () => {
    queue.failNext = true;
    await expect(wakeAt(at(1), 1)).rejects.toThrow('lambda invoke failed');
    expect((await carts.get('seed'))?.remindersSent).toBe(1);

    // Lambda retries the same event: the move is not made twice, but the hand-off now happens.
    expect(await wakeAt(at(1), 1)).toEqual({ outcome: 'stale' });
    expect(queue.handed).toEqual([{ cartId: 'seed', step: 'first' }]);
    expect((await carts.get('seed'))?.remindersSent).toBe(1);
  });

  it('stops the chase for a shopper who unsubscribed from everything, and records why', async () => {
    await put({ email: 'sam@example.com', scope: 'all' });
    expect(await wakeAt(at(1))).toMatchObject({ outcome: 'ended', recorded: true });
    expect(await carts.get('seed')).toMatchObject({ status: 'stopped', stoppedBy: 'shopper' });
    expect(queue.handed).toEqual([]);
    expect((await activity.history('seed'))[0]).toMatchObject({ action: 'stopped' });
  });

  it('honours an opt-out for this cart only', async () => {
    await put({ email: 'sam@example.com', scope: 'cart#other' });
    expect(await wakeAt(at(1))).toMatchObject({ outcome: 'moved', move: 'first_reminder' });
    await put({ email: 'sam@example.com', scope: 'cart#seed' });
    expect(await wakeAt(at(21))).toMatchObject({ outcome: 'ended' });
    expect(tables.optouts).toContain('cr-optouts');
  });

  it("records an owner's stop with the owner's words", async () => {
    const rules: Rules = {
      ...DEFAULT_RULES,
      stoppedCarts: [{ target: 'seed', reason: 'customer phoned, order taken by hand', line: 31 }],
    };
    expect(await wakeAt(at(1), undefined, withRules(rules))).toMatchObject({ outcome: 'ended', recorded: true });
    expect(await carts.get('seed')).toMatchObject({
      status: 'stopped',
      stopReason: 'customer phoned, order taken by hand',
      stoppedBy: 'owner',
    });
    expect((await activity.history('seed'))[0]?.reason).toContain('customer phoned, order taken by hand');
  });

  it('never sends a third reminder, even if the rules ask for more', async () => {
    const greedy = { ...DEFAULT_RULES, maxReminders: 5 as unknown as 2 };
    await wakeAt(at(1), undefined, withRules(greedy));
    await accepted('first', at(1));
    await wakeAt(at(1 + LOOK), undefined, withRules(greedy));
    await wakeAt(at(21), undefined, withRules(greedy));
    await accepted('second', at(21));
    await wakeAt(at(21 + LOOK), undefined, withRules(greedy));
    await wakeAt(at(21 + 7 * 24), undefined, withRules(greedy));
    expect(queue.handed).toHaveLength(2);
    expect((await carts.get('seed'))?.status).toBe('given_up');
  });

  it('does nothing for a checked-out cart', async () => {
    await ingestCartEvent(
      { kind: 'checked_out', eventId: 'o1', occurredAt: at(0.5), source: 'generic', match: { cartId: 'seed' } },
      { ...deps, retentionDays: 90 },
    );
    expect(await wakeAt(at(1), 1)).toMatchObject({ outcome: 'ended', recorded: false });
    expect(queue.handed).toEqual([]);
  });
});
