import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Log } from '../src/ports/log';
import type { Mailer, OutgoingEmail } from '../src/ports/mailer';
import type { Polisher, PolishPrompt } from '../src/ports/polisher';
import type { JobTarget, LocalScheduler } from '../src/adapters/local/local-scheduler';

/**
 * Counts what the local system does at its boundaries, in the units AWS bills, so `npm run cost` can price a month
 * from calls that actually happened and `npm run bench` can count per-cart work. Passed to `startLocalSystem` as
 * `meter`; without one nothing is wrapped and nothing changes.
 *
 * - DynamoDB: an SDK middleware asks every data-plane call for `ReturnConsumedCapacity: TOTAL` and sums what comes
 *   back per table (DynamoDB Local reports it, GSI writes included). A failed conditional write returns no
 *   capacity; it is counted apart, with the on-demand rule 1 WRU per started KB of what was sent.
 * - Scheduler: wake-ups and quiet-hours deferrals created, cancellations, hand-offs (an async Lambda invoke in
 *   AWS, not a schedule), and schedule invocations (waiter jobs, deferred sender jobs, the nightly importer).
 * - Lambda: every handler invocation (HTTP routes wrapped with {@link Meter.watchFunction}, scheduler targets) with
 *   its simulated start time and measured wall duration.
 * - SES: every message given to the mailer. Bedrock: every prompt given to the polisher, in characters.
 * - Logs: what the handlers log, as Powertools would print it (same JSON shape, service name per function).
 */
export interface InvocationRecord {
  readonly fn: string;
  /** Simulated time the invocation started (epoch ms). */
  readonly atMs: number;
  /** Measured wall-clock duration on this machine. */
  readonly wallMs: number;
  readonly failed: boolean;
}

export interface TableUsage {
  readRequests: number;
  writeRequests: number;
  /** Read request units as DynamoDB reported them. */
  rru: number;
  /** Write request units as DynamoDB reported them (base table plus GSIs). */
  wru: number;
  /** Conditional writes whose condition failed (no capacity reported). */
  failedConditionalWrites: number;
  /** WRU for those, by the on-demand rule: 1 per started KB of the request's item data. */
  failedWriteWru: number;
  /** Distinct 5-minute windows (simulated time) in which the table was used. */
  readonly activeWindows: Set<number>;
}

export interface PolishCall {
  /** The reminder step of the sender invocation that asked (from its payload), when there is one. */
  readonly step: string | undefined;
  readonly systemChars: number;
  readonly userChars: number;
  readonly outputChars: number;
}

export interface LogUsage {
  lines: number;
  bytes: number;
}

export interface MeterCounts {
  readonly invocations: readonly InvocationRecord[];
  readonly dynamo: Readonly<Record<string, TableUsage>>;
  readonly scheduler: {
    readonly wakeUpsCreated: number;
    readonly deferralsCreated: number;
    /** Of those, reminders held for quiet hours (each a place in a morning release). */
    readonly quietHoursDeferrals: number;
    readonly cancels: number;
    readonly handOffs: number;
    /** Schedules that fired and invoked their target (what Scheduler bills), by target. */
    readonly invocations: Readonly<Record<JobTarget, number>>;
  };
  readonly emails: { readonly count: number; readonly bytes: number };
  readonly polish: readonly PolishCall[];
  readonly logs: Readonly<Record<string, LogUsage>>;
}

/** A Function URL handler, a scheduler target: anything invoked with one event. */
type Handler<E, R> = (event: E) => Promise<R>;

/** What a data-plane DynamoDB call is, by command name (low-level and document-client names). */
const READ_OPS = new Set([
  'GetItem',
  'Get',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchGet',
  'TransactGetItems',
  'TransactGet',
]);
const WRITE_OPS = new Set([
  'PutItem',
  'Put',
  'UpdateItem',
  'Update',
  'DeleteItem',
  'Delete',
  'BatchWriteItem',
  'BatchWrite',
  'TransactWriteItems',
  'TransactWrite',
]);

const WINDOW_MS = 5 * 60_000;

/** The trace id Lambda puts in every Powertools line (`_X_AMZN_TRACE_ID`, set even with tracing off). */
const TRACE_ID = '1-6725f1a0-4b1c2d3e4f5a6b7c8d9e0f1a';

/** The Lambda context keys Powertools Logger adds to each line once the composition root calls `addContext`. */
function lambdaContextKeys(fn: string): Record<string, unknown> {
  return {
    cold_start: false,
    function_arn: `arn:aws:lambda:us-east-1:123456789012:function:cart-recovery-${fn}`,
    function_memory_size: '256',
    function_name: `cart-recovery-${fn}`,
    function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  };
}

export interface MeterOptions {
  /** Simulated time; settable later with {@link Meter.useClock} once the local system's clock exists. */
  readonly now?: () => number;
  /** The model stand-in the sender gets (locally there is no Bedrock); its prompts are counted. */
  readonly polisher?: Polisher;
  /** Called whenever a job is put on the local scheduler, with its due time (lets a driver skip idle stretches). */
  readonly onJobPut?: (dueAtMs: number) => void;
  /** Called for every DynamoDB data-plane call with its wire-format input (the bench replays intake's write). */
  readonly onDynamoCall?: (call: {
    readonly operation: string;
    readonly input: Readonly<Record<string, unknown>>;
  }) => void;
}

