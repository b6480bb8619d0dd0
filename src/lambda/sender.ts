/**
 * Lambda entry of the sender, invoked asynchronously by the waiter and by quiet-hours deferral schedules with
 * `{cartId, step}`: wiring only. The unsubscribe key is read from SSM on the first invocation and cached.
 */
import { bedrockPolisher } from '../composition/aws/bedrock';
import { sesMailer } from '../composition/aws/email';
import { awsEntry } from '../composition/aws/root';
import { secret } from '../composition/aws/secrets';
import { senderFunction } from '../composition/functions';
import { eventBridgeScheduler } from '../composition/aws/scheduling';
import { senderEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry(
  'sender',
  senderEnvSchema,
  { scheduler: eventBridgeScheduler, mailer: sesMailer, polisher: bedrockPolisher },
  async ({ config, platform }) =>
    senderFunction(platform, {
      from: config.CR_FROM_ADDRESS,
      replyTo: config.CR_REPLY_TO,
      unsubscribeBaseUrl: config.CR_UNSUBSCRIBE_BASE_URL,
      unsubscribeKey: await secret(config.CR_UNSUBSCRIBE_KEY_PARAM),
    }),
);
