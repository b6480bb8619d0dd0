/**
 * Lambda entry of the intake Function URL (`/webhooks/cart`, `/webhooks/shopify`, `/webhooks/stripe`): wiring only,
 * see src/composition.
 */
import { awsEntry } from '../composition/aws/root';
import { secret } from '../composition/aws/secrets';
import { intakeFunction } from '../composition/functions';
import { eventBridgeScheduler } from '../composition/aws/scheduling';
import { stripeLane } from '../composition/aws/stripe';
import { intakeEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry(
  'intake',
  intakeEnvSchema,
  { scheduler: eventBridgeScheduler },
  async ({ config, platform }) =>
    intakeFunction(platform, {
      cart: await secret(config.CR_WEBHOOK_SECRET_PARAM),
      // Read on the first Shopify delivery, not here: the parameter may not exist yet (docs/deploy.md, step 10).
      shopify: config.CR_SHOPIFY_SECRET_PARAM
        ? { name: config.CR_SHOPIFY_SECRET_PARAM, read: () => secret(config.CR_SHOPIFY_SECRET_PARAM ?? '') }
        : undefined,
      stripe:
        config.CR_STRIPE_SECRET_PARAM && config.CR_STRIPE_KEY_PARAM
          ? stripeLane({ secret: config.CR_STRIPE_SECRET_PARAM, key: config.CR_STRIPE_KEY_PARAM })
          : undefined,
    }),
  {
    unavailable: { statusCode: 503, headers: { 'content-type': 'application/json' }, body: '{"error":"unavailable"}' },
  },
);