export class Meter {
  /** Wrapped handlers by function name, so a driver can invoke them in-process exactly as the routes do. */
  readonly functions: Record<string, Handler<never, unknown> | undefined> = {};
  /** The polisher to give the sender (counting wrapper around the one passed in), if any. */
  readonly polisher: Polisher | undefined;

  private now: () => number;
  /** The metered function running in this async context, and the event it was invoked with. */
  private readonly current = new AsyncLocalStorage<{
    readonly fn: string;
    readonly event: unknown;
    readonly keys: Record<string, unknown>;
  }>();
  private readonly pendingDeferrals = new Map<string, number>();
  private counts = Meter.empty();

  constructor(private readonly options: MeterOptions = {}) {
    this.now = options.now ?? Date.now;
    const inner = options.polisher;
    this.polisher = inner
      ? {
          polish: async (prompt: PolishPrompt) => {
            const answer = await inner.polish(prompt);
            const event = this.current.getStore()?.event;
            const step = event && typeof event === 'object' && 'step' in event ? String(event.step) : undefined;
            this.counts.polish.push({
              step,
              systemChars: prompt.system.length,
              userChars: prompt.user.length,
              outputChars: answer.text.length,
            });
            return answer;
          },
        }
      : undefined;
  }

  private static empty() {
    return {
      invocations: [] as InvocationRecord[],
      dynamo: {} as Record<string, TableUsage>,
      scheduler: {
        wakeUpsCreated: 0,
        deferralsCreated: 0,
        quietHoursDeferrals: 0,
        cancels: 0,
        handOffs: 0,
        invocations: { waiter: 0, sender: 0, importer: 0, 'ses-events': 0 } as Record<JobTarget, number>,
      },
      emails: { count: 0, bytes: 0 },
      polish: [] as PolishCall[],
      logs: {} as Record<string, LogUsage>,
    };
  }

  /** Reads simulated time from here on (the local system's test clock). */
  useClock(now: () => number): void {
    this.now = now;
  }

  /** The metered function running right now (the caller's async context), if any. */
  currentFunction(): string | undefined {
    return this.current.getStore()?.fn;
  }

  /** Forgets everything counted so far (e.g. the start-up: tables, the first docs load). */
  reset(): void {
    this.counts = Meter.empty();
    this.pendingDeferrals.clear();
  }

  /** A copy of what was counted since the last reset (later calls do not change it). */
  snapshot(): MeterCounts {
    return structuredClone(this.counts);
  }

