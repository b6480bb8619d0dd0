import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { deferScheduleName, sendScheduleName, wakeUpScheduleName } from '../../domain/cart/schedule-names';
import type { FailedWork } from '../../domain/operations/failed-work';
import type { FailureQueue } from '../../ports/failure-queue';
import type { Clock } from '../../ports/clock';
import type { Log } from '../../ports/log';
import { reminderMessage, type ReminderRequest, wakeUpMessage } from '../../ports/messages';
import type { ReminderQueue } from '../../ports/reminder-queue';
import type { Deferral, DeferralKey, SendDeferrals, WakeUp, WakeUpScheduler } from '../../ports/scheduler';
import type { TableDefinition } from '../../resources/tables';

/** Local-only table of pending one-off jobs: the stand-in for EventBridge Scheduler's schedule group. */
export const LOCAL_SCHEDULES_TABLE = {
  name: 'cr-local-schedules',
  partitionKey: { name: 'name', type: 'S' },
  indexes: [],
  retainOnDelete: false,
} as const satisfies TableDefinition;

/** What a job invokes, as EventBridge Scheduler would invoke a Lambda. */
export type JobTarget = 'waiter' | 'sender' | 'importer' | 'summary' | 'ses-events';

export interface LocalJob {
  readonly name: string;
  readonly target: JobTarget;
  /** ISO time the job is due. */
  readonly dueAt: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  /** Set after too many failed attempts: the local dead-letter queue. */
  readonly dead?: boolean;
  /** The last failure's message, for `npm run carts -- failures`. */
  readonly lastError?: string;
}

/** After this many failed invocations a job is parked as dead, like Scheduler's retry limit and DLQ. */
export const MAX_ATTEMPTS = 5;

/**
 * A durable scheduler on the controllable clock. Jobs live in DynamoDB Local, so a wake-up that fell due while the
 * process was down fires (late) on the next start; a job is deleted only after its target returned.
 */
export class LocalScheduler implements WakeUpScheduler, ReminderQueue, SendDeferrals, FailureQueue {
  private readonly targets = new Map<JobTarget, (payload: Record<string, unknown>) => Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LocalJob[]> | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  /** Connects a target; jobs for targets not connected stay pending. */
  register(target: JobTarget, invoke: (payload: Record<string, unknown>) => Promise<unknown>): void {
    this.targets.set(target, invoke);
  }

  async schedule(wakeUp: WakeUp): Promise<void> {
    await this.put({
      name: wakeUpScheduleName(wakeUp.cartId, wakeUp.seq),
      target: 'waiter',
      dueAt: wakeUp.at.toISOString(),
      payload: wakeUpMessage(wakeUp),
    });
  }

  async withdraw(request: DeferralKey): Promise<void> {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { name: deferScheduleName(request.cartId, request.step, request.at, request.reason) },
      }),
    );
  }

  async cancel(cartId: string, seq: number): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { name: wakeUpScheduleName(cartId, seq) } }),
    );
  }

  /** Like an async Lambda invoke: a job for the sender, due now, one per (cart, step) while pending. */
  async handOff(request: ReminderRequest): Promise<void> {
    await this.put({
      name: sendScheduleName(request.cartId, request.step),
      target: 'sender',
      dueAt: this.clock.now().toISOString(),
      payload: reminderMessage({ cartId: request.cartId, step: request.step }),
    });
  }

  /**
   * A deferral: the sender runs again for the same request at `at` (quiet hours, a throttle, a pause, a lease's end).
   */
  async defer(request: Deferral): Promise<void> {
    await this.put({
      name: deferScheduleName(request.cartId, request.step, request.at, request.reason),
      target: 'sender',
      dueAt: request.at.toISOString(),
      payload: reminderMessage(request),
    });
  }

  /** True when jobs for this target fire (a target is connected). */
  handles(target: JobTarget): boolean {
    return this.targets.has(target);
  }

  /** Adds a job unless one with that name exists (the same contract as a Scheduler name conflict). */
  async put(job: Omit<LocalJob, 'attempts'>): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...job, attempts: 0 },
          ConditionExpression: 'attribute_not_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Every job, due or not, oldest first. */
  async jobs(): Promise<LocalJob[]> {
    const jobs: LocalJob[] = [];
    for await (const page of paginateScan({ client: this.client }, { TableName: this.tableName }))
      jobs.push(...((page.Items ?? []) as LocalJob[]));
    return jobs.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.name.localeCompare(b.name));
  }

  /** The dead jobs (failed {@link MAX_ATTEMPTS} times): the local failure queue. */
  async list(): Promise<FailedWork[]> {
    return (await this.jobs())
      .filter((job) => job.dead === true)
      .map((job) => ({
        id: job.name,
        target: job.target,
        payload: job.payload,
        attempts: job.attempts,
        at: job.dueAt,
        ...(job.lastError ? { error: job.lastError } : {}),
      }));
  }

  /** Brings a dead job back with fresh attempts; it fires on the next run, as it is already due. */
  async replay(id: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { name: id },
          UpdateExpression: 'SET attempts = :zero, dead = :false REMOVE lastError',
          ConditionExpression: 'dead = :true',
          ExpressionAttributeValues: { ':zero': 0, ':false': false, ':true': true },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Fires every job due by the clock, oldest first, repeating until nothing more is due (a fired job may schedule
   * another that is already due). Returns the jobs fired. Concurrent calls share one run.
   */
  runDue(): Promise<LocalJob[]> {
    this.running ??= this.fireDue().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Polls for due jobs until stopped. */
  start(intervalMs = 250): void {
    this.timer ??= setInterval(() => {
      this.runDue().catch((error: unknown) => this.log.error('local scheduler run failed', { error: String(error) }));
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async fireDue(): Promise<LocalJob[]> {
    const fired: LocalJob[] = [];
    // A job that fails is retried on the next run, not hammered within this one.
    const failed = new Set<string>();
    for (let round = 0; round < 100; round++) {
      const now = this.clock.now().toISOString();
      const due = (await this.jobs()).filter(
        (job) => !job.dead && job.dueAt <= now && this.targets.has(job.target) && !failed.has(job.name),
      );
      if (due.length === 0) break;
      for (const job of due) (await this.fire(job)) ? fired.push(job) : failed.add(job.name);
    }
    return fired;
  }

  private async fire(job: LocalJob): Promise<boolean> {
    const invoke = this.targets.get(job.target);
    if (!invoke) return false;
    try {
      await invoke(job.payload);
    } catch (error) {
      const attempts = job.attempts + 1;
      this.log.error('local job failed', { job: job.name, target: job.target, attempts, error: String(error) });
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { name: job.name },
          UpdateExpression: 'SET attempts = :attempts, dead = :dead, lastError = :error',
          ExpressionAttributeValues: {
            ':attempts': attempts,
            ':dead': attempts >= MAX_ATTEMPTS,
            ':error': String(error).slice(0, 500),
          },
        }),
      );
      return false;
    }
    // Like ActionAfterCompletion DELETE: the job goes once its target accepted it.
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { name: job.name } }));
    return true;
  }
}
