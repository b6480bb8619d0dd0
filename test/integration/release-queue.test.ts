/**
 * The morning release's two stores on DynamoDB Local: the queue that hands out places (one atomic ADD each,
 * concurrently) and the account's limits the doctor leaves for the sender (a new account's until it has run; cached
 * an hour).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { OWNER_PARTITION } from '../../src/adapters/aws/dynamodb-owner-docs-store';
import { DynamoDbReleaseQueue } from '../../src/adapters/aws/dynamodb-release-queue';
import { DynamoDbSendCapacity } from '../../src/adapters/aws/dynamodb-send-capacity';
import { NEW_ACCOUNT_CAPACITY } from '../../src/domain/cart/release';
import { silentLog } from '../../src/ports/log';
import { freshTables } from '../support/dynamo';

const EIGHT = new Date('2026-11-03T13:00:00Z');

describe('the release queue', () => {
  it('hands 200 concurrent senders 200 different places, 1 to 200, and counts each release apart', async () => {
    const { documents, names } = await freshTables();
    const queue = new DynamoDbReleaseQueue(documents, names.sends, 90);
    const places = await Promise.all(Array.from({ length: 200 }, () => queue.take(EIGHT)));
    expect([...places].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await queue.size(EIGHT)).toBe(200);
    const nextMorning = new Date(EIGHT.getTime() + 86_400_000);
    expect(await queue.size(nextMorning)).toBe(0);
    expect(await queue.take(nextMorning)).toBe(1);
    expect(await queue.take(EIGHT)).toBe(201);
  });
});

describe("the account's limits the sender paces by", () => {
  it("are a new account's until the doctor stores the real ones, then those, re-read after an hour", async () => {
    const { documents, names } = await freshTables();
    let now = EIGHT.getTime();
    const capacity = new DynamoDbSendCapacity(documents, names.sends, 1.5, { now: () => new Date(now) }, silentLog);
    expect(await capacity.current()).toMatchObject({
      ...NEW_ACCOUNT_CAPACITY,
      senderSecondsPerSend: 1.5,
      source: expect.stringMatching(/new account/),
    });

    const doctor = new DynamoDbSendCapacity(documents, names.sends, 1.5, { now: () => new Date(now) }, silentLog);
    await doctor.save({
      sesMaxSendRate: 50,
      sesMax24HourSend: 200_000,
      senderConcurrency: 1_000,
      concurrencyFrom: 'unreserved',
      readAt: '2026-11-02T09:00:00Z',
    });
    // Still the cached reading inside the hour; the stored one after it.
    expect((await capacity.current()).sesMaxSendRate).toBe(14);
    now += 60 * 60_000;
    expect(await capacity.current()).toMatchObject({
      sesMaxSendRate: 50,
      sesMax24HourSend: 200_000,
      senderConcurrency: 1_000,
      source: expect.stringMatching(/read by npm run doctor -- --aws at 2026-11-02T09:00:00Z/),
    });
    expect(await doctor.stored()).toMatchObject({ concurrencyFrom: 'unreserved' });
  });

  it("reads an unreadable stored row as a new account's limits instead of failing the send", async () => {
    const { documents, names } = await freshTables();
    await documents.send(
      new PutCommand({
        TableName: names.sends,
        Item: { cartId: OWNER_PARTITION, sk: 'account-limits', sesMaxSendRate: 'fast', senderConcurrency: -1 },
      }),
    );
    const capacity = new DynamoDbSendCapacity(documents, names.sends, 1, { now: () => EIGHT }, silentLog);
    expect(await capacity.current()).toMatchObject(NEW_ACCOUNT_CAPACITY);
  });
});
