/**
 * One store's carts through the REAL intake, waiter and sender use cases and SES's SEND-event path, on DynamoDB Local,
 * with the real SES v2 client against the SES stand-in (which can throttle, pause or answer "not verified"), and a
 * simulated clock, scheduler and Lambda queue. Everything due runs in time order; the owner's rules can change
 * mid-run (a pause, a lifted pause). What each shopper received is read from the stand-in's accepted messages.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sesSendEventOf, startSesStandIn, type SesFault, type SesStandIn } from '../../bench/ses-stand-in';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../../src/adapters/aws/dynamodb-opt-outs';
import { DynamoDbReleaseQueue } from '../../src/adapters/aws/dynamodb-release-queue';
import { DynamoDbSendLedger } from '../../src/adapters/aws/dynamodb-send-ledger';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { SesMailer } from '../../src/adapters/aws/ses-mailer';
import type { CartSnapshot } from '../../src/domain/cart/cart';
import { NEW_ACCOUNT_CAPACITY } from '../../src/domain/cart/release';
import { DEFAULT_RULES, type Rules } from '../../src/domain/owner-docs/rules';
import type { ReminderStep } from '../../src/domain/cart/reminder-step';
import { EMPTY_COUNTERS } from '../../src/domain/reporting/summary';
import { createSesEventsHandler } from '../../src/handlers/ses-events';
import { silentLog } from '../../src/ports/log';
import { fixedSendCapacity } from '../../src/ports/release';
import { fixedVoice, type RulesSource } from '../../src/ports/owner-docs';
import type { ReminderQueue } from '../../src/ports/reminder-queue';
import type { WakeUpScheduler } from '../../src/ports/scheduler';
import type { DeferralReason, SendDeferrals } from '../../src/ports/scheduler';
import type { Stats } from '../../src/ports/stats';
import type { TableNames } from '../../src/resources/tables';
import { ingestCartEvent } from '../../src/use-cases/ingest-cart-event';
import type { ReminderRequest } from '../../src/ports/messages';
import { sendReminder, type SenderDeps } from '../../src/use-cases/send-reminder';
import { wakeCart, type WakeDeps } from '../../src/use-cases/wake-cart';

const NO_STATS: Stats = { add: async () => {}, addBatch: async () => {}, month: async () => EMPTY_COUNTERS };

interface Job {
  readonly at: number;
  readonly order: number;
  readonly key?: string;
  readonly run: () => Promise<void>;
}

/** An email SES accepted, as the shopper (or, in test mode, the owner) received it. */
export interface Received {
  readonly cartId: string;
  readonly step: ReminderStep;
  readonly at: number;
  readonly to: string;
}

export class RhythmWorld {
  now: number;
  rules: Rules;
  readonly carts: DynamoDbCartStore;
  readonly activity: DynamoDbActivityLog;
  /** Uncaught failures of any job (none expected). */
  readonly failures: string[] = [];
  /**
   * At-least-once delivery: when set, every waiter wake-up and every sender invocation is delivered a second time this
   * long after the first (Scheduler and Lambda's async invoke may both deliver twice).
   */
  duplicateAfterMs: number | undefined;
  private readonly jobs: Job[] = [];
  private order = 0;
  private seenAccepted = 0;
  private readonly waiterDeps: WakeDeps;
  private readonly senderDeps: SenderDeps;
  private readonly sesEvents: ReturnType<typeof createSesEventsHandler>;

  private constructor(
    documents: DynamoDBDocumentClient,
    tables: TableNames,
    readonly standIn: SesStandIn,
    start: number,
    rules: Rules,
  ) {
    this.now = start;
    this.rules = rules;
    this.carts = new DynamoDbCartStore(documents, tables.carts);
    this.activity = new DynamoDbActivityLog(documents, tables.sends, 90);
    // Counted in the same transaction as each record, as deployed (this world reads no counters).
    const ledger = new DynamoDbSendLedger(
      documents,
      tables,
      90,
      new DynamoDbStats(documents, tables.sends, async () => this.rules.store.timeZone),
    );
    const optOuts = new DynamoDbOptOutStore(documents, tables.optouts);
    const clock = { now: () => new Date(this.now) };
    const rulesSource: RulesSource = { current: async () => this.rules };
    const scheduler: WakeUpScheduler = {
      schedule: async ({ cartId, seq, at }) =>
        this.delivered(at.getTime(), () => this.wake(cartId, seq), `wake:${cartId}:${seq}`),
      cancel: async (cartId, seq) => this.remove(`wake:${cartId}:${seq}`),
    };
    const reminders: ReminderQueue = { handOff: async (request) => this.delivered(this.now, () => this.send(request)) };
    const key = (r: { cartId: string; step: ReminderStep; at: Date; reason: DeferralReason }) =>
      `defer:${r.reason}:${r.cartId}:${r.step}:${Math.floor(r.at.getTime() / 1000)}`;
    const deferrals: SendDeferrals = {
      defer: async (request) => {
        const next: ReminderRequest = {
          cartId: request.cartId,
          step: request.step,
          ...(request.retry !== undefined ? { retry: request.retry } : {}),
          ...(request.releaseAt !== undefined ? { releaseAt: request.releaseAt } : {}),
        };
        this.delivered(request.at.getTime(), () => this.send(next), key(request));
      },
      withdraw: async (request) => this.remove(key(request)),
    };
    this.waiterDeps = {
      carts: this.carts,
      optOuts,
      scheduler,
      reminders,
      activity: this.activity,
      rules: rulesSource,
      clock,
      log: silentLog,
      stats: NO_STATS,
    };
    this.senderDeps = {
      carts: this.carts,
      optOuts,
      sends: ledger,
      deferrals,
      // A new account's limits (14 a second, 10 senders of a second): a morning's places are paced at 9 a second.
      release: {
        queue: new DynamoDbReleaseQueue(documents, tables.sends, 90),
        capacity: fixedSendCapacity({ ...NEW_ACCOUNT_CAPACITY, senderSecondsPerSend: 1, source: 'the rhythm world' }),
      },
      polisher: undefined,
      mailer: new SesMailer(standIn.client(), { configurationSetName: 'cart-recovery' }),
      activity: this.activity,
      stats: NO_STATS,
      rules: rulesSource,
      voice: fixedVoice(),
      clock,
      log: silentLog,
      email: {
        from: 'reminders@store.example',
        replyTo: 'owner@store.example',
        unsubscribeBaseUrl: 'https://unsub.example.on.aws/',
        unsubscribeKey: 'a-test-unsubscribe-key-of-32-bytes!',
        testModeTo: 'owner@store.example',
      },
    };
    this.sesEvents = createSesEventsHandler({
      rules: rulesSource,
      sends: ledger,
      carts: this.carts,
      optOuts,
      activity: this.activity,
      stats: NO_STATS,
      clock,
      log: silentLog,
    });
  }

