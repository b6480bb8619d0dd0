import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { functionDefaults, type ReadsOwnerDocsProps } from './function-props';
import { grantReadParameters, ServiceFunction } from './service-function';

export interface UnsubscribeProps extends ReadsOwnerDocsProps {
  /**
   * Reserved concurrency for this public URL (the deploy key `publicUrlConcurrency`): caps what a flood can run at
   * once and keeps the rest of the account's concurrency for the waiter and the sender; requests beyond it get 429.
   * @default - no reservation (deploys on an account whose concurrency quota is 10)
   */
  readonly reservedConcurrency?: number;
  /** SSM SecureString name of the HMAC key that signs unsubscribe tokens (CR_UNSUBSCRIBE_KEY_PARAM). */
  readonly unsubscribeKeyParam: string;
}

/**
 * The unsubscribe endpoint behind every email's link and `List-Unsubscribe` header (RFC 8058 one-click POST): a
 * public Function URL (auth NONE; the handler verifies the HMAC-signed token) that writes the opt-out, marks the
 * cart, and logs the decision.
 */
export class Unsubscribe extends Construct {
  readonly service: ServiceFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: UnsubscribeProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('unsubscribe', props, {
        CR_UNSUBSCRIBE_KEY_PARAM: props.unsubscribeKeyParam,
      }),
      description: 'cart-recovery: one-click unsubscribe',
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
    });
    props.tables.grant(this.service, 'carts', ['GetItem', 'QueryIndex', 'UpdateItem']);
    props.tables.grant(this.service, 'optouts', ['PutItem']);
    // Writes the activity log; reads the store name from the owner's rules the loader stored.
    props.tables.grant(this.service, 'sends', ['GetItem', 'PutItem', 'UpdateItem']);
    grantReadParameters(this.service, [props.unsubscribeKeyParam]);
    this.url = this.service.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
  }
}
