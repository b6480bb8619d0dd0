import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';

/** The partial-failure answer Lambda understands, or nothing (every record handled). */
// biome-ignore lint/suspicious/noConfusingVoidType: as aws-lambda's handler types say it, a handler may return nothing
type StreamBatchAnswer = { batchItemFailures?: Array<{ itemIdentifier: string }> } | void;
/** A Lambda-shaped batch of stream records, and its answer. */
export type StreamBatchTarget = (event: { Records: unknown[] }) => Promise<StreamBatchAnswer>;

export interface LocalStreamReaderOptions {
  /** Records per invocation (the mapping's BatchSize). */
  readonly batchSize: number;
  /** How long records wait to be batched, in test-clock time (the mapping's MaximumBatchingWindowInSeconds). */
  readonly windowMs: number;
  /** Which records the function is invoked for (the mapping's filter criteria); the others are passed over. */
  readonly accepts: (record: LambdaStreamRecord) => boolean;
  /** Invocations of one failing record before it is given up on (the mapping's retry limit). */
  readonly maxAttempts: number;
  /** File that keeps how far each shard was delivered, so a restart neither loses nor repeats records. */
  readonly checkpointFile?: string;
}

/** A stream record as Lambda delivers it to a function. */
export interface LambdaStreamRecord {
  readonly eventID: string;
  readonly eventName: string;
  readonly eventSource: 'aws:dynamodb';
  readonly eventSourceARN: string;
  readonly dynamodb: {
    readonly SequenceNumber: string;
    readonly Keys?: unknown;
    readonly OldImage?: unknown;
    readonly NewImage?: unknown;
    readonly StreamViewType?: string;
  };
}

interface Checkpoints {
  /** Sequence number of the last record delivered (or passed over), by shard. */
  delivered: Record<string, string>;
  /** Closed shards read to their end. */
  finished: string[];
}

/**
 * The local stand-in for a Lambda event source mapping on a DynamoDB stream: reads DynamoDB Local's real stream of a
 * table and invokes a function with Lambda-shaped batches, in shard order. Like the mapping it filters, batches
 * within a window (of test-clock time), resumes after the last record delivered, retries a batch that failed from its
 * first failed record, and gives up on a record after `maxAttempts` (logged as an error: the local stand-in for the
 * on-failure queue).
 */
