import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { LOCAL_AWS } from '../../src/local/dynamodb-local';
import { type LambdaStreamRecord, LocalStreamReader } from '../../src/local/local-stream-reader';

const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/cr-carts/stream/2026-11-22T00:00:00.000';

describe(
  'the local stream reader when the stream has moved on (mocked streams API: ' +
    'a fault DynamoDB Local cannot be made to show)',
  () => {
    it(
      'reads from the oldest record left when its ' + 'checkpoint is older than the stream keeps, and says so',
      async () => {
        const dynamo = new DynamoDBClient({ endpoint: 'http://127.0.0.1:1', ...LOCAL_AWS });
        const streams = new DynamoDBStreamsClient({ endpoint: 'http://127.0.0.1:1', ...LOCAL_AWS });
        mockClient(dynamo)
          .on(DescribeTableCommand)
          .resolves({ Table: { LatestStreamArn: STREAM } });
        const api = mockClient(streams);
        api.on(DescribeStreamCommand).resolves({
          StreamDescription: { Shards: [{ ShardId: 's1', SequenceNumberRange: { StartingSequenceNumber: '500' } }] },
        });
        api
          .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
          .rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }))
          .on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' })
          .resolves({ ShardIterator: 'from-oldest' });
        api
          .on(GetRecordsCommand, { ShardIterator: 'from-oldest' })
          .resolves({
            Records: [{ eventID: 'e600', eventName: 'INSERT', dynamodb: { SequenceNumber: '600' } }],
            NextShardIterator: 'next',
          })
          .on(GetRecordsCommand, { ShardIterator: 'next' })
          .resolves({ Records: [], NextShardIterator: 'next' });
        const checkpointFile = join(mkdtempSync(join(tmpdir(), 'cr-trim-')), 'cart-stream.json');
        writeFileSync(checkpointFile, JSON.stringify({ delivered: { s1: '100' }, finished: [] }));
        const warnings: string[] = [];
        const reader = new LocalStreamReader(
          dynamo,
          streams,
          'cr-carts',
          new ControllableClock(undefined, () => 0),
          { info() {}, error() {}, appendKeys() {}, warn: (message) => void warnings.push(message) },
          { batchSize: 100, windowMs: 60_000, accepts: () => true, maxAttempts: 3, checkpointFile },
        );
        const delivered: string[] = [];
        reader.register(
          async (event) => void delivered.push(...(event.Records as LambdaStreamRecord[]).map((r) => r.eventID)),
        );

        expect(await reader.pump({ force: true })).toBe(1);
        expect(delivered).toEqual(['e600']);
        expect(warnings).toEqual([
          'stream records after the checkpoint are gone (streams keep 24 h); reading from the oldest left',
        ]);
      },
    );
  },
);
