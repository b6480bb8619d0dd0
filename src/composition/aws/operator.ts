/**
 * The AWS half of the operator composition (`../operator.ts`): the deployed stack as the operator's commands reach
 * it with the operator's own AWS credentials and Region. DynamoDB and, for `npm run carts -- --aws failures|replay`,
 * the failed-invocations queue (SQS, and Lambda for replays), each client with its policy from `policy.ts`. The
 * deployment's settings (retention, the owner's address) are read from the deploy configuration the stack is built
 * from (`cdk.json`, `CART_RECOVERY_*`), which is what sets the functions' `CR_RETENTION_DAYS` and `CR_OWNER_EMAIL`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DeployConfig, environmentVariableFor, readCheckoutDeployConfig } from './deploy-config';
import { SqsFailureQueue } from '../../adapters/aws/sqs-failure-queue';
import { systemClock } from '../../ports/clock';
import type { FailureQueue } from '../../ports/failure-queue';
import type { Log } from '../../ports/log';
import { tableNames } from '../../resources/tables';
import type { OwnerContact } from '../../use-cases/mail-owner';
import type { Platform } from '../functions';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

export interface AwsOperatorConfig {
  readonly region?: string;
  /** Tables named by the command's flags; by default the deployed names (cr-carts, cr-sends, cr-optouts). */
  readonly tables?: { readonly carts?: string | undefined; readonly sends?: string | undefined };
  /** Where `cdk.json` is (default: the working folder) and the environment the `CART_RECOVERY_*` keys are read from. */
  readonly checkout?: { readonly dir?: string; readonly env?: Record<string, string | undefined> };
  readonly log: Log;
}

/** The deployed stack as a platform for the operator's commands, and the one DynamoDB client to destroy. */
export function awsOperatorPlatform(config: AwsOperatorConfig): { readonly platform: Platform; destroy(): void } {
  const dynamodb = new DynamoDBClient({
    ...(config.region ? { region: config.region } : {}),
    ...clientOptions(AWS_CLIENT_POLICY.dynamodb),
  });
  const deployed = tableNames();
  // Read on first use: a command that needs neither setting works whatever the checkout's configuration says.
  let deployConfig: DeployConfig | undefined;
  const deployment = () => (deployConfig ??= readCheckoutDeployConfig(config.checkout?.dir, config.checkout?.env));
  const platform: Platform = {
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    tables: {
      carts: config.tables?.carts ?? deployed.carts,
      sends: config.tables?.sends ?? deployed.sends,
      optouts: deployed.optouts,
    },
    get retentionDays() {
      return deployment().retentionDays;
    },
    // The operator reads what the functions last stored, never a cached copy.
    docsCacheSeconds: 0,
    clock: systemClock,
    log: config.log,
    get owner(): OwnerContact {
      return deployedOwner(deployment());
    },
  };
  return { platform, destroy: () => dynamodb.destroy() };
}

/** The owner's address as the deployed functions have it, refused while it is still the synth placeholder. */
function deployedOwner(config: DeployConfig): OwnerContact {
  for (const key of ['ownerEmail', 'fromAddress'] as const) {
    if (config.placeholders.includes(key)) {
      throw new Error(
        `${key} is still the placeholder "${config[key]}": set ${key} in cdk.json ` +
          `(or ${environmentVariableFor(key)}) to the deployed value`,
      );
    }
  }
  return { email: config.ownerEmail, from: config.fromAddress };
}

export interface AwsFailureQueueConfig {
  readonly region?: string;
  /** The queue's URL (`--queue-url` or CR_FAILED_INVOCATIONS_QUEUE_URL); absent: found by the stack's name. */
  readonly queueUrl?: string;
  /** The deployed stack's name, whose queue is `<stack>-FailedInvocationsQueue…`. */
  readonly stackName: string;
}

export interface AwsFailureQueue {
  readonly failures: FailureQueue;
  destroy(): void;
}

/** The failure queue of the deployed stack; throws, naming the flag, when the queue cannot be found. */
export async function awsFailureQueue(config: AwsFailureQueueConfig): Promise<AwsFailureQueue> {
  const region = config.region ? { region: config.region } : {};
  const sqs = new SQSClient({ ...region, ...clientOptions(AWS_CLIENT_POLICY.sqs) });
  const lambda = new LambdaClient({ ...region, ...clientOptions(AWS_CLIENT_POLICY.lambda) });
  const destroy = () => {
    sqs.destroy();
    lambda.destroy();
  };
  try {
    const queueUrl = config.queueUrl ?? (await findQueue(sqs, config.stackName));
    return { failures: new SqsFailureQueue(sqs, lambda, { queueUrl }), destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}

/** CloudFormation names the stack's queue `<stack>-FailedInvocationsQueue<hash>-<suffix>`. */
async function findQueue(sqs: SQSClient, stackName: string): Promise<string> {
  const prefix = `${stackName}-FailedInvocationsQueue`;
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
  const [only, ...others] = QueueUrls;
  if (only && others.length === 0) return only;
  throw new Error(
    `${QueueUrls.length === 0 ? 'no' : 'more than one'} SQS queue named ${prefix}… in this account and region: ` +
      'pass --queue-url with the stack output FailedInvocationsQueueUrl (or set CR_FAILED_INVOCATIONS_QUEUE_URL)',
  );
}
