import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { LOCAL_AWS } from '../../src/local/dynamodb-local';
import { matchesAnyFilter } from '../../src/local/event-filter';
import {
  type LambdaStreamRecord,
  LocalStreamReader,
  type LocalStreamReaderOptions,
} from '../../src/local/local-stream-reader';
import { CART_COUNTER_FILTERS } from '../../src/resources/cart-stream';
import type { CartSnapshot } from '../../src/domain/cart/cart';
import { createCartCounterHandler } from '../../src/handlers/cart-counter';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { freshTables } from '../support/dynamo';

const T = Date.parse('2026-11-30T23:00:00Z'); // 18:00 in New York: still November there, December in UTC
const MINUTE = 60_000;
const NEW_YORK = async () => 'America/New_York';

function snapshot(cartId: string, email?: string): CartSnapshot {
  return {
    cartId,
    source: 'generic',
    items: [{ title: 'Linen shirt', quantity: 1, unitPrice: 4500 }],
    total: { minor: 4500, currency: 'USD' },
    ...(email ? { email } : {}),
  };
}

async function setUp(options: Partial<LocalStreamReaderOptions> = {}) {
  const tables = await freshTables();
  let time = T;
  const clock = new ControllableClock(undefined, () => time);
  const streams = new DynamoDBStreamsClient({ endpoint: tables.endpoint, ...LOCAL_AWS });
  const carts = new DynamoDbCartStore(tables.documents, tables.names.carts);
  const stats = new DynamoDbStats(tables.documents, tables.names.sends, NEW_YORK);
  const reader = (more: Partial<LocalStreamReaderOptions> = {}) =>
    new LocalStreamReader(tables.client, streams, tables.names.carts, clock, silentLog, {
      batchSize: 100,
      windowMs: MINUTE,
      accepts: (record) => matchesAnyFilter(CART_COUNTER_FILTERS, record),
      maxAttempts: 3,
      ...options,
      ...more,
    });
  let seq = 0;
  const change = (cartId: string, email?: string) =>
    carts.applyChange({
      snapshot: snapshot(cartId, email),
      eventKey: `${new Date(time).toISOString()}#${String(++seq).padStart(4, '0')}`,
      occurredAt: new Date(time),
      ...(email ? { firstWakeUpAt: new Date(time + 60 * MINUTE) } : {}),
      expiresAt: Math.floor(time / 1000) + 86_400,
    });
  return { ...tables, clock, carts, stats, reader, change, tick: (ms: number) => (time += ms) };
}

describe('the monthly counters in cr-sends', () => {
  it('adds a batch across months in one transaction, and a retried batch only once', async () => {
    const { documents, names } = await freshTables();
    const stats = new DynamoDbStats(documents, names.sends, NEW_YORK);
    const entries = [
      { at: new Date('2026-11-30T23:00:00Z'), increments: [{ counter: 'cartsSeen' as const }] },
      {
        at: new Date('2026-12-01T06:00:00Z'),
        increments: [{ counter: 'cartsSeen' as const }, { counter: 'cartsWithAddress' as const }],
      },
    ];
    await stats.addBatch(entries, 'batch-1');
    await stats.addBatch(entries, 'batch-1');
    expect((await stats.month('2026-11')).cartsSeen).toBe(1);
    expect(await stats.month('2026-12')).toMatchObject({ cartsSeen: 1, cartsWithAddress: 1 });

    await stats.addBatch(entries, 'batch-2');
    expect((await stats.month('2026-11')).cartsSeen).toBe(2);
  });
});

describe('the local stream reader feeding the cart counter (DynamoDB Local streams)', () => {
  it('counts carts from the real stream, batched within a window of test-clock time', async () => {
    const { reader, change, tick, stats } = await setUp();
    const counter = reader();
    const batches: number[] = [];
    const handler = createCartCounterHandler({ stats, rules: fixedRules(), log: silentLog });
    counter.register(async (event) => {
      batches.push(event.Records.length);
      return handler(event);
    });

    await change('a');
    // An ordinary change: delivered (a filter cannot tell it from one that moves a count), counts nothing.
    await change('a');
    await change('a', 'a@example.com'); // brings the email
    await change('b', 'b@example.com');
    expect(await counter.pump()).toBe(0); // the window has just opened
    expect(batches).toEqual([]);

    tick(MINUTE);
    expect(await counter.pump()).toBe(4);
    expect(batches).toEqual([4]);
    // Counted in the store's month (18:00 on 30 November in New York), not UTC's December.
    expect(await stats.month('2026-11')).toMatchObject({ cartsSeen: 2, cartsWithAddress: 2 });
    expect(await counter.pump({ force: true })).toBe(0);
  });

  it('resumes after the last delivery on restart (checkpoint file): nothing repeated, nothing lost', async () => {
    const checkpointFile = join(mkdtempSync(join(tmpdir(), 'cr-stream-')), 'cart-stream.json');
    const { reader, change } = await setUp({ checkpointFile });
    const seen: string[] = [];
    const collect = async (event: { Records: unknown[] }) =>
      void seen.push(...(event.Records as LambdaStreamRecord[]).map((r) => r.eventID));

    const first = reader();
    first.register(collect);
    await change('a');
    await first.pump({ force: true });
    await change('b');
    const second = reader(); // a new process, same data folder
    second.register(collect);
    await second.pump({ force: true });

    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(2);
  });

  it('retries a batch from its first failed record and gives that record up after the last attempt', async () => {
    const { reader, change } = await setUp();
    const counter = reader();
    const calls: string[][] = [];
    counter.register(async (event) => {
      const records = event.Records as LambdaStreamRecord[];
      calls.push(records.map((r) => r.eventID));
      // The second record of the stream can never be processed.
      const bad = records.find((r) => r.dynamodb.NewImage && JSON.stringify(r.dynamodb.NewImage).includes('"b"'));
      return { batchItemFailures: bad ? [{ itemIdentifier: bad.dynamodb.SequenceNumber }] : [] };
    });
    await change('a');
    await change('b');
    await change('c');

    for (let attempt = 0; attempt < 4; attempt++) await counter.pump({ force: true });

    const [a, b, c] = calls[0] ?? [];
    // First the whole batch; then twice more from b (3 attempts); then c on its own once b is given up.
    expect(calls).toEqual([[a, b, c], [b, c], [b, c], [c]]);
  });
});