  /** Adds the capacity-counting middleware to a DynamoDB client (document clients built on it share it). */
  watchDynamo(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const read = READ_OPS.has(operation);
        const write = WRITE_OPS.has(operation);
        if (!read && !write) return next(args);
        const input: Record<string, unknown> = {
          ...(args.input as Record<string, unknown>),
          ReturnConsumedCapacity: 'TOTAL',
        };
        this.options.onDynamoCall?.({ operation, input });
        const tableName = typeof input.TableName === 'string' ? input.TableName : '(multi-table)';
        try {
          const result = await next({ ...args, input });
          const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
          for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
            const { TableName, CapacityUnits } = entry as { TableName?: string; CapacityUnits?: number };
            const usage = this.table(TableName ?? tableName);
            if (read) usage.rru += CapacityUnits ?? 0;
            else usage.wru += CapacityUnits ?? 0;
          }
          const usage = this.table(tableName);
          if (read) usage.readRequests++;
          else usage.writeRequests++;
          return result;
        } catch (error) {
          const usage = this.table(tableName);
          if (read) usage.readRequests++;
          else usage.writeRequests++;
          if (write && (error as { name?: string }).name === 'ConditionalCheckFailedException') {
            usage.failedConditionalWrites++;
            usage.failedWriteWru += Math.max(1, Math.ceil(requestItemBytes(input) / 1024));
          }
          throw error;
        }
      },
      // Serialize step, ahead of the serializer: the input is in wire format whatever client built it.
      { step: 'serialize', priority: 'high', name: 'cartRecoveryMeter', override: true },
    );
  }

  /** Counts what goes through the local scheduler and meters the targets it invokes. Patches the instance. */
  watchScheduler(scheduler: LocalScheduler): void {
    const original = {
      schedule: scheduler.schedule.bind(scheduler),
      cancel: scheduler.cancel.bind(scheduler),
      handOff: scheduler.handOff.bind(scheduler),
      defer: scheduler.defer.bind(scheduler),
      register: scheduler.register.bind(scheduler),
    };
    scheduler.schedule = async (wakeUp) => {
      this.counts.scheduler.wakeUpsCreated++;
      this.options.onJobPut?.(wakeUp.at.getTime());
      return original.schedule(wakeUp);
    };
    scheduler.cancel = async (cartId, seq) => {
      this.counts.scheduler.cancels++;
      return original.cancel(cartId, seq);
    };
    scheduler.handOff = async (request) => {
      this.counts.scheduler.handOffs++;
      this.options.onJobPut?.(this.now());
      return original.handOff(request);
    };
    scheduler.defer = async (request) => {
      this.counts.scheduler.deferralsCreated++;
      if (request.reason === 'quiet_hours') this.counts.scheduler.quietHoursDeferrals++;
      const key = `${request.cartId}\n${request.step}`;
      this.pendingDeferrals.set(key, (this.pendingDeferrals.get(key) ?? 0) + 1);
      this.options.onJobPut?.(request.at.getTime());
      return original.defer(request);
    };
    scheduler.register = (target: JobTarget, invoke) => {
      const metered = this.watchFunction(target, invoke);
      original.register(target, async (payload) => {
        if (this.firedBySchedule(target, payload))
          this.counts.scheduler.invocations[target] = (this.counts.scheduler.invocations[target] ?? 0) + 1;
        return metered(payload);
      });
    };
  }

  /** Counts every message the mailer is given (SES bills per message). Patches the instance. */
  watchMailer(mailer: Mailer): void {
    const send = mailer.send.bind(mailer);
    mailer.send = async (email: OutgoingEmail) => {
      this.counts.emails.count++;
      this.counts.emails.bytes +=
        Buffer.byteLength(email.html) + Buffer.byteLength(email.text) + Buffer.byteLength(email.subject);
      return send(email);
    };
  }

  /**
   * Wraps a handler as one Lambda function: each call is an invocation with its simulated start and measured wall
   * duration, and what it logs is attributed to it. The wrapped handler is also kept in {@link functions}.
   */
  watchFunction<E, R>(name: string, handler: Handler<E, R>): Handler<E, R> {
    const wrapped: Handler<E, R> = async (event) => {
      const atMs = this.now();
      const started = performance.now();
      let failed = false;
      try {
        return await this.current.run({ fn: name, event, keys: {} }, () => handler(event));
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        this.counts.invocations.push({ fn: name, atMs, wallMs: performance.now() - started, failed });
      }
    };
    this.functions[name] = wrapped as Handler<never, unknown>;
    return wrapped;
  }

  /**
   * A Log that counts each line as Powertools prints it in Lambda (`{"level","message","timestamp","service",
   * "sampling_rate","xray_trace_id",...attributes}` plus a newline), per function, then passes it on.
   */
  log(inner: Log): Log {
    const write = (level: 'INFO' | 'WARN' | 'ERROR', message: string, attributes?: Record<string, unknown>) => {
      const store = this.current.getStore();
      const fn = store?.fn ?? 'local';
      const line = JSON.stringify({
        level,
        message,
        timestamp: new Date(this.now()).toISOString(),
        service: `cart-recovery-${fn}`,
        sampling_rate: 0,
        xray_trace_id: TRACE_ID,
        // What Powertools' addContext puts on every line of an invocation.
        ...(store ? lambdaContextKeys(fn) : {}),
        ...store?.keys,
        ...attributes,
      });
      const usage = (this.counts.logs[fn] ??= { lines: 0, bytes: 0 });
      usage.lines++;
      usage.bytes += Buffer.byteLength(line) + 1;
    };
    return {
      info: (message, attributes) => {
        write('INFO', message, attributes);
        inner.info(message, attributes);
      },
      warn: (message, attributes) => {
        write('WARN', message, attributes);
        inner.warn(message, attributes);
      },
      error: (message, attributes) => {
        write('ERROR', message, attributes);
        inner.error(message, attributes);
      },
      appendKeys: (keys) => {
        const store = this.current.getStore();
        if (store) Object.assign(store.keys, keys);
        inner.appendKeys(keys);
      },
    };
  }

  private table(name: string): TableUsage {
    const usage = (this.counts.dynamo[name] ??= {
      readRequests: 0,
      writeRequests: 0,
      rru: 0,
      wru: 0,
      failedConditionalWrites: 0,
      failedWriteWru: 0,
      activeWindows: new Set<number>(),
    });
    usage.activeWindows.add(Math.floor(this.now() / WINDOW_MS));
    return usage;
  }

  /**
   * Whether a job firing came from a schedule (billed by Scheduler): every waiter wake-up and nightly import, and a
   * sender job only when it is a quiet-hours deferral (a hand-off is an async Lambda invoke in AWS).
   */
  private firedBySchedule(target: JobTarget, payload: Record<string, unknown>): boolean {
    // SES events reach their function through an EventBridge rule (AWS service events are free), not a schedule.
    if (target === 'ses-events') return false;
    if (target !== 'sender') return true;
    const key = `${String(payload.cartId)}\n${String(payload.step)}`;
    const pending = this.pendingDeferrals.get(key) ?? 0;
    if (pending === 0) return false;
    this.pendingDeferrals.set(key, pending - 1);
    return true;
  }
}

/** Bytes of item data a write request carries (wire format), for pricing a failed conditional write. */
function requestItemBytes(input: Record<string, unknown>): number {
  const data = input.Item ?? input.ExpressionAttributeValues ?? input.Key ?? {};
  return Buffer.byteLength(JSON.stringify(data));
}
