/**
 * The 8 am rush: `reminders` carts whose reminders quiet hours held overnight, released at 08:00 against an SES
 * stand-in that throttles above `ratePerSecond` (a new production account sends 14 a second), with at most
 * `concurrency` sender invocations at once (a new account's Lambda concurrency is 10). The real sender, release queue,
 * ledger and SES v2 client on DynamoDB Local; simulated time, so the figure is about the design, not this machine.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../src/resources/tables';
import { releaseRate } from '../src/domain/cart/release';
import { SendWorld, type SimClock } from './send-world';
import { startSesStandIn } from './ses-stand-in';

export interface RushResult {
  readonly reminders: number;
  readonly ratePerSecond: number;
  /** Carts whose reminder SES accepted, exactly once each. */
  readonly sent: number;
  /** Carts SES accepted more than one email for. */
  readonly duplicates: number;
  readonly failureQueue: number;
  /** Requests SES refused as over its rate (each deferred, none lost). */
  readonly throttled: number;
  /** Sender invocations that found all `concurrency` senders busy and waited. */
  readonly concurrencyWaits: number;
  /** The most sender invocations that ran at once. */
  readonly maxConcurrent: number;
  readonly concurrency: number;
  /** The pace the sender planned the release at (the account's limits times the safety margin). */
  readonly plannedPerSecond: number;
  /** The most messages SES accepted in one second. */
  readonly maxPerSecond: number;
  /** From 08:00 to the last accepted message. */
  readonly doneAfterMs: number;
  /** `reminders / min(ratePerSecond, concurrency / invocation time)`: no design can finish sooner. */
  readonly lowerBoundMs: number;
}

/** 07:50 in New York on a November morning: inside the default quiet hours (21:00-08:00), which end at 13:00 UTC. */
const BEFORE_EIGHT = Date.parse('2026-11-03T12:50:00Z');
const EIGHT = Date.parse('2026-11-03T13:00:00Z');

export async function playMorningRush(options: {
  readonly documents: DynamoDBDocumentClient;
  readonly tables: TableNames;
  readonly reminders: number;
  readonly ratePerSecond: number;
  /** Sender invocations that may run at once (default 10, a new account's Lambda concurrency). */
  readonly concurrency?: number;
  /** Simulated time one sender invocation takes (default 150 ms: DynamoDB and SES; the bench has no model call). */
  readonly invocationMs?: number;
  /**
   * The send rate the sender is told the account has, when it differs from what the stand-in enforces (an account
   * whose limits changed since they were read): the release then meets throttles and must still lose nothing.
   */
  readonly believedRatePerSecond?: number;
  /** Prefix for cart ids and addresses, so several rushes can share tables. */
  readonly prefix?: string;
}): Promise<RushResult> {
  const clock: SimClock = { now: BEFORE_EIGHT };
  // A patient client: a timeout here would measure how busy this machine is, not the release.
  const standIn = await startSesStandIn(() => clock.now, { patientClient: true });
  try {
    const perSecond = new Map<number, number>();
    let throttled = 0;
    standIn.decide = () => {
      const second = Math.floor(clock.now / 1000);
      const sent = perSecond.get(second) ?? 0;
      if (sent >= options.ratePerSecond) {
        throttled++;
        return 'throttle';
      }
      perSecond.set(second, sent + 1);
      return 'accept';
    };
    const concurrency = options.concurrency ?? 10;
    const invocationMs = options.invocationMs ?? 150;
    // The sender reads the same limits the stand-ins enforce, as it reads the account's in AWS.
    const capacity = {
      sesMaxSendRate: options.believedRatePerSecond ?? options.ratePerSecond,
      sesMax24HourSend: 1_000_000,
      senderConcurrency: concurrency,
      senderSecondsPerSend: invocationMs / 1000,
      source: 'the bench',
    };
    const world = new SendWorld({
      documents: options.documents,
      tables: options.tables,
      standIn,
      clock,
      capacity,
      concurrency: { cap: concurrency, invocationMs },
    });
    const prefix = options.prefix ?? 'rush';
    const cartIds = Array.from({ length: options.reminders }, (_, i) => `${prefix}-${i}`);
    for (let i = 0; i < cartIds.length; i += 16) {
      await Promise.all(cartIds.slice(i, i + 16).map((cartId) => world.addCart(cartId, `${cartId}@example.com`)));
    }
    // The waiter handed each over during the night; quiet hours hold them all until 08:00.
    for (let i = 0; i < cartIds.length; i += 16) {
      await Promise.all(cartIds.slice(i, i + 16).map((cartId) => world.handOff({ cartId, step: 'first' })));
    }
    await world.settle(1_000_000);

    const emailsPerCart = new Map<string, number>();
    for (const message of standIn.accepted)
      emailsPerCart.set(message.tags.cart ?? '', (emailsPerCart.get(message.tags.cart ?? '') ?? 0) + 1);
    const last = Math.max(...standIn.accepted.map((message) => message.at));
    return {
      reminders: options.reminders,
      ratePerSecond: options.ratePerSecond,
      sent: cartIds.filter((cartId) => emailsPerCart.get(cartId) === 1).length,
      duplicates: [...emailsPerCart.values()].filter((count) => count > 1).length,
      failureQueue: world.failureQueue.length,
      throttled,
      concurrencyWaits: world.concurrencyWaits,
      maxConcurrent: world.maxConcurrent,
      concurrency,
      plannedPerSecond: releaseRate(capacity).perSecond,
      maxPerSecond: Math.max(...perSecond.values()),
      doneAfterMs: last - EIGHT,
      lowerBoundMs: (options.reminders / Math.min(options.ratePerSecond, concurrency / (invocationMs / 1000))) * 1000,
    };
  } finally {
    await standIn.close();
  }
}
