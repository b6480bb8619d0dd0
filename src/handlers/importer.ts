/** Lambda entry of the nightly export lane: imports the storefront's cart export sheet through the intake path. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { DynamoDbOwnerDocsStore } from '../adapters/aws/dynamodb-owner-docs-store';
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, dynamoStats, eventBridgeScheduler, secureParameter } from '../adapters/aws/runtime';
import { SesMailer } from '../adapters/aws/ses-mailer';
import { GoogleOwnerDrive, serviceAccountAuth } from '../adapters/google/google-drive';
import { importerEnvSchema, readConfig } from '../config';
import { systemClock } from '../ports/clock';
import { importExportRows, type ImportReport } from '../use-cases/import-export-rows';

const config = readConfig(importerEnvSchema);
const log = powertoolsLog('cart-recovery-importer');
const documents = documentClient();

const rules = storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, config.CR_DOCS_CACHE_SECONDS);

export async function handler(): Promise<ImportReport> {
  const drive = new GoogleOwnerDrive({ auth: serviceAccountAuth(await secureParameter(config.CR_GOOGLE_KEY_PARAM)) });
  const rows = await drive.readSheetRows(config.CR_EXPORT_SHEET_ID, config.CR_EXPORT_RANGE);
  return importExportRows(rows, {
    carts: new DynamoDbCartStore(documents, config.CR_CARTS_TABLE),
    activity: new DynamoDbActivityLog(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
    scheduler: eventBridgeScheduler(config, systemClock),
    rules,
    stats: dynamoStats(documents, config.CR_SENDS_TABLE, rules),
    clock: systemClock,
    log,
    retentionDays: config.CR_RETENTION_DAYS,
    mailer: new SesMailer(new SESv2Client({}), { configurationSetName: config.CR_SES_CONFIGURATION_SET }),
    notices: new DynamoDbOwnerDocsStore(documents, config.CR_SENDS_TABLE),
    owner: { email: config.CR_OWNER_EMAIL, from: config.CR_FROM_ADDRESS },
  });
}
