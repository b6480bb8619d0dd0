/** Stripe's lane of the deployed intake: its two SecureStrings, read on the first Stripe delivery. */
import { StripeCheckoutClient } from '../../adapters/stripe/stripe-checkout-client';
import type { StripeLane } from '../functions';
import { AWS_CLIENT_POLICY } from './policy';
import { secret } from './secrets';

/**
 * The lane from the names of its parameters: the endpoint's signing secret (`whsec_...`) and the restricted key
 * (`rk_...`, Checkout Sessions and Payment Links read). Both are read when the first Stripe event arrives.
 */
export function stripeLane(params: { readonly secret: string; readonly key: string }): StripeLane {
  return {
    name: `SSM SecureStrings ${params.secret} (signing secret) and ${params.key} (restricted key)`,
    read: async () => ({
      secret: await secret(params.secret),
      api: new StripeCheckoutClient(await secret(params.key), AWS_CLIENT_POLICY.stripe),
    }),
  };
}
