import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { FailedWork } from '../../domain/operations/failed-work';
import { type FailureQueue, ReplayRefusedError } from '../../ports/failure-queue';

/** Where the manual replay of a cart-stream position is written down. */
export const STREAM_REPLAY_DOC = 'docs/operations.md, "Failed invocations", step 3 (a cart-stream position)';

/** The stack names every function `cart-recovery-<target>` (lib/constructs/service-function.ts, FUNCTION_NAMES). */
const FUNCTION_PREFIX = 'cart-recovery-';

export interface SqsFailureQueueOptions {
  /** The failed-invocations queue (stack output `FailedInvocationsQueueUrl`). */
  readonly queueUrl: string;
  /** At most this many messages are read per listing. @default 100 */
  readonly maxMessages?: number;
  /**
   * How long a receive hides a message from other readers; every listing makes its messages visible again when it is
   * done, so this only bounds how long a crashed listing hides them. @default 30
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive (1 s asks every SQS server, so a short queue is not missed). @default 1 */
  readonly waitTimeSeconds?: number;
}

/** One message of the queue, read: what it is, what replay would invoke with what, and how to delete it. */
interface Received {
  readonly work: FailedWork;
  readonly receiptHandle: string;
  /** The function to invoke and the exact event, or why replay cannot run it. */
  readonly replay: { readonly functionName: string; readonly payload: string } | { readonly refused: string };
}

/**
 * The failure queue in AWS: the failed-invocations SQS queue. Its messages come in four shapes (lib/constructs/
 * failed-invocations.ts), each listed in plain words:
 *
 * - a Lambda asynchronous-invocation record (waiter, sender, SES feedback, summary after Lambda's retries):
 *   replayed by invoking the function with `requestPayload`;
 * - a Scheduler dead letter (a wake-up, deferral or job tick Scheduler could not hand to Lambda) or an EventBridge
 *   rule dead letter (an SES event): the body is the target's input and the `TARGET_ARN` attribute the function;
 *   replayed by invoking that function with the body;
 * - a cart-counter stream-batch record (`DDBStreamBatchInfo`): a stream position, not the records, so it is listed
 *   but replay refuses and points to the manual path in docs/operations.md.
 *
 * Replay invokes asynchronously (as Lambda, Scheduler and EventBridge did), and deletes the message only after the
 * invoke was accepted: a failed invoke leaves the work in the queue.
 */
export class SqsFailureQueue implements FailureQueue {
  private readonly maxMessages: number;
  private readonly visibilityTimeout: number;
  private readonly waitTime: number;
  /** The last listing's messages by id, so `replay all` does not read the queue again for each. */
  private known = new Map<string, Received>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly lambda: LambdaClient,
    private readonly options: SqsFailureQueueOptions,
  ) {
    this.maxMessages = options.maxMessages ?? 100;
    this.visibilityTimeout = options.visibilityTimeoutSeconds ?? 30;
    this.waitTime = options.waitTimeSeconds ?? 1;
  }

  async list(): Promise<FailedWork[]> {
    return [...(await this.receiveAll()).values()].map((received) => received.work);
  }

  async replay(id: string): Promise<boolean> {
    const received = this.known.get(id) ?? (await this.receiveAll()).get(id);
    if (!received) return false;
    if ('refused' in received.replay) throw new ReplayRefusedError(received.replay.refused);
    const { StatusCode } = await this.lambda.send(
      new InvokeCommand({
        FunctionName: received.replay.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(received.replay.payload),
      }),
    );
    if (StatusCode !== undefined && StatusCode !== 202) {
      throw new Error(
        `Lambda did not accept the replay of ${id} (status ${StatusCode}); it stays in the failure queue`,
      );
    }
    await this.sqs.send(
      new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: received.receiptHandle }),
    );
    this.known.delete(id);
    return true;
  }

  /**
   * Reads the queue until it answers empty or {@link SqsFailureQueueOptions.maxMessages} were read, then makes them
   * visible again at once (best effort: otherwise they reappear after the visibility timeout).
   */
  private async receiveAll(): Promise<Map<string, Received>> {
    const found = new Map<string, Received>();
    while (found.size < this.maxMessages) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.maxMessages - found.size),
          VisibilityTimeout: this.visibilityTimeout,
          WaitTimeSeconds: this.waitTime,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) break;
      let fresh = 0;
      for (const message of Messages) {
        if (!message.MessageId || !message.ReceiptHandle) continue;
        if (!found.has(message.MessageId)) fresh += 1;
        found.set(message.MessageId, read(message, message.MessageId, message.ReceiptHandle));
      }
      if (fresh === 0) break; // only messages seen already: the queue has nothing else visible
    }
    await this.release([...found.values()]);
    this.known = found;
    return found;
  }

  private async release(received: readonly Received[]): Promise<void> {
    for (let start = 0; start < received.length; start += 10) {
      const entries = received
        .slice(start, start + 10)
        .map((r, index) => ({ Id: String(index), ReceiptHandle: r.receiptHandle, VisibilityTimeout: 0 }));
      try {
        await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
        );
      } catch {
        // They come back by themselves after the visibility timeout.
      }
    }
  }
}

