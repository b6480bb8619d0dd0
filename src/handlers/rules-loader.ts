/**
 * Lambda entry of the rules loader, run every few minutes by an EventBridge Scheduler schedule: reads the owner's
 * rules and voice Google Docs, keeps the last good ones in DynamoDB, tells the owner about problems, and lifts owner
 * stops that were removed.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { DynamoDbOwnerDocsStore } from '../adapters/aws/dynamodb-owner-docs-store';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, eventBridgeScheduler, secureParameter } from '../adapters/aws/runtime';
import { SesMailer } from '../adapters/aws/ses-mailer';
import { GoogleOwnerDrive, serviceAccountAuth } from '../adapters/google/google-drive';
import { readConfig, rulesLoaderEnvSchema } from '../config';
import { systemClock } from '../ports/clock';
import { loadOwnerDocs } from '../use-cases/load-owner-docs';

const config = readConfig(rulesLoaderEnvSchema);
const log = powertoolsLog('cart-recovery-rules-loader');
const documents = documentClient();
const mailer = new SesMailer(new SESv2Client({}), { configurationSetName: config.CR_SES_CONFIGURATION_SET });
let drive: Promise<GoogleOwnerDrive> | undefined;

export async function handler(): Promise<Record<string, string>> {
  drive ??= secureParameter(config.CR_GOOGLE_KEY_PARAM).then((key) => new GoogleOwnerDrive({ auth: serviceAccountAuth(key) }));
  return loadOwnerDocs({
    drive: await drive,
    store: new DynamoDbOwnerDocsStore(documents, config.CR_SENDS_TABLE),
    carts: new DynamoDbCartStore(documents, config.CR_CARTS_TABLE),
    scheduler: eventBridgeScheduler(config, systemClock),
    activity: new DynamoDbActivityLog(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
    mailer,
    clock: systemClock,
    log,
    docs: { rules: config.CR_RULES_DOC_ID, voice: config.CR_VOICE_DOC_ID },
    owner: { email: config.CR_OWNER_EMAIL, from: config.CR_FROM_ADDRESS },
  });
}
