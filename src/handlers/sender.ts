/**
 * Lambda entry of the sender, invoked asynchronously by the waiter and by quiet-hours deferral schedules with
 * `{cartId, step}`. The unsubscribe key is read from SSM (SecureString) on the first invocation and cached.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { BedrockPolisher, createBedrockClient } from '../adapters/aws/bedrock-polisher';
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { DynamoDbOptOutStore } from '../adapters/aws/dynamodb-opt-outs';
import { DynamoDbSendLedger } from '../adapters/aws/dynamodb-send-ledger';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, dynamoStats, eventBridgeScheduler, secureParameter } from '../adapters/aws/runtime';
import { SesMailer } from '../adapters/aws/ses-mailer';
import { readConfig, senderEnvSchema } from '../config';
import { systemClock } from '../ports/clock';
import { createSenderHandler } from './sender-handler';

const config = readConfig(senderEnvSchema);
const log = powertoolsLog('cart-recovery-sender');
const documents = documentClient();
const polisher = new BedrockPolisher(createBedrockClient(), { modelId: config.CR_BEDROCK_MODEL_ID });
const mailer = new SesMailer(new SESv2Client({}), { configurationSetName: config.CR_SES_CONFIGURATION_SET });
const scheduler = eventBridgeScheduler(config, systemClock);

let ready: Promise<ReturnType<typeof createSenderHandler>> | undefined;

async function build(): Promise<ReturnType<typeof createSenderHandler>> {
  const unsubscribeKey = await secureParameter(config.CR_UNSUBSCRIBE_KEY_PARAM);
  const ownerDocs = storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, config.CR_DOCS_CACHE_SECONDS);
  return createSenderHandler({
    carts: new DynamoDbCartStore(documents, config.CR_CARTS_TABLE),
    optOuts: new DynamoDbOptOutStore(documents, config.CR_OPTOUTS_TABLE),
    sends: new DynamoDbSendLedger(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
    deferrals: scheduler,
    polisher,
    mailer,
    activity: new DynamoDbActivityLog(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
    stats: dynamoStats(documents, config.CR_SENDS_TABLE, ownerDocs),
    rules: ownerDocs,
    voice: ownerDocs.voiceSource,
    clock: systemClock,
    log,
    email: {
      from: config.CR_FROM_ADDRESS,
      replyTo: config.CR_REPLY_TO,
      unsubscribeBaseUrl: config.CR_UNSUBSCRIBE_BASE_URL,
      unsubscribeKey,
    },
  });
}

export async function handler(payload: unknown): Promise<unknown> {
  ready ??= build().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return (await ready)(payload);
}
