/** Lambda entry of the monthly summary: on the 1st (store time), emails the owner last month's numbers. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { storedOwnerDocs } from '../adapters/aws/owner-docs';
import { powertoolsLog } from '../adapters/aws/powertools-log';
import { documentClient, dynamoStats } from '../adapters/aws/runtime';
import { SesMailer } from '../adapters/aws/ses-mailer';
import { readConfig, summaryEnvSchema } from '../config';
import { systemClock } from '../ports/clock';
import { sendMonthlySummary } from '../use-cases/monthly-summary';

const config = readConfig(summaryEnvSchema);
const documents = documentClient();
const rules = storedOwnerDocs(documents, config.CR_SENDS_TABLE, systemClock, config.CR_DOCS_CACHE_SECONDS);

export async function handler(event: { month?: unknown } = {}): Promise<{ month: string; messageId: string }> {
  const month = typeof event.month === 'string' && /^\d{4}-\d{2}$/.test(event.month) ? event.month : undefined;
  const { messageId, month: sent } = await sendMonthlySummary(month ? { month } : {}, {
    stats: dynamoStats(documents, config.CR_SENDS_TABLE, rules),
    rules,
    mailer: new SesMailer(new SESv2Client({}), { configurationSetName: config.CR_SES_CONFIGURATION_SET }),
    clock: systemClock,
    log: powertoolsLog('cart-recovery-summary'),
    owner: { email: config.CR_OWNER_EMAIL, from: config.CR_FROM_ADDRESS },
  });
  return { month: sent, messageId };
}
