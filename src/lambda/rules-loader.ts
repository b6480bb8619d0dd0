/**
 * Lambda entry of the rules loader, run every few minutes by an EventBridge Scheduler schedule: reads the owner's
 * rules and voice Google Docs, keeps the last good ones, tells the owner about problems, lifts removed stops.
 */
import { sesMailer } from '../composition/aws/email';
import { googleOwnerDrive } from '../composition/aws/google';
import { awsEntry } from '../composition/aws/root';
import { secret } from '../composition/aws/secrets';
import { rulesLoaderFunction } from '../composition/functions';
import { eventBridgeScheduler } from '../composition/aws/scheduling';
import { rulesLoaderEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry(
  'rules-loader',
  rulesLoaderEnvSchema,
  { scheduler: eventBridgeScheduler, mailer: sesMailer },
  ({ config, platform }) =>
    rulesLoaderFunction(platform, async () => googleOwnerDrive(await secret(config.CR_GOOGLE_KEY_PARAM)), {
      rules: config.CR_RULES_DOC_ID,
      voice: config.CR_VOICE_DOC_ID,
    }),
);
