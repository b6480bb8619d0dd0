/** EventBridge Scheduler (wake-ups, deferrals) and the waiter's hand-off to the sender, for the functions that use them. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeWakeUpScheduler } from '../../adapters/aws/eventbridge-scheduler';
import { LambdaReminderQueue } from '../../adapters/aws/lambda-reminder-queue';
import { systemClock } from '../../ports/clock';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

/** The scheduling variables every function that creates wake-ups gets (and the sender, for deferrals). */
export interface SchedulingEnv {
  readonly CR_SCHEDULE_GROUP: string;
  readonly CR_WAITER_ARN: string;
  readonly CR_SCHEDULER_ROLE_ARN: string;
  readonly CR_SCHEDULER_DLQ_ARN: string;
  readonly CR_SENDER_ARN?: string;
}

/** Wake-ups and quiet-hours deferrals as one-off EventBridge Scheduler schedules. */
export function eventBridgeScheduler(env: SchedulingEnv): EventBridgeWakeUpScheduler {
  return new EventBridgeWakeUpScheduler(
    new SchedulerClient(clientOptions(AWS_CLIENT_POLICY.scheduler)),
    {
      groupName: env.CR_SCHEDULE_GROUP,
      waiterArn: env.CR_WAITER_ARN,
      roleArn: env.CR_SCHEDULER_ROLE_ARN,
      deadLetterArn: env.CR_SCHEDULER_DLQ_ARN,
      ...(env.CR_SENDER_ARN ? { senderArn: env.CR_SENDER_ARN } : {}),
    },
    systemClock,
  );
}

/** The waiter's hand-off: an asynchronous invoke of the sender. */
export function lambdaReminderQueue(env: { readonly CR_SENDER_ARN: string }): LambdaReminderQueue {
  return new LambdaReminderQueue(new LambdaClient(clientOptions(AWS_CLIENT_POLICY.lambda)), env.CR_SENDER_ARN);
}
