/**
 * Attribution survives crashes: intake's checkout path is killed between each pair of its writes (the cart row's
 * checkout, the wake-up cancel, the activity entry, the stop of the shopper's other cart and its own cancel and
 * entry), with and without the storefront's redelivery afterwards, and the counters are then compared with a recount
 * of the rows. The counters follow from the cart rows through the real cr-carts stream (DynamoDB Local's), read by the
 * local stream reader into the real cart counter, as the local system runs it. The send path's crash points (before
 * and after SES, before and after the `sent` transaction) are in exactly-once.test.ts, which checks its counts the
 * same way.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { scanMonthRecords } from '../../src/adapters/aws/dynamodb-records';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import type { CartEvent } from '../../src/domain/cart/cart';
import type { MonthlyCounters } from '../../src/domain/reporting/summary';
import { createCartCounterHandler } from '../../src/handlers/cart-counter';
import { LOCAL_AWS } from '../../src/local/dynamodb-local';
import { matchesAnyFilter } from '../../src/local/event-filter';
import { LocalStreamReader } from '../../src/local/local-stream-reader';
import type { ActivityLog } from '../../src/ports/activity-log';
import type { CartStore } from '../../src/ports/cart-store';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import type { WakeUpScheduler } from '../../src/ports/scheduler';
import { CART_COUNTER_FILTERS, CART_STREAM_BATCH } from '../../src/resources/cart-stream';
import { recountMonth } from '../../src/use-cases/monthly-summary';
import { ingestCartEvent, type IngestDeps } from '../../src/use-cases/ingest-cart-event';
import { freshTables } from '../support/dynamo';
import { RecordingScheduler } from '../support/recording-scheduler';

const T = Date.parse('2026-11-10T15:00:00Z');
const HOUR = 3_600_000;
const MONTH = '2026-11';

class Crash extends Error {
  override readonly name = 'Crash';
}

/** Intake's dependencies, with the process killed just before its `crashAt`-th write (1-based; 0: never). */
function crashing(deps: IngestDeps, crashAt: number): { deps: IngestDeps; writes: () => number } {
  let writes = 0;
  const write =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      writes += 1;
      if (writes === crashAt) throw new Crash(`killed before write ${crashAt}`);
      return run(...args);
    };
  const carts: CartStore = Object.assign(Object.create(deps.carts) as CartStore, {
    checkOut: write(deps.carts.checkOut.bind(deps.carts)),
    stop: write(deps.carts.stop.bind(deps.carts)),
    applyChange: write(deps.carts.applyChange.bind(deps.carts)),
  });
  const activity: ActivityLog = {
    record: write(deps.activity.record.bind(deps.activity)),
    history: deps.activity.history.bind(deps.activity),
  };
  const scheduler: WakeUpScheduler = {
    schedule: write(deps.scheduler.schedule.bind(deps.scheduler)),
    cancel: write(deps.scheduler.cancel.bind(deps.scheduler)),
  };
  return { deps: { ...deps, carts, activity, scheduler }, writes: () => writes };
}

describe('counters after a crash between any two writes of the checkout path', () => {
  let deps: IngestDeps;
  let countAll: () => Promise<void>;
  let counters: () => Promise<MonthlyCounters>;
  let recount: () => Promise<MonthlyCounters>;

  beforeAll(async () => {
    const { documents, names, client, endpoint } = await freshTables();
    const stats = new DynamoDbStats(documents, names.sends, async () => (await fixedRules().current()).store.timeZone);
    const reader = new LocalStreamReader(
      client,
      new DynamoDBStreamsClient({ endpoint, ...LOCAL_AWS }),
      names.carts,
      new ControllableClock(),
      silentLog,
      {
        batchSize: CART_STREAM_BATCH.size,
        windowMs: CART_STREAM_BATCH.windowSeconds * 1000,
        accepts: (record) => matchesAnyFilter(CART_COUNTER_FILTERS, record),
        maxAttempts: 3,
      },
    );
    reader.register(createCartCounterHandler({ stats, rules: fixedRules(), log: silentLog }));
    countAll = async () => {
      while ((await reader.pump({ force: true })) > 0);
    };
    counters = () => stats.month(MONTH);
    recount = async () => recountMonth(MONTH, await scanMonthRecords(documents, names), await fixedRules().current());
    deps = {
      carts: new DynamoDbCartStore(documents, names.carts),
      activity: new DynamoDbActivityLog(documents, names.sends, 90),
      scheduler: new RecordingScheduler(),
      rules: fixedRules(),
      clock: { now: () => new Date(T + 3 * HOUR) },
      log: silentLog,
      retentionDays: 90,
    };
  });

  /** A reminded cart and the same shopper's other open cart; then the order for the first, killed at `crashAt`. */
  async function story(id: string, crashAt: number, redeliver: boolean): Promise<number> {
    const email = `${id}@example.com`;
    const change = (cartId: string, at: number): CartEvent => ({
      kind: 'cart_changed',
      eventId: `${cartId}-change`,
      occurredAt: new Date(at),
      source: 'generic',
      cart: {
        cartId,
        source: 'generic',
        email,
        items: [{ title: 'Linen shirt', quantity: 1, unitPrice: 4_500 }],
        total: { minor: 4_500, currency: 'USD' },
      },
    });
    await ingestCartEvent(change(`${id}-bought`, T), deps);
    await ingestCartEvent(change(`${id}-other`, T + 1_000), deps);
    // SES accepted the first reminder (the sender's `sent` transaction writes this on the row).
    await deps.carts.recordReminder(`${id}-bought`, {
      kind: 'sent',
      step: 'first',
      at: new Date(T + HOUR),
      joinsHoldBack: false,
    });
    const order: CartEvent = {
      kind: 'checked_out',
      eventId: `${id}-order`,
      occurredAt: new Date(T + 2 * HOUR),
      source: 'generic',
      match: { cartId: `${id}-bought`, email },
      orderTotal: { minor: 5_000, currency: 'USD' },
    };
    const killed = crashing(deps, crashAt);
    await ingestCartEvent(order, killed.deps).catch((error: unknown) => {
      if (!(error instanceof Crash)) throw error;
    });
    if (redeliver) await ingestCartEvent(order, deps);
    return killed.writes();
  }

  it('leaves the summary equal to the recount wherever the process dies, redelivered or not', async () => {
    // How many writes an order makes when nothing dies: every gap between two of them is a crash point.
    const writes = await story('whole', 0, false);
    expect(writes).toBeGreaterThanOrEqual(5); // checkout, cancel, entry; the other cart's stop, cancel, entry
    for (let crashAt = 1; crashAt <= writes; crashAt++) {
      for (const redeliver of [false, true]) {
        await story(`k${crashAt}-${redeliver ? 'retried' : 'lost'}`, crashAt, redeliver);
        await countAll();
        const [counted, expected] = await Promise.all([counters(), recount()]);
        const fromRows = (c: MonthlyCounters) => ({
          cartsSeen: c.cartsSeen,
          cartsWithAddress: c.cartsWithAddress,
          recovered: c.recovered,
          wonBack: c.wonBack,
        });
        expect(fromRows(counted), `killed before write ${crashAt}${redeliver ? ', then redelivered' : ''}`).toEqual(
          fromRows(expected),
        );
      }
    }
    // The crash points include the one that used to lose the count: after the checkout write, before anything else.
    const final = await recount();
    // Every story recovers its cart, except the one killed before its checkout write and never redelivered.
    expect(final.recovered).toBe(1 + writes + (writes - 1));
    expect(final.wonBack).toEqual({ USD: 5_000 * final.recovered });
  });
});
