/** Lambda entry of the unsubscribe Function URL (`/u/<token>`): wiring only, see src/composition. */
import { awsEntry } from '../composition/aws/root';
import { secret } from '../composition/aws/secrets';
import { unsubscribeFunction } from '../composition/functions';
import { unsubscribeEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry(
  'unsubscribe',
  unsubscribeEnvSchema,
  {},
  async ({ config, platform }) => unsubscribeFunction(platform, await secret(config.CR_UNSUBSCRIBE_KEY_PARAM)),
  {
    unavailable: {
      statusCode: 503,
      headers: { 'content-type': 'text/plain' },
      body: 'Please try the link again in a minute.',
    },
  },
);
