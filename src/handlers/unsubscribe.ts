/** Lambda entry of the unsubscribe Function URL (`/u/<token>`). */
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { DynamoDbOptOutStore } from '../adapters/aws/dynamodb-opt-outs';
import type { FunctionUrlEvent, FunctionUrlHandler, FunctionUrlResult } from '../adapters/http/function-url';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, dynamoStats, secureParameter } from '../adapters/aws/runtime';
import { readConfig, unsubscribeEnvSchema } from '../config';
import { systemClock } from '../ports/clock';
import { createUnsubscribeHandler } from './unsubscribe-handler';

const config = readConfig(unsubscribeEnvSchema);
const log = powertoolsLog('cart-recovery-unsubscribe');
const documents = documentClient();

const rules = storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, config.CR_DOCS_CACHE_SECONDS);
let ready: Promise<FunctionUrlHandler> | undefined;

async function build(): Promise<FunctionUrlHandler> {
  const key = await secureParameter(config.CR_UNSUBSCRIBE_KEY_PARAM);
  return createUnsubscribeHandler({
    key,
    carts: new DynamoDbCartStore(documents, config.CR_CARTS_TABLE),
    optOuts: new DynamoDbOptOutStore(documents, config.CR_OPTOUTS_TABLE),
    activity: new DynamoDbActivityLog(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
    rules,
    stats: dynamoStats(documents, config.CR_SENDS_TABLE, rules),
    clock: systemClock,
    log,
  });
}

export async function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
  ready ??= build().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  try {
    return await (await ready)(event);
  } catch (error) {
    log.error('unsubscribe not ready', { error: error instanceof Error ? error.message : String(error) });
    return { statusCode: 503, headers: { 'content-type': 'text/plain' }, body: 'Please try the link again in a minute.' };
  }
}
