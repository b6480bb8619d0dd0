/**
 * A small world around the real sender for fault-injection tests: DynamoDB Local behind the real adapters, the real
 * SES v2 client against the SES stand-in, the real feedback handler for SES's SEND events, and a simulated clock,
 * scheduler and Lambda. Invocations can crash at chosen points (the invocation simply stops there, as a killed
 * Lambda does); Lambda and Scheduler deliver again what crashed or failed, and SES's SEND events arrive a while after
 * each message it accepted. `settle()` runs everything due, in time order, until nothing is left.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActivityLog } from '../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../src/adapters/aws/dynamodb-opt-outs';
import { DynamoDbReleaseQueue } from '../src/adapters/aws/dynamodb-release-queue';
import { DynamoDbSendLedger } from '../src/adapters/aws/dynamodb-send-ledger';
import { DynamoDbStats } from '../src/adapters/aws/dynamodb-stats';
import { SesMailer } from '../src/adapters/aws/ses-mailer';
import type { ReminderStep } from '../src/domain/cart/reminder-step';
import { createSesEventsHandler } from '../src/handlers/ses-events';
import { type Log, silentLog } from '../src/ports/log';
import type { Mailer } from '../src/ports/mailer';
import { fixedRules, fixedVoice } from '../src/ports/owner-docs';
import type { Deferral, DeferralReason, SendDeferrals } from '../src/ports/scheduler';
import type { SendLedger } from '../src/ports/send-ledger';
import { fixedSendCapacity } from '../src/ports/release';
import { NEW_ACCOUNT_CAPACITY, type SendCapacity } from '../src/domain/cart/release';
import { ingestCartEvent } from '../src/use-cases/ingest-cart-event';
import { seedCartSnapshot, seedReturnUrl } from '../src/local/seed-cart';
import type { ReminderRequest } from '../src/ports/messages';
import { sendReminder, type SenderDeps, type SendResult } from '../src/use-cases/send-reminder';
import type { TableNames } from '../src/resources/tables';
import { EMPTY_COUNTERS } from '../src/domain/reporting/summary';
import type { WakeUpScheduler } from '../src/ports/scheduler';
import type { Stats } from '../src/ports/stats';
import { sesSendEventOf, type SesStandIn } from './ses-stand-in';

/** The simulated time the world, the stand-in and the handlers read. */
export interface SimClock {
  now: number;
}

/** Intake's wake-ups are not part of this world: the test hands reminders to the sender itself. */
const NO_WAKE_UPS: WakeUpScheduler = { schedule: async () => {}, cancel: async () => {} };

/** The sender's other counters (skips, deferrals) are not part of this world; sends are counted by the ledger. */
const NO_STATS: Stats = { add: async () => {}, addBatch: async () => {}, month: async () => EMPTY_COUNTERS };

/**
 * Where an invocation dies, if it does: before SES is called, after SES accepted, before the `sent` transaction, or
 * right after it (before the lease's check is withdrawn).
 */
export type CrashPoint = 'none' | 'before-ses' | 'after-ses' | 'before-complete' | 'after-complete';

/** Lambda's asynchronous invoke: two retries after a failure, a minute and two minutes later. */
const LAMBDA_RETRY_DELAYS_MS = [60_000, 120_000];
/** Scheduler's retry policy for the sender target (20 attempts); one minute apart here. */
const SCHEDULER_RETRIES = 20;

interface Pending {
  readonly at: number;
  readonly run: () => Promise<void>;
  /** A sender invocation (counted against the concurrency cap). */
  readonly sender?: boolean;
  /** A deferral's schedule name, so it can be withdrawn. */
  readonly key?: string;
}