export class LocalStreamReader {
  private target: StreamBatchTarget | undefined;
  private readonly checkpoints: Checkpoints;
  private pendingSince: number | undefined;
  private readonly attempts = new Map<string, number>();
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private streamArn: string | undefined;

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly options: LocalStreamReaderOptions,
  ) {
    this.checkpoints =
      options.checkpointFile && existsSync(options.checkpointFile)
        ? (JSON.parse(readFileSync(options.checkpointFile, 'utf8')) as Checkpoints)
        : { delivered: {}, finished: [] };
  }

  /** Connects the function the records go to; until then nothing is read. */
  register(target: StreamBatchTarget): void {
    this.target = target;
  }

  /**
   * Reads what the stream holds past the last delivery and invokes the function once the oldest waiting record has
   * waited a window of test-clock time (or at once with `force`). Returns the records delivered. Concurrent calls
   * share one run.
   */
  pump(options: { force?: boolean } = {}): Promise<number> {
    this.running ??= this.deliver(options.force ?? false).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Polls until stopped (the interactive system; tests and `npm run cost` pump as the clock moves). */
  start(intervalMs = 1_000): void {
    this.timer ??= setInterval(() => {
      this.pump().catch((error: unknown) =>
        this.log.error('local stream reader failed', { table: this.tableName, error: String(error) }),
      );
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async deliver(force: boolean): Promise<number> {
    if (!this.target) return 0;
    const shards = await this.readWaiting();
    const waiting = shards.reduce((sum, shard) => sum + shard.records.length, 0);
    if (waiting === 0) {
      this.pendingSince = undefined;
      return 0;
    }
    const now = this.clock.now().getTime();
    this.pendingSince ??= now;
    const due = force || now - this.pendingSince >= this.options.windowMs || waiting >= this.options.batchSize;
    if (!due) return 0;
    let delivered = 0;
    for (const { shardId, records } of shards) delivered += await this.deliverShard(shardId, records);
    this.pendingSince = undefined;
    return delivered;
  }

  /**
   * Walks a shard's waiting records in order: accepted ones go out in batches, the others are passed over. Each batch
   * settles every record up to the next accepted one, so the checkpoint never skips a record not yet delivered.
   */
  private async deliverShard(shardId: string, records: readonly LambdaStreamRecord[]): Promise<number> {
    let delivered = 0;
    let settled = 0;
    while (settled < records.length) {
      const batch: LambdaStreamRecord[] = [];
      let end = settled;
      for (; end < records.length; end++) {
        const record = records[end] as LambdaStreamRecord;
        if (!this.options.accepts(record)) continue;
        if (batch.length === this.options.batchSize) break;
        batch.push(record);
      }
      if (batch.length > 0) {
        const failedAt = await this.invoke(batch);
        if (failedAt !== undefined) return delivered + this.failed(shardId, records, batch, failedAt);
        delivered += batch.length;
      }
      this.checkpoint(shardId, (records[end - 1] as LambdaStreamRecord).dynamodb.SequenceNumber);
      settled = end;
    }
    return delivered;
  }

  /**
   * A batch failed from `failedAt` on: the records before it are settled, it is tried again next time, and after
   * `maxAttempts` it is logged and passed over. Returns how many of the batch were delivered.
   */
  private failed(
    shardId: string,
    records: readonly LambdaStreamRecord[],
    batch: readonly LambdaStreamRecord[],
    failedAt: string,
  ): number {
    const inBatch = Math.max(
      0,
      batch.findIndex((record) => record.dynamodb.SequenceNumber === failedAt),
    );
    const failed = batch[inBatch] as LambdaStreamRecord;
    const index = records.indexOf(failed);
    if (index > 0) this.checkpoint(shardId, (records[index - 1] as LambdaStreamRecord).dynamodb.SequenceNumber);
    const sequenceNumber = failed.dynamodb.SequenceNumber;
    const attempts = (this.attempts.get(sequenceNumber) ?? 0) + 1;
    this.attempts.set(sequenceNumber, attempts);
    if (attempts >= this.options.maxAttempts) {
      this.log.error('stream record given up after retries', {
        table: this.tableName,
        shardId,
        sequenceNumber,
        attempts,
      });
      this.attempts.delete(sequenceNumber);
      this.checkpoint(shardId, sequenceNumber);
    }
    return inBatch;
  }

  /** Invokes the function with one batch; the sequence number to resume from when part of it failed. */
  private async invoke(batch: LambdaStreamRecord[]): Promise<string | undefined> {
    const first = batch[0]?.dynamodb.SequenceNumber;
    if (!this.target || first === undefined) return undefined;
    try {
      const response = await this.target({ Records: batch });
      return response?.batchItemFailures?.[0]?.itemIdentifier;
    } catch (error) {
      this.log.error('stream batch failed', { table: this.tableName, records: batch.length, error: String(error) });
      return first;
    }
  }

  private checkpoint(shardId: string, sequenceNumber: string): void {
    this.checkpoints.delivered[shardId] = sequenceNumber;
    if (this.options.checkpointFile) writeFileSync(this.options.checkpointFile, JSON.stringify(this.checkpoints));
  }

  /** The records past the checkpoint of every shard, parents before children. */
  private async readWaiting(): Promise<Array<{ shardId: string; records: LambdaStreamRecord[] }>> {
    const streamArn = await this.arn();
    if (!streamArn) return [];
    const waiting: Array<{ shardId: string; records: LambdaStreamRecord[] }> = [];
    for (const shard of await this.shards(streamArn)) {
      const shardId = shard.ShardId;
      if (!shardId || this.checkpoints.finished.includes(shardId)) continue;
      const records: LambdaStreamRecord[] = [];
      let iterator = await this.iterator(streamArn, shardId);
      while (iterator) {
        const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const read = (page.Records ?? []).map((record) => lambdaShaped(record, streamArn));
        records.push(...read);
        iterator = page.NextShardIterator;
        if (read.length === 0) break;
      }
      if (records.length > 0) waiting.push({ shardId, records });
      // A closed shard with nothing left to deliver is done for good.
      else if (shard.SequenceNumberRange?.EndingSequenceNumber) {
        this.checkpoints.finished.push(shardId);
        if (this.options.checkpointFile) writeFileSync(this.options.checkpointFile, JSON.stringify(this.checkpoints));
      }
    }
    return waiting;
  }

  /**
   * Where to read a shard from: after its checkpoint, or from its oldest record. A stream keeps records 24 hours, so a
   * local system stopped for longer finds its checkpoint gone: it says so and reads what is left.
   */
  private async iterator(streamArn: string, shardId: string): Promise<string | undefined> {
    const after = this.checkpoints.delivered[shardId];
    const from = (
      position:
        | { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER'; SequenceNumber: string }
        | { ShardIteratorType: 'TRIM_HORIZON' },
    ) => this.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...position }));
    if (!after) return (await from({ ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
    try {
      return (await from({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after })).ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      this.log.warn('stream records after the checkpoint are gone (streams keep 24 h); reading from the oldest left', {
        table: this.tableName,
        shardId,
        checkpoint: after,
      });
      return (await from({ ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
    }
  }

  private async arn(): Promise<string | undefined> {
    if (!this.streamArn) {
      const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
      this.streamArn = Table?.LatestStreamArn;
    }
    return this.streamArn;
  }

  private async shards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let startAfter: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(startAfter ? { ExclusiveStartShardId: startAfter } : {}),
        }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      startAfter = StreamDescription?.LastEvaluatedShardId;
    } while (startAfter);
    const start = (shard: Shard) => BigInt(shard.SequenceNumberRange?.StartingSequenceNumber ?? '0');
    return shards.sort((a, b) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : 0));
  }
}

function lambdaShaped(record: StreamRecord, streamArn: string): LambdaStreamRecord {
  return {
    eventID: record.eventID ?? '',
    eventName: record.eventName ?? '',
    eventSource: 'aws:dynamodb',
    eventSourceARN: streamArn,
    dynamodb: {
      SequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      Keys: record.dynamodb?.Keys,
      ...(record.dynamodb?.OldImage ? { OldImage: record.dynamodb.OldImage } : {}),
      ...(record.dynamodb?.NewImage ? { NewImage: record.dynamodb.NewImage } : {}),
      ...(record.dynamodb?.StreamViewType ? { StreamViewType: record.dynamodb.StreamViewType } : {}),
    },
  };
}
