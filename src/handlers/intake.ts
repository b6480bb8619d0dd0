/**
 * Lambda entry of the intake Function URL. Clients are created once per container; secrets are read from SSM
 * Parameter Store (SecureString) on the first request and cached, so a cold start does not pay for them twice.
 */
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, dynamoStats, eventBridgeScheduler, secureParameter } from '../adapters/aws/runtime';
import type { FunctionUrlEvent, FunctionUrlHandler, FunctionUrlResult } from '../adapters/http/function-url';
import { ShopifyWebhook } from '../adapters/webhooks/shopify-webhook';
import { StandardCartWebhook } from '../adapters/webhooks/standard-webhook';
import { intakeEnvSchema, readConfig } from '../config';
import { systemClock } from '../ports/clock';
import { createIntakeHandler, type WebhookFormat } from './intake-handler';

const config = readConfig(intakeEnvSchema);
const log = powertoolsLog('cart-recovery-intake');
const documents = documentClient();
const scheduler = eventBridgeScheduler(config, systemClock);

const rules = storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, config.CR_DOCS_CACHE_SECONDS);
let ready: Promise<FunctionUrlHandler> | undefined;

async function build(): Promise<FunctionUrlHandler> {
  const formats: Record<string, WebhookFormat> = {
    '/webhooks/cart': new StandardCartWebhook(await secureParameter(config.CR_WEBHOOK_SECRET_PARAM)),
  };
  if (config.CR_SHOPIFY_SECRET_PARAM) formats['/webhooks/shopify'] = new ShopifyWebhook(await secureParameter(config.CR_SHOPIFY_SECRET_PARAM));
  return createIntakeHandler({
    carts: new DynamoDbCartStore(documents, config.CR_CARTS_TABLE),
    activity: new DynamoDbActivityLog(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
    scheduler,
    rules,
    stats: dynamoStats(documents, config.CR_SENDS_TABLE, rules),
    clock: systemClock,
    log,
    retentionDays: config.CR_RETENTION_DAYS,
    formats,
  });
}

export async function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
  ready ??= build().catch((error: unknown) => {
    ready = undefined; // try again on the next request rather than failing forever
    throw error;
  });
  try {
    return await (await ready)(event);
  } catch (error) {
    log.error('intake not ready', { error: error instanceof Error ? error.message : String(error) });
    return { statusCode: 503, headers: { 'content-type': 'application/json' }, body: '{"error":"unavailable"}' };
  }
}