export interface WorldOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tables: TableNames;
  readonly standIn: SesStandIn;
  /** The world's time, shared with the stand-in (which stamps and rate-limits by it). */
  readonly clock: SimClock;
  /** Crash points for successive invocations, in order; `none` once used up. */
  readonly crashes?: readonly CrashPoint[];
  /** Delay of each SES SEND event after its message was accepted, in order; 2 s once used up. */
  readonly sendEventDelaysMs?: readonly number[];
  /** Deliver every SEND event twice (EventBridge delivers at least once). */
  readonly duplicateSendEvents?: boolean;
  /** The account's limits the sender paces releases by; a new account's (14 a second, 10 senders of 1 s) by default. */
  readonly capacity?: SendCapacity;
  /**
   * Lambda's concurrency: at most `cap` sender invocations at once, each taking `invocationMs` of simulated time. An
   * invocation due while all are busy waits for the first to end (Lambda's async queue holds a throttled event and
   * tries again). Unlimited and instantaneous when absent.
   */
  readonly concurrency?: { readonly cap: number; readonly invocationMs: number };
  /** The sender's and the feedback function's log; silent by default. */
  readonly log?: Log;
  /**
   * When SES's SEND event is handled relative to SES's answer reaching the sender: `after` (the delays above),
   * `before-answer` (handled completely before the sender hears the answer) or `racing` (handled at the same time as
   * the sender records the answer). Default `after`.
   */
  readonly sendEventTiming?: 'after' | 'before-answer' | 'racing';
}

export class SendWorld {
  readonly carts: DynamoDbCartStore;
  readonly ledger: DynamoDbSendLedger;
  readonly activity: DynamoDbActivityLog;
  /** The month counters the ledger writes with each `sent` record (and each second copy). */
  readonly counters: DynamoDbStats;
  /** Invocations given up after every retry: what the alarmed failure queue would hold. */
  readonly failureQueue: Array<{ request: ReminderRequest; error: string }> = [];
  readonly results: SendResult[] = [];
  crashed = 0;
  /** Invocations that found every sender busy and waited (Lambda's own throttle, not SES's). */
  concurrencyWaits = 0;
  /** The most sender invocations running at once. */
  maxConcurrent = 0;
  private busyUntil: number[] = [];
  private readonly pending: Pending[] = [];
  private readonly mailer: Mailer;
  private readonly optOuts: DynamoDbOptOutStore;
  private readonly releaseQueue: DynamoDbReleaseQueue;
  private readonly crashes: CrashPoint[];
  private readonly sendEventDelays: number[];
  private seenAccepted: number;
  private readonly sesEvents: ReturnType<typeof createSesEventsHandler>;
  private readonly stats = NO_STATS;

  get now(): number {
    return this.options.clock.now;
  }

  set now(value: number) {
    this.options.clock.now = value;
  }

  constructor(private readonly options: WorldOptions) {
    this.seenAccepted = options.standIn.accepted.length;
    const { documents, tables } = options;
    this.carts = new DynamoDbCartStore(documents, tables.carts);
    this.counters = new DynamoDbStats(
      documents,
      tables.sends,
      async () => (await fixedRules().current()).store.timeZone,
    );
    this.ledger = new DynamoDbSendLedger(documents, tables, 90, this.counters);
    this.activity = new DynamoDbActivityLog(documents, tables.sends, 90);
    this.optOuts = new DynamoDbOptOutStore(documents, tables.optouts);
    this.releaseQueue = new DynamoDbReleaseQueue(documents, tables.sends, 90);
    this.mailer = new SesMailer(options.standIn.client(), { configurationSetName: 'cart-recovery' });
    this.crashes = [...(options.crashes ?? [])];
    this.sendEventDelays = [...(options.sendEventDelaysMs ?? [])];
    const clock = { now: () => new Date(this.now) };
    this.sesEvents = createSesEventsHandler({
      rules: fixedRules(),
      sends: this.ledger,
      carts: this.carts,
      optOuts: this.optOuts,
      activity: this.activity,
      stats: this.stats,
      clock,
      log: silentLog,
    });
  }

  /** The seed cart (src/local/seed-cart.ts) under `cartId` and `email`, as intake stores it. */
  async addCart(cartId: string, email: string): Promise<void> {
    const clock = { now: () => new Date(this.now) };
    await ingestCartEvent(
      {
        kind: 'cart_changed',
        eventId: `${cartId}-e1`,
        occurredAt: new Date(this.now - 3_600_000),
        source: 'generic',
        cart: seedCartSnapshot({ cartId, email, returnUrl: seedReturnUrl(cartId) }),
      },
      {
        carts: this.carts,
        activity: this.activity,
        scheduler: NO_WAKE_UPS,
        rules: fixedRules(),
        clock,
        log: silentLog,
        retentionDays: 90,
      },
    );
  }

