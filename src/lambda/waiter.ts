/** Lambda entry of the waiter, woken by one-off EventBridge Scheduler schedules with `{cartId, seq}`: wiring only. */
import { awsEntry } from '../composition/aws/root';
import { waiterFunction } from '../composition/functions';
import { eventBridgeScheduler, lambdaReminderQueue } from '../composition/aws/scheduling';
import { waiterEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry(
  'waiter',
  waiterEnvSchema,
  { scheduler: eventBridgeScheduler, reminders: lambdaReminderQueue },
  ({ platform }) => waiterFunction(platform),
);
