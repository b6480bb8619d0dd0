/**
 * The failure queue in AWS (the failed-invocations SQS queue) through aws-sdk-client-mock: list in plain words, replay.
 */
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsFailureQueue } from '../../src/adapters/aws/sqs-failure-queue';
import { ReplayRefusedError } from '../../src/ports/failure-queue';
import { runCartsCommand } from '../../src/use-cases/operator-carts';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/CartRecovery-FailedInvocationsQueue1A2B3C4D-abc';
const FN = 'arn:aws:lambda:us-east-1:123456789012:function';
const adapter = () =>
  new SqsFailureQueue(new SQSClient({ region: 'us-east-1' }), new LambdaClient({ region: 'us-east-1' }), {
    queueUrl: QUEUE_URL,
  });

/** A sender invocation that failed after Lambda's two retries (the on-failure destination's record). */
const lambdaRecord: Message = {
  MessageId: 'm-lambda',
  ReceiptHandle: 'rh-lambda',
  Body: JSON.stringify({
    version: '1.0',
    timestamp: '2026-11-03T14:00:05.000Z',
    requestContext: {
      requestId: 'r1',
      functionArn: `${FN}:cart-recovery-sender:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: { cartId: 'shopify-8f2k1', step: 'first' },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: 'ProvisionedThroughputExceededException',
      errorMessage: 'Rate of requests exceeds the allowed throughput',
    },
  }),
};

/** A wake-up Scheduler could not hand to the waiter: the body is the input, the attributes say why. */
const schedulerDeadLetter: Message = {
  MessageId: 'm-scheduler',
  ReceiptHandle: 'rh-scheduler',
  Body: '{"cartId":"c_77","seq":2}',
  MessageAttributes: {
    ERROR_CODE: { DataType: 'String', StringValue: 'AccessDeniedException' },
    ERROR_MESSAGE: { DataType: 'String', StringValue: 'not authorized to perform lambda:InvokeFunction' },
    SCHEDULE_ARN: {
      DataType: 'String',
      StringValue: 'arn:aws:scheduler:us-east-1:123456789012:schedule/cart-recovery/wake-c_77-2',
    },
    SCHEDULED_TIME: { DataType: 'String', StringValue: '2026-11-03T15:00:00Z' },
    TARGET_ARN: { DataType: 'String', StringValue: `${FN}:cart-recovery-waiter` },
  },
};

/** A cart-counter batch the stream mapping gave up on: a position, not records. */
const streamRecord: Message = {
  MessageId: 'm-stream',
  ReceiptHandle: 'rh-stream',
  Body: JSON.stringify({
    requestContext: {
      requestId: 'r2',
      functionArn: `${FN}:cart-recovery-cart-counter`,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 11,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-03T16:00:00.000Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-00000001',
      startSequenceNumber: '100',
      endSequenceNumber: '180',
      approximateArrivalOfFirstRecord: '2026-11-03T15:40:00Z',
      approximateArrivalOfLastRecord: '2026-11-03T15:41:00Z',
      batchSize: 7,
      streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/cr-carts/stream/2026-11-01T00:00:00.000',
    },
  }),
};

/** Three messages in two receives, then an empty answer: the queue is read until it is empty. */
function queueHoldsAll(): void {
  sqs
    .on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: [lambdaRecord, schedulerDeadLetter] })
    .resolvesOnce({ Messages: [streamRecord] })
    .resolves({ Messages: [] });
}

beforeEach(() => {
  sqs.reset();
  lambda.reset();
  queueHoldsAll();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

describe('the failure queue in AWS (SqsFailureQueue)', () => {
  it('lists one message of each shape in plain words, and makes them visible again', async () => {
    const failures = await adapter().list();
    expect(failures).toEqual([
      {
        id: 'm-lambda',
        target: 'sender',
        payload: { cartId: 'shopify-8f2k1', step: 'first' },
        attempts: 3,
        at: '2026-11-03T14:00:05.000Z',
        error: 'Rate of requests exceeds the allowed throughput',
      },
      {
        id: 'm-scheduler',
        target: 'waiter',
        payload: { cartId: 'c_77', seq: 2 },
        attempts: 1,
        at: '2026-11-03T15:00:00Z',
        error:
          'Scheduler could not invoke it (schedule wake-c_77-2): ' +
          'AccessDeniedException: not authorized to perform lambda:InvokeFunction',
      },
      {
        id: 'm-stream',
        target: 'cart-counter',
        attempts: 11,
        at: '2026-11-03T15:40:00Z',
        error: 'a stream batch of 7 records, gave up after its retries',
        payload: {
          shardId: 'shardId-00000001',
          startSequenceNumber: '100',
          endSequenceNumber: '180',
          batchSize: 7,
          streamArn: expect.stringContaining('cr-carts/stream'),
        },
      },
    ]);
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE_URL,
      VisibilityTimeout: 30,
      MessageAttributeNames: ['All'],
    });
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 3);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      Entries: [
        { Id: '0', ReceiptHandle: 'rh-lambda', VisibilityTimeout: 0 },
        { Id: '1', ReceiptHandle: 'rh-scheduler', VisibilityTimeout: 0 },
        { Id: '2', ReceiptHandle: 'rh-stream', VisibilityTimeout: 0 },
      ],
    });

    sqs.reset();
    queueHoldsAll();
    const text = await runCartsCommand(['failures'], {
      carts: { get: async () => undefined },
      activity: { history: async () => [] },
      failures: adapter(),
      zone: async () => 'UTC',
    });
    expect(text).toContain('m-lambda: the sender failed 3 times on the first reminder of cart shopify-8f2k1');
    expect(text).toContain('m-scheduler: the waiter failed once on wake-up #2 of cart c_77');
    expect(text).toContain(
      'm-stream: the cart counter failed 11 times on a batch of 7 cart-table changes ' +
        '(stream shard shardId-00000001, from 100 to 180',
    );
  });

  it(
    'replays an invocation record: ' +
      'invokes the function asynchronously with the original payload, then deletes the message',
    async () => {
      const order: string[] = [];
      lambda.on(InvokeCommand).callsFake(() => {
        order.push('invoke');
        return { StatusCode: 202 };
      });
      sqs.on(DeleteMessageCommand).callsFake(() => {
        order.push('delete');
        return {};
      });
      expect(await adapter().replay('m-lambda')).toBe(true);
      expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
      const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
      expect(invoke.FunctionName).toBe(`${FN}:cart-recovery-sender`);
      expect(invoke.InvocationType).toBe('Event');
      expect(JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array))).toEqual({
        cartId: 'shopify-8f2k1',
        step: 'first',
      });
      expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-lambda' });
      expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 1);
      expect(order).toEqual(['invoke', 'delete']);
    },
  );

  it('replays a Scheduler dead letter with its body, to the target function', async () => {
    expect(await adapter().replay('m-scheduler')).toBe(true);
    const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(invoke.FunctionName).toBe(`${FN}:cart-recovery-waiter`);
    expect(new TextDecoder().decode(invoke.Payload as Uint8Array)).toBe('{"cartId":"c_77","seq":2}');
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'rh-scheduler' });
  });

  it(
    'lists and replays an SES event EventBridge could not ' + 'deliver (the rule dead letter) with its whole body',
    async () => {
      const sesEvent =
        '{"source":"aws.ses","detail-type":"Email Bounced",' +
        '"time":"2026-11-03T17:00:00Z","detail":{"eventType":"Bounce"}}';
      sqs.reset();
      sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({
          Messages: [
            {
              MessageId: 'm-ses',
              ReceiptHandle: 'rh-ses',
              Body: sesEvent,
              MessageAttributes: {
                RULE_ARN: {
                  DataType: 'String',
                  StringValue: 'arn:aws:events:us-east-1:123456789012:rule/ses-feedback',
                },
                TARGET_ARN: { DataType: 'String', StringValue: `${FN}:cart-recovery-ses-events` },
                ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
                ERROR_MESSAGE: { DataType: 'String', StringValue: 'Unable to invoke Lambda function' },
              },
            },
          ],
        })
        .resolves({ Messages: [] });
      const queue = adapter();
      expect(await queue.list()).toEqual([
        expect.objectContaining({
          id: 'm-ses',
          target: 'ses-events',
          at: '2026-11-03T17:00:00Z',
          error: 'EventBridge could not deliver it: SDK_CLIENT_ERROR: Unable to invoke Lambda function',
        }),
      ]);
      expect(await queue.replay('m-ses')).toBe(true);
      const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
      expect(invoke.FunctionName).toBe(`${FN}:cart-recovery-ses-events`);
      expect(new TextDecoder().decode(invoke.Payload as Uint8Array)).toBe(sesEvent);
      expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'rh-ses' });
    },
  );

  it('does not delete the message when the invoke fails', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ $metadata: {}, message: 'Rate exceeded' }));
    await expect(adapter().replay('m-lambda')).rejects.toThrow('Rate exceeded');
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('answers false for an id that is not in the queue, invoking and deleting nothing', async () => {
    expect(await adapter().replay('m-gone')).toBe(false);
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('refuses to replay a cart-stream position, pointing to the manual path, and keeps it queued', async () => {
    const queue = adapter();
    await expect(queue.replay('m-stream')).rejects.toThrow(ReplayRefusedError);
    await expect(queue.replay('m-stream')).rejects.toThrow(
      /cannot be replayed from the queue.*docs\/operations\.md, "Failed invocations"/,
    );
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('replay all runs the other two and names the stream position it left in the queue', async () => {
    const text = await runCartsCommand(['replay', 'all'], {
      carts: { get: async () => undefined },
      activity: { history: async () => [] },
      failures: adapter(),
      zone: async () => 'UTC',
    });
    expect(text).toContain('Replayed 2: m-lambda, m-scheduler.');
    expect(text).toContain(
      'Not replayed (still in the queue):\n  m-stream: a cart-stream position cannot be replayed from the queue',
    );
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 2);
    // One listing served every replay: the queue was not read again per id.
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 3);
  });
});