  /** The waiter's hand-off, delivered now (Lambda may deliver one async invoke more than once). */
  handOff(request: ReminderRequest): Promise<void> {
    return this.invoke(request, 0, 'lambda');
  }

  /** Runs everything due, in time order (what falls due at one instant runs concurrently), until nothing is left. */
  async settle(limit = 2_000): Promise<void> {
    await Promise.all(this.racing.splice(0));
    for (let round = 0; this.pending.length > 0; round++) {
      if (round > limit) throw new Error('the world did not settle');
      await this.collectSendEvents();
      const next = Math.min(...this.pending.map((p) => p.at));
      this.now = Math.max(this.now, next);
      const due = this.pending.filter((p) => p.at <= this.now);
      for (const item of due) this.pending.splice(this.pending.indexOf(item), 1);
      await Promise.all(this.admit(due).map((item) => item.run()));
      await Promise.all(this.racing.splice(0));
      await this.collectSendEvents();
    }
  }

  /**
   * What of `due` may start now under the concurrency cap; the rest wait, in order, for the next invocation to end.
   * SEND events (the feedback function) are not sender invocations and always run.
   */
  private admit(due: Pending[]): Pending[] {
    const limit = this.options.concurrency;
    if (!limit) return due;
    this.busyUntil = this.busyUntil.filter((end) => end > this.now);
    const started: Pending[] = [];
    for (const item of due) {
      if (!item.sender) {
        started.push(item);
        continue;
      }
      if (this.busyUntil.length < limit.cap) {
        this.busyUntil.push(this.now + limit.invocationMs);
        started.push(item);
        continue;
      }
      this.concurrencyWaits++;
      const free = Math.min(...this.busyUntil);
      this.pending.push({ ...item, at: free });
    }
    this.maxConcurrent = Math.max(this.maxConcurrent, this.busyUntil.length);
    return started;
  }

  /** Runs one invocation of the sender, with this invocation's crash point; schedules the platform's retries. */
  /** SEND events being handled while the sender records the answer (`racing`); settle() waits for them. */
  private readonly racing: Promise<unknown>[] = [];

