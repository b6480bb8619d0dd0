/** Lambda entry for SES feedback: bounce and complaint events from the configuration set, via EventBridge. */
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../adapters/aws/dynamodb-opt-outs';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { documentClient, dynamoStats } from '../adapters/aws/runtime';
import { readConfig, sesEventsEnvSchema } from '../config';
import { systemClock } from '../ports/clock';
import { createSesEventsHandler } from './ses-events-handler';

const config = readConfig(sesEventsEnvSchema);
const documents = documentClient();

export const handler = createSesEventsHandler({
  carts: new DynamoDbCartStore(documents, config.CR_CARTS_TABLE),
  optOuts: new DynamoDbOptOutStore(documents, config.CR_OPTOUTS_TABLE),
  activity: new DynamoDbActivityLog(documents, config.CR_SENDS_TABLE, config.CR_RETENTION_DAYS),
  // Opt-outs are counted in the store's month: the time zone comes from the owner's rules.
  stats: dynamoStats(documents, config.CR_SENDS_TABLE, storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, 3600)),
  clock: systemClock,
  log: powertoolsLog('cart-recovery-ses-events'),
});
