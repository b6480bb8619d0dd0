import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Scheduling } from './scheduling';
import { functionDefaults, type ReadsOwnerDocsProps } from './function-props';
import { FUNCTION_NAMES, ServiceFunction } from './service-function';

export interface WaiterProps extends ReadsOwnerDocsProps {
  readonly scheduling: Scheduling;
}

/**
 * Woken by EventBridge Scheduler for one cart: decides the next move (wait more, hand a reminder to the sender,
 * give up) and schedules its next wake-up. Its name is fixed ({@link FUNCTION_NAMES}) so that its own wake-ups can
 * name it as their target.
 */
export class Waiter extends Construct {
  readonly service: ServiceFunction;

  constructor(scope: Construct, id: string, props: WaiterProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('waiter', props, {}),
      description: 'cart-recovery: wakes up per cart and decides the next move',
      // A wake-up takes about 100 ms, but one slow Scheduler create or sender hand-off may use its whole client budget
      // (3 attempts of up to 1 s + 5 s, src/composition/aws/policy.ts): 30 s lets that finish with the DynamoDB calls
      // around it rather than time out and have Lambda run the whole wake-up again. Billing counts only the time used.
      timeout: Duration.seconds(30),
    });
    props.tables.grant(this.service, 'carts', ['GetItem', 'UpdateItem']);
    // Writes the activity log; reads the owner's rules the loader stored.
    props.tables.grant(this.service, 'sends', ['GetItem', 'PutItem', 'UpdateItem']);
    props.tables.grant(this.service, 'optouts', ['Query']);
    // Creates the next wake-up; never cancels one (intake does, on a checkout).
    props.scheduling.grantScheduling(this.service, { cancels: false });
    props.scheduling.allowInvoke(this.service.function);
  }

  /** Lets the waiter invoke the sender (asynchronously, unqualified ARN only) and sets CR_SENDER_ARN. */
  handOffTo(sender: lambda.IFunction): void {
    this.service.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'HandOffToSender',
        actions: ['lambda:InvokeFunction'],
        resources: [sender.functionArn],
      }),
    );
    this.service.addEnvironment('CR_SENDER_ARN', sender.functionArn);
  }
}