  /** Handles the SEND event of every message accepted so far that has not had one, now. */
  private async sendEventsNow(): Promise<void> {
    const { accepted } = this.options.standIn;
    const fresh = accepted.slice(this.seenAccepted);
    this.seenAccepted = accepted.length;
    for (const message of fresh) {
      const event = sesSendEventOf(message);
      const copies = this.options.duplicateSendEvents ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) await this.sesEvents(event);
    }
  }

  private async invoke(request: ReminderRequest, delivery: number, via: 'lambda' | 'scheduler'): Promise<void> {
    const crash = this.crashes.shift() ?? 'none';
    let died!: () => void;
    const death = new Promise<'crashed'>((resolve) => (died = () => resolve('crashed')));
    const hang = <T>(): Promise<T> => {
      died();
      return new Promise<T>(() => {});
    };
    const outcome = await Promise.race([
      sendReminder(request, this.deps(crash, hang)).then(
        (result) => ({ result }),
        (error: unknown) => ({ error: String(error) }),
      ),
      death,
    ]);
    await this.collectSendEvents();
    if (outcome !== 'crashed' && 'result' in outcome) {
      this.results.push(outcome.result);
      return;
    }
    if (outcome === 'crashed') this.crashed++;
    const error = outcome === 'crashed' ? 'crashed' : outcome.error;
    const delays = via === 'lambda' ? LAMBDA_RETRY_DELAYS_MS : Array.from({ length: SCHEDULER_RETRIES }, () => 60_000);
    const delay = delays[delivery];
    if (delay === undefined) {
      this.failureQueue.push({ request, error });
      return;
    }
    this.pending.push({ at: this.now + delay, sender: true, run: () => this.invoke(request, delivery + 1, via) });
  }

  private deps(crash: CrashPoint, hang: <T>() => Promise<T>): SenderDeps {
    const timing = this.options.sendEventTiming ?? 'after';
    // SES's SEND event may be handled before its answer reaches the sender, or while the sender records it.
    const answering: Mailer =
      timing === 'after'
        ? this.mailer
        : {
            send: async (email) => {
              const answer = await this.mailer.send(email);
              const events = this.sendEventsNow();
              if (timing === 'before-answer') await events;
              else this.racing.push(events);
              return answer;
            },
          };
    const mailer: Mailer =
      crash === 'before-ses'
        ? { send: () => hang() }
        : crash === 'after-ses'
          ? {
              send: async (email) => {
                await answering.send(email).catch(() => undefined);
                return hang();
              },
            }
          : answering;
    const sends: SendLedger =
      crash === 'before-complete'
        ? Object.assign(Object.create(this.ledger) as SendLedger, { complete: () => hang() })
        : crash === 'after-complete'
          ? Object.assign(Object.create(this.ledger) as SendLedger, {
              complete: async (...args: Parameters<SendLedger['complete']>) => {
                await this.ledger.complete(...args);
                return hang();
              },
            })
          : this.ledger;
    const deferrals: SendDeferrals = {
      defer: async (request: Deferral) => {
        // Scheduler names each deferral, so a second create of the same one is a no-op.
        const key = `${request.reason}:${request.cartId}:${request.step}:${Math.floor(request.at.getTime() / 1000)}`;
        if (this.scheduled.has(key)) return;
        this.scheduled.add(key);
        const next: ReminderRequest = {
          cartId: request.cartId,
          step: request.step,
          ...(request.retry !== undefined ? { retry: request.retry } : {}),
          ...(request.releaseAt !== undefined ? { releaseAt: request.releaseAt } : {}),
        };
        this.pending.push({
          at: request.at.getTime(),
          key,
          sender: true,
          run: () => this.invoke(next, 0, 'scheduler'),
        });
      },
      withdraw: async (request: { cartId: string; step: ReminderStep; at: Date; reason: DeferralReason }) => {
        const key = `${request.reason}:${request.cartId}:${request.step}:${Math.floor(request.at.getTime() / 1000)}`;
        const index = this.pending.findIndex((item) => item.key === key);
        if (index >= 0) this.pending.splice(index, 1);
        this.scheduled.delete(key);
      },
    };
    return {
      carts: this.carts,
      optOuts: this.optOuts,
      sends,
      deferrals,
      release: {
        queue: this.releaseQueue,
        capacity: fixedSendCapacity(
          this.options.capacity ?? { ...NEW_ACCOUNT_CAPACITY, senderSecondsPerSend: 1, source: 'the bench' },
        ),
      },
      polisher: undefined,
      mailer,
      activity: this.activity,
      stats: this.stats,
      rules: fixedRules(),
      voice: fixedVoice(),
      clock: { now: () => new Date(this.now) },
      log: this.options.log ?? silentLog,
      email: {
        from: 'reminders@store.example',
        replyTo: 'owner@store.example',
        unsubscribeBaseUrl: 'https://unsub.example.on.aws/',
        unsubscribeKey: 'a-test-unsubscribe-key-of-32-bytes!',
      },
    };
  }

  private readonly scheduled = new Set<string>();

  /** SES publishes a SEND event for each message it accepted; EventBridge brings it to the feedback function. */
  private async collectSendEvents(): Promise<void> {
    const { accepted } = this.options.standIn;
    for (; this.seenAccepted < accepted.length; this.seenAccepted++) {
      const message = accepted[this.seenAccepted];
      if (!message) continue;
      const delay = this.sendEventDelays.shift() ?? 2_000;
      const event = sesSendEventOf(message);
      const copies = this.options.duplicateSendEvents ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        this.pending.push({
          at: message.at + delay + copy * 1_000,
          run: async () => {
            await this.sesEvents(event);
          },
        });
      }
    }
  }
}
