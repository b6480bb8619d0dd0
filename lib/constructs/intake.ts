import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Scheduling } from './scheduling';
import { functionDefaults, type ReadsOwnerDocsProps } from './function-props';
import { grantReadParameters, ServiceFunction } from './service-function';

export interface IntakeProps extends ReadsOwnerDocsProps {
  /**
   * Reserved concurrency for this public URL (the deploy key `publicUrlConcurrency`): caps what a flood can run at
   * once and keeps the rest of the account's concurrency for the waiter and the sender; requests beyond it get 429.
   * @default - no reservation (deploys on an account whose concurrency quota is 10)
   */
  readonly reservedConcurrency?: number;
  readonly scheduling: Scheduling;
  /** SSM SecureString name of the Standard Webhooks secret (`/webhooks/cart`). */
  readonly webhookSecretParam: string;
  /**
   * SSM SecureString name of the Shopify app secret; without it `/webhooks/shopify` answers 404.
   * @default - Shopify webhooks off
   */
  readonly shopifySecretParam?: string;
  /**
   * SSM SecureString names of the Stripe endpoint's signing secret and of the restricted key that reads Checkout
   * Sessions' line items and Payment Links; without them `/webhooks/stripe` answers 404.
   * @default - Stripe webhooks off
   */
  readonly stripe?: { readonly secretParam: string; readonly keyParam: string };
}

/**
 * The storefront webhook endpoint: a public Function URL (auth NONE; every delivery's signature is verified by the
 * handler against the secret in SSM) that records cart events in cr-carts, logs checkouts and stops in cr-sends,
 * and schedules the first wake-up.
 */
export class Intake extends Construct {
  readonly service: ServiceFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: IntakeProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('intake', props, {
        CR_WEBHOOK_SECRET_PARAM: props.webhookSecretParam,
        ...(props.shopifySecretParam ? { CR_SHOPIFY_SECRET_PARAM: props.shopifySecretParam } : {}),
        ...(props.stripe
          ? { CR_STRIPE_SECRET_PARAM: props.stripe.secretParam, CR_STRIPE_KEY_PARAM: props.stripe.keyParam }
          : {}),
      }),
      description: 'cart-recovery: storefront webhooks into cr-carts',
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
    });
    props.tables.grant(this.service, 'carts', ['GetItem', 'QueryIndex', 'UpdateItem']);
    // Writes the activity log (checked out, stopped); reads the owner's rules the loader stored. No UpdateItem: intake
    // bumps no counter (the cart counter counts from the stream).
    props.tables.grant(this.service, 'sends', ['GetItem', 'PutItem']);
    props.scheduling.grantScheduling(this.service);
    grantReadParameters(
      this.service,
      [props.webhookSecretParam, props.shopifySecretParam, props.stripe?.secretParam, props.stripe?.keyParam].filter(
        (name): name is string => Boolean(name),
      ),
    );
    this.url = this.service.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
  }
}
