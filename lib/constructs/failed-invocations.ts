import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceFunction } from './service-function';

/** Lambda's own retries of a failed asynchronous invocation before the event goes to the queue. */
export const ASYNC_RETRY_ATTEMPTS = 2;

export interface CaptureOptions {
  /**
   * Retries Lambda makes after the first failed attempt (0–2).
   * @default ASYNC_RETRY_ATTEMPTS
   */
  readonly retryAttempts?: number;
}

/**
 * Where asynchronous work that never completed ends up, so it is seen and can be replayed instead of vanishing:
 *
 * - invocations of the waiter, the sender and the SES feedback function that still failed after Lambda's own
 *   retries (an on-failure destination: each message is an invocation record whose `requestPayload` is the original
 *   event, e.g. `{cartId, step}`);
 * - cr-carts stream batches the cart counter still failed on after the mapping's retries (the event source
 *   mapping's on-failure destination: each message names the shard and the sequence-number range, not the records);
 * - SES bounce/complaint events EventBridge could not deliver to the feedback function (the rule target's
 *   dead-letter queue: each message is the original event).
 *
 * The stack also hands this queue to `Scheduling` as its dead-letter queue, for wake-ups and recurring jobs Scheduler
 * could not hand to Lambda at all: one queue for everything that got lost, watched by one alarm (the default alarm
 * set's only one). Each message's shape says where it came from.
 */
export class FailedInvocations extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination (Lambda on-failure destination and EventBridge rule-target ' +
        'DLQ); a dead-letter queue for it adds nothing. An alarm fires on its first message and 14 days of ' +
        'retention leave time to inspect and replay.',
    });
  }

  /**
   * Sends the function's failed asynchronous invocations here after Lambda's retries (an
   * `AWS::Lambda::EventInvokeConfig` with an SQS on-failure destination; the function's role may send to this queue
   * only).
   */
  capture(service: ServiceFunction, options: CaptureOptions = {}): void {
    service.function.configureAsyncInvoke({
      retryAttempts: options.retryAttempts ?? ASYNC_RETRY_ATTEMPTS,
      onFailure: this.destination(),
    });
  }

  /**
   * This queue as an on-failure destination (of an async invoke config, or of an event source mapping): the function's
   * role gets `sqs:SendMessage` on it and nothing more. Lambda sends the record with the function's role and needs
   * only that (the CDK's own SqsDestination and SqsDlq add GetQueueAttributes and GetQueueUrl, which it never calls).
   */
  destination(): lambda.IDestination & { bind(scope: Construct, fn: lambda.IFunction): { destination: string } } {
    const queue = this.queue;
    return {
      bind(_scope: Construct, fn: lambda.IFunction) {
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'SendFailedInvocations',
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
          }),
        );
        return { destination: queue.queueArn };
      },
    };
  }
}
