/** Lambda entry of the cart counter: batches of the cr-carts change stream become the monthly cart counters. */
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, dynamoStats } from '../adapters/aws/runtime';
import { cartCounterEnvSchema, readConfig } from '../config';
import { systemClock } from '../ports/clock';
import { createCartCounterHandler } from './cart-counter-handler';

const config = readConfig(cartCounterEnvSchema);
const documents = documentClient();
// Carts count in the store's month: the time zone comes from the owner's stored rules.
const rules = storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, config.CR_DOCS_CACHE_SECONDS);

export const handler = createCartCounterHandler({
  stats: dynamoStats(documents, config.CR_SENDS_TABLE, rules),
  log: powertoolsLog('cart-recovery-cart-counter'),
});
