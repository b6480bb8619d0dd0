/**
 * `npm run carts -- --aws failures|replay`: the failed-invocations queue, read and replayed with the operator's own
 * AWS credentials. The clients are made here and destroyed by the caller through {@link AwsFailureQueue.destroy}.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsFailureQueue } from '../../adapters/aws/sqs-failure-queue';
import type { FailureQueue } from '../../ports/failure-queue';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

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
