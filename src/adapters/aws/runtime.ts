import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RulesSource } from '../../domain/rules';
import type { Clock } from '../../ports/clock';
import { DynamoDbStats } from './dynamodb-stats';
import { EventBridgeWakeUpScheduler } from './eventbridge-scheduler';

/** The document client every function uses; create once per container. */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

/** Reads an SSM SecureString once per container (Powertools caches it for 15 minutes); empty is an error. */
export async function secureParameter(name: string): Promise<string> {
  const value = await getParameter(name, { decrypt: true, maxAge: 900 });
  if (!value) throw new Error(`SSM parameter ${name} is empty`);
  return value;
}

/** The Scheduler adapter from the four scheduling variables every scheduling function gets. */
export function eventBridgeScheduler(
  env: { CR_SCHEDULE_GROUP: string; CR_WAITER_ARN: string; CR_SCHEDULER_ROLE_ARN: string; CR_SCHEDULER_DLQ_ARN: string; CR_SENDER_ARN?: string },
  clock: Clock,
): EventBridgeWakeUpScheduler {
  return new EventBridgeWakeUpScheduler(
    new SchedulerClient({}),
    {
      groupName: env.CR_SCHEDULE_GROUP,
      waiterArn: env.CR_WAITER_ARN,
      roleArn: env.CR_SCHEDULER_ROLE_ARN,
      deadLetterArn: env.CR_SCHEDULER_DLQ_ARN,
      ...(env.CR_SENDER_ARN ? { senderArn: env.CR_SENDER_ARN } : {}),
    },
    clock,
  );
}

/** The monthly counters in cr-sends, in the store's time zone as the rules say. */
export function dynamoStats(documents: DynamoDBDocumentClient, sendsTable: string, rules: RulesSource): DynamoDbStats {
  return new DynamoDbStats(documents, sendsTable, async () => (await rules.current()).store.timeZone);
}