/** One message as failed work, in whichever of the queue's shapes it came. */
function read(message: Message, id: string, receiptHandle: string): Received {
  const body = message.Body ?? '';
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const sentAt = message.Attributes?.SentTimestamp
    ? new Date(Number(message.Attributes.SentTimestamp)).toISOString()
    : new Date(0).toISOString();
  const json = parseObject(body);

  const targetArn = attribute('TARGET_ARN');
  if (targetArn) {
    // A Scheduler or EventBridge rule dead letter: the body is exactly what the target should have received.
    const code = attribute('ERROR_CODE');
    const reason = attribute('ERROR_MESSAGE');
    const by = attribute('SCHEDULE_ARN')
      ? `Scheduler could not invoke it (schedule ${lastPart(attribute('SCHEDULE_ARN'))})`
      : 'EventBridge could not deliver it';
    const retries = Number(attribute('RETRY_ATTEMPTS'));
    const error = [by, code, reason].filter(Boolean).join(': ');
    return {
      work: {
        id,
        target: targetOf(targetArn),
        payload: json ?? (body === '' ? {} : { body }),
        attempts: Number.isFinite(retries) && retries > 0 ? retries + 1 : 1,
        at: attribute('SCHEDULED_TIME') ?? (typeof json?.time === 'string' ? json.time : sentAt),
        error,
      },
      receiptHandle,
      replay: { functionName: unqualified(targetArn), payload: body === '' ? '{}' : body },
    };
  }

  const context = json && isObject(json.requestContext) ? json.requestContext : undefined;
  const functionArn = typeof context?.functionArn === 'string' ? context.functionArn : undefined;
  const attempts = typeof context?.approximateInvokeCount === 'number' ? context.approximateInvokeCount : 1;
  const condition = typeof context?.condition === 'string' ? conditionWords(context.condition) : undefined;
  const at = typeof json?.timestamp === 'string' ? json.timestamp : sentAt;

  if (json && isObject(json.DDBStreamBatchInfo)) {
    // A cart-counter batch that failed after the mapping's retries: the queue holds its position, not its records.
    const info = json.DDBStreamBatchInfo;
    const payload = pick(info, ['shardId', 'startSequenceNumber', 'endSequenceNumber', 'batchSize', 'streamArn']);
    return {
      work: {
        id,
        target: functionArn ? targetOf(functionArn) : 'cart-counter',
        payload,
        attempts,
        at: typeof info.approximateArrivalOfFirstRecord === 'string' ? info.approximateArrivalOfFirstRecord : at,
        error: [`a stream batch of ${String(info.batchSize ?? '?')} records`, condition].filter(Boolean).join(', '),
      },
      receiptHandle,
      replay: {
        refused:
          'a cart-stream position cannot be replayed from the queue ' +
          '(it holds the shard and sequence numbers, not the records): ' +
          `read the records from the stream within 24 hours and invoke the cart counter with them, ` +
          `as ${STREAM_REPLAY_DOC} shows`,
      },
    };
  }

  if (functionArn && json && 'requestPayload' in json) {
    // A Lambda asynchronous-invocation record: requestPayload is the original event.
    const response = isObject(json.responsePayload) ? json.responsePayload : undefined;
    const errorMessage = typeof response?.errorMessage === 'string' ? response.errorMessage : undefined;
    const payload = isObject(json.requestPayload) ? json.requestPayload : { event: json.requestPayload };
    return {
      work: {
        id,
        target: targetOf(functionArn),
        payload,
        attempts,
        at,
        ...((errorMessage ?? condition) ? { error: errorMessage ?? condition } : {}),
      },
      receiptHandle,
      replay: { functionName: unqualified(functionArn), payload: JSON.stringify(json.requestPayload ?? {}) },
    };
  }

  return {
    work: {
      id,
      target: 'unknown',
      payload: json ?? { body },
      attempts: 1,
      at: sentAt,
      error: 'a message of a shape this tool does not know',
    },
    receiptHandle,
    replay: {
      refused:
        'the message is none of the shapes the failure queue receives: read it with the aws sqs commands in ' +
        'docs/operations.md ("Failed invocations")',
    },
  };
}

/** `waiter` for `arn:aws:lambda:…:function:cart-recovery-waiter[:qualifier]` (or a bare function name). */
function targetOf(functionArnOrName: string): string {
  const name = functionName(functionArnOrName);
  return name.startsWith(FUNCTION_PREFIX) ? name.slice(FUNCTION_PREFIX.length) : name;
}

function functionName(functionArnOrName: string): string {
  const parts = functionArnOrName.split(':');
  return parts.length >= 7 ? (parts[6] ?? functionArnOrName) : functionArnOrName;
}

/** The function's ARN without a version or alias (`:$LATEST` in invocation records). */
function unqualified(functionArn: string): string {
  return functionArn.split(':').slice(0, 7).join(':');
}

function lastPart(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '';
}

function conditionWords(condition: string): string {
  switch (condition) {
    case 'RetriesExhausted':
    case 'RetryAttemptsExhausted':
      return 'gave up after its retries';
    case 'EventAgeExceeded':
    case 'RecordAgeExceeded':
      return 'gave up because the event got too old';
    default:
      return condition;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}