  /** A world on the given tables, starting at `start`; `close()` it after. */
  static async open(
    documents: DynamoDBDocumentClient,
    tables: TableNames,
    start: number,
    rules: Rules = DEFAULT_RULES,
  ): Promise<RhythmWorld> {
    let world: RhythmWorld | undefined;
    const standIn = await startSesStandIn(() => world?.now ?? start, { patientClient: true });
    world = new RhythmWorld(documents, tables, standIn, start, rules);
    return world;
  }

  close(): Promise<void> {
    return this.standIn.close();
  }

  /** SES's answer to each request; `accept` unless set. */
  set ses(decide: (request: { readonly tags: Readonly<Record<string, string>>; readonly to: string }) => SesFault) {
    this.standIn.decide = decide;
  }

  /** The storefront's change webhook for a cart, at `at` (as the shopper touched it then). */
  at(at: number, what: () => Promise<void>): void {
    this.add(at, what);
  }

  /** The shopper changes (or leaves) the cart now: the real intake use case. */
  async change(
    cart: Pick<CartSnapshot, 'cartId' | 'email' | 'total'> & Partial<CartSnapshot>,
    eventId: string,
  ): Promise<void> {
    await ingestCartEvent(
      {
        kind: 'cart_changed',
        eventId,
        occurredAt: new Date(this.now),
        source: 'generic',
        cart: {
          source: 'generic',
          items: [{ title: 'Linen shirt', quantity: 1, unitPrice: cart.total.minor }],
          returnUrl: `https://shop.example.com/cart/${cart.cartId}`,
          ...cart,
        },
      },
      { ...this.waiterDeps, retentionDays: 90 },
    );
  }

  /** Runs everything due, in time order, until nothing is left or `until` is reached. */
  async run(until: number): Promise<void> {
    for (let round = 0; round < 20_000; round++) {
      this.collectSendEvents();
      const next = this.jobs.reduce<Job | undefined>(
        (best, job) =>
          best === undefined || job.at < best.at || (job.at === best.at && job.order < best.order) ? job : best,
        undefined,
      );
      if (next === undefined || next.at > until) return;
      this.jobs.splice(this.jobs.indexOf(next), 1);
      this.now = Math.max(this.now, next.at);
      try {
        await next.run();
      } catch (error) {
        this.failures.push(String(error));
      }
    }
    throw new Error('the world did not settle');
  }

  /** Every email SES accepted, in time order. */
  received(): Received[] {
    return this.standIn.accepted
      .map((m) => ({ cartId: m.tags.cart ?? '', step: (m.tags.step ?? 'first') as ReminderStep, at: m.at, to: m.to }))
      .sort((a, b) => a.at - b.at);
  }

  /**
   * A platform delivery: once, and again `duplicateAfterMs` later when duplicates are on (the copy cannot be
   * withdrawn).
   */
  private delivered(at: number, run: () => Promise<void>, key?: string): void {
    this.add(at, run, key);
    if (this.duplicateAfterMs !== undefined) this.add(at + this.duplicateAfterMs, run);
  }

  private add(at: number, run: () => Promise<void>, key?: string): void {
    if (key !== undefined && this.jobs.some((job) => job.key === key)) return;
    this.jobs.push({ at, order: this.order++, run, ...(key !== undefined ? { key } : {}) });
  }

  private remove(key: string): void {
    const index = this.jobs.findIndex((job) => job.key === key);
    if (index >= 0) this.jobs.splice(index, 1);
  }

  private async wake(cartId: string, seq: number): Promise<void> {
    await wakeCart({ cartId, seq }, this.waiterDeps);
  }

  /** The sender run now on a request (a late or duplicate delivery, say), and what it answered. */
  sendNow(request: ReminderRequest): ReturnType<typeof sendReminder> {
    return sendReminder(request, this.senderDeps);
  }

  private async send(request: ReminderRequest): Promise<void> {
    await sendReminder(request, this.senderDeps);
  }

  /** SES publishes a SEND event for each message it accepted, two seconds later, to the feedback function. */
  private collectSendEvents(): void {
    const { accepted } = this.standIn;
    for (; this.seenAccepted < accepted.length; this.seenAccepted++) {
      const message = accepted[this.seenAccepted];
      if (!message) continue;
      const event = sesSendEventOf(message);
      this.add(message.at + 2_000, async () => {
        await this.sesEvents(event);
      });
    }
  }
}
