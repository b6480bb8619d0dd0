import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { deferScheduleName, wakeUpScheduleName } from '../../domain/cart/schedule-names';
import type { Clock } from '../../ports/clock';
import { reminderMessage, type ReminderRequest, wakeUpMessage, type WakeUpMessage } from '../../ports/messages';
import type { Deferral, DeferralKey, SendDeferrals, WakeUp, WakeUpScheduler } from '../../ports/scheduler';

export interface EventBridgeSchedulerConfig {
  /** Schedule group holding every per-cart one-off schedule. */
  readonly groupName: string;
  /** ARN of the waiter Lambda the wake-ups invoke. */
  readonly waiterArn: string;
  /** ARN of the sender Lambda that quiet-hours deferrals re-invoke (needed only by the sender). */
  readonly senderArn?: string;
  /** Role Scheduler assumes to invoke the target. */
  readonly roleArn: string;
  /** Standard SQS queue that receives wake-ups Scheduler could not deliver. */
  readonly deadLetterArn: string;
}

/** Scheduler fires with one-minute precision and may reject times in the past; never ask for less than this ahead. */
const MIN_LEAD_MS = 60_000;

/**
 * Waiter wake-ups as EventBridge Scheduler one-off schedules: `at()` in UTC, no flexible window, deleted after they
 * fire, retried and dead-lettered. Names are deterministic per (cart, seq), so a retried create meets a
 * ConflictException, which means "already scheduled".
 */
export class EventBridgeWakeUpScheduler implements WakeUpScheduler, SendDeferrals {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: EventBridgeSchedulerConfig,
    private readonly clock: Clock,
  ) {}

  async schedule(wakeUp: WakeUp): Promise<void> {
    await this.create(
      wakeUpScheduleName(wakeUp.cartId, wakeUp.seq),
      wakeUp.at,
      this.config.waiterArn,
      wakeUpMessage(wakeUp),
    );
  }

  async defer(request: Deferral): Promise<void> {
    if (!this.config.senderArn) throw new Error('deferring a reminder needs the sender ARN in the scheduler config');
    await this.create(
      deferScheduleName(request.cartId, request.step, request.at, request.reason),
      request.at,
      this.config.senderArn,
      reminderMessage(request),
    );
  }

  private async create(
    name: string,
    when: Date,
    targetArn: string,
    input: ReminderRequest | WakeUpMessage,
  ): Promise<void> {
    const earliest = this.clock.now().getTime() + MIN_LEAD_MS;
    const at = new Date(Math.max(when.getTime(), earliest));
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.config.groupName,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          State: 'ENABLED',
          Target: {
            Arn: targetArn,
            RoleArn: this.config.roleArn,
            Input: JSON.stringify(input),
            RetryPolicy: { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 20 },
            DeadLetterConfig: { Arn: this.config.deadLetterArn },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async withdraw(request: DeferralKey): Promise<void> {
    await this.delete(deferScheduleName(request.cartId, request.step, request.at, request.reason));
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.config.groupName }));
    } catch (error) {
      // Already fired (and deleted itself) or never created: either way nothing is pending.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  async cancel(cartId: string, seq: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: wakeUpScheduleName(cartId, seq), GroupName: this.config.groupName }),
      );
    } catch (error) {
      // Already fired (and deleted itself) or never created: either way nothing is pending.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the next whole second. */
export function atExpression(at: Date): string {
  const rounded = new Date(Math.ceil(at.getTime() / 1000) * 1000);
  return `at(${rounded.toISOString().slice(0, 19)})`;
}
