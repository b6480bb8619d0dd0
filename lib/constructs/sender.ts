import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BedrockModel } from '../../src/composition/aws/deploy-config';
import type { Email } from './email';
import type { Scheduling } from './scheduling';
import { functionDefaults, type ReadsOwnerDocsProps } from './function-props';
import {
  acknowledgeWildcardResource,
  FUNCTION_NAMES,
  functionArnForName,
  grantReadParameters,
  ServiceFunction,
} from './service-function';

export interface SenderProps extends ReadsOwnerDocsProps {
  readonly scheduling: Scheduling;
  readonly email: Email;
  /** The model or inference profile that polishes each reminder (CR_BEDROCK_MODEL_ID). */
  readonly bedrock: BedrockModel;
  /** From address at the verified sender domain (CR_FROM_ADDRESS). */
  readonly fromAddress: string;
  /** Reply-To address (CR_REPLY_TO): the owner's inbox, since the reminder invites a reply. */
  readonly replyTo: string;
  /** The owner's address, where every reminder goes while the rules doc's test mode is on (CR_OWNER_EMAIL). */
  readonly ownerEmail: string;
  /** SSM SecureString name of the HMAC key that signs unsubscribe tokens (CR_UNSUBSCRIBE_KEY_PARAM). */
  readonly unsubscribeKeyParam: string;
  /** Base URL of the unsubscribe endpoint, the unsubscribe Function URL (CR_UNSUBSCRIBE_BASE_URL). */
  readonly unsubscribeBaseUrl: string;
  /** Seconds one send takes, which paces the morning release with the account's limits (CR_SENDER_SECONDS_PER_SEND). */
  readonly secondsPerSend: number;
}

/**
 * Sends one reminder: re-checks the gates (opt-outs, do-not-disturb, cart state), composes the email from the
 * owner's stored rules and voice (the store's name and postal address come from the rules doc), asks Bedrock to
 * polish it, and sends through SES. In quiet hours it defers by scheduling itself, so it gets the scheduling grants,
 * the Scheduler role may invoke it, and CR_SENDER_ARN is its own ARN (built from its fixed name).
 *
 * 30 s timeout: a Bedrock call takes about 1–5 s and can be throttled and retried.
 */
export class Sender extends Construct {
  readonly service: ServiceFunction;

  constructor(scope: Construct, id: string, props: SenderProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('sender', props, {
        CR_FROM_ADDRESS: props.fromAddress,
        CR_REPLY_TO: props.replyTo,
        CR_OWNER_EMAIL: props.ownerEmail,
        CR_UNSUBSCRIBE_BASE_URL: props.unsubscribeBaseUrl,
        CR_UNSUBSCRIBE_KEY_PARAM: props.unsubscribeKeyParam,
        CR_BEDROCK_MODEL_ID: props.bedrock.modelId,
        CR_SENDER_ARN: functionArnForName(this, FUNCTION_NAMES.sender),
        CR_SENDER_SECONDS_PER_SEND: String(props.secondsPerSend),
      }),
      description: 'cart-recovery: composes, polishes and sends one reminder',
      timeout: Duration.seconds(30),
    });
    // Write: the sender records on the cart row when SES accepted a reminder (what "recovered" is measured from).
    props.tables.grant(this.service, 'carts', ['GetItem', 'UpdateItem']);
    // DeleteItem: a claim is released when SES refused the message, so a later attempt may send it.
    props.tables.grant(this.service, 'sends', ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
    props.tables.grant(this.service, 'optouts', ['Query']);
    props.scheduling.grantScheduling(this.service);
    props.scheduling.allowInvoke(this.service.function);
    props.email.grantSend(this.service);
    grantReadParameters(this.service, [props.unsubscribeKeyParam]);
    this.grantBedrock(props.bedrock);
  }

  /**
   * `bedrock:InvokeModel` (Converse uses it) on the inference profile and on the foundation model it routes to.
   * A cross-Region profile may route to any of its destination Regions, and AWS authorizes the foundation model in
   * the Region that serves the call, so the foundation-model ARN needs a Region wildcard; a condition ties it to
   * calls made through this one profile. A bare model ID gets the in-Region foundation model only.
   */
  private grantBedrock(model: BedrockModel): void {
    const stack = Stack.of(this);
    if (!model.profilePrefix) {
      this.service.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'InvokeModel',
          actions: ['bedrock:InvokeModel'],
          resources: [
            stack.formatArn({
              service: 'bedrock',
              account: '',
              resource: 'foundation-model',
              resourceName: model.modelId,
            }),
          ],
        }),
      );
      return;
    }
    const profileArn = stack.formatArn({
      service: 'bedrock',
      resource: 'inference-profile',
      resourceName: model.modelId,
    });
    this.service.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeInferenceProfile',
        actions: ['bedrock:InvokeModel'],
        resources: [profileArn],
      }),
    );
    const foundationModelArn = `arn:${Aws.PARTITION}:bedrock:*::foundation-model/${model.foundationModelId}`;
    this.service.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeProfileFoundationModel',
        actions: ['bedrock:InvokeModel'],
        resources: [foundationModelArn],
        conditions: { ArnLike: { 'bedrock:InferenceProfileArn': profileArn } },
      }),
    );
    acknowledgeWildcardResource(
      this.service,
      foundationModelArn,
      `The "${model.profilePrefix}." cross-Region inference profile routes each call to a Region of its choosing and ` +
        'IAM checks the foundation model in that Region; a Region wildcard on this one model ARN is the narrowest ' +
        'form AWS allows for cross-Region profiles, and the bedrock:InferenceProfileArn condition limits it to calls ' +
        'made through this profile.',
    );
  }
}
