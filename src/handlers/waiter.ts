/** Lambda entry of the waiter, invoked by EventBridge Scheduler one-off schedules with `{cartId, seq}`. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { DynamoDbOptOutStore } from '../adapters/aws/dynamodb-opt-outs';
import { LambdaReminderQueue } from '../adapters/aws/lambda-reminder-queue';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, eventBridgeScheduler } from '../adapters/aws/runtime';
import { readConfig, waiterEnvSchema } from '../config';
import { systemClock } from '../ports/clock';
import { createWaiterHandler } from './waiter-handler';

const config = readConfig(waiterEnvSchema);
const documents = documentClient();

export const handler = createWaiterHandler({
  carts: new DynamoDbCartStore(documents, config.CR_CARTS_TABLE),
  optOuts: new DynamoDbOptOutStore(documents, config.CR_OPTOUTS_TABLE),
  activity: new DynamoDbActivityLog(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
  scheduler: eventBridgeScheduler(config, systemClock),
  reminders: new LambdaReminderQueue(new LambdaClient({}), config.CR_SENDER_ARN),
  rules: storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, config.CR_DOCS_CACHE_SECONDS),
  clock: systemClock,
  log: powertoolsLog('cart-recovery-waiter'),
});
