/**
 * EventBridge Scheduler (wake-ups, deferrals) and the waiter's hand-off to the sender, for the functions that use them.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeWakeUpScheduler } from '../../adapters/aws/eventbridge-scheduler';
import { LambdaReminderQueue } from '../../adapters/aws/lambda-reminder-queue';
import { systemClock } from '../../ports/clock';
import type { SchedulingEnv } from './environment';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

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
export function lambdaReminderQueue(env: Required<Pick<SchedulingEnv, 'CR_SENDER_ARN'>>): LambdaReminderQueue {
  return new LambdaReminderQueue(new LambdaClient(clientOptions(AWS_CLIENT_POLICY.lambda)), env.CR_SENDER_ARN);
}
