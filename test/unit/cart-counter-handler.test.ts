import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { createCartCounterHandler } from '../../src/handlers/cart-counter';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { RecordingStats } from '../support/recording-stats';

const SEEN_AT = '2026-11-02T20:00:00.000Z';

function record(seq: number, eventName: string, before?: object, after?: object) {
  return {
    eventID: `e${seq}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: String(seq).padStart(21, '0'),
      ...(before ? { OldImage: marshall({ cartId: 'c', ...before }) } : {}),
      ...(after ? { NewImage: marshall({ cartId: 'c', ...after }) } : {}),
    },
  };
}

const insert = (seq: number) => record(seq, 'INSERT', undefined, { createdBy: `k${seq}`, firstSeenAt: SEEN_AT });
const email = (seq: number) =>
  record(
    seq,
    'MODIFY',
    { createdBy: 'k', firstSeenAt: SEEN_AT },
    { createdBy: 'k', firstSeenAt: SEEN_AT, wakeUpSetBy: `k${seq}` },
  );

describe('the cart counter handler (cr-carts stream batches)', () => {
  it('counts a batch with one all-or-nothing add, keyed by its records', async () => {
    const stats = new RecordingStats();
    const handler = createCartCounterHandler({ stats, rules: fixedRules(), log: silentLog });
    const batch = { Records: [insert(1), email(2), record(3, 'REMOVE', { createdBy: 'k', firstSeenAt: SEEN_AT })] };

    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(stats.counted('cartsSeen')).toBe(1);
    expect(stats.counted('cartsWithAddress')).toBe(1);
    expect(stats.increments.every((i) => i.at.toISOString() === SEEN_AT)).toBe(true);

    // A redelivered batch carries the same key (the store applies it once); another batch gets another key.
    await handler(batch);
    await handler({ Records: [insert(4)] });
    expect(stats.batchKeys[0]).toBe(stats.batchKeys[1]);
    expect(stats.batchKeys[2]).not.toBe(stats.batchKeys[0]);
  });

  it('counts the records before one it cannot read and reports that one, so Lambda retries from there', async () => {
    const stats = new RecordingStats();
    const errors: unknown[] = [];
    const handler = createCartCounterHandler({
      stats,
      rules: fixedRules(),
      log: { ...silentLog, error: (message, fields) => void errors.push({ message, fields }) },
    });
    const bad = record(2, 'INSERT', undefined, { createdBy: 'k2', firstSeenAt: 'yesterday' });

    const response = await handler({ Records: [insert(1), bad, insert(3)] });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.dynamodb.SequenceNumber }] });
    expect(stats.counted('cartsSeen')).toBe(1);
    expect(errors).toEqual([
      {
        message: 'cart stream record not understood',
        fields: expect.objectContaining({ index: 1, reason: expect.stringContaining('firstSeenAt') }),
      },
    ]);
  });

  it('fails the whole batch, counting nothing, when a bad record has no position to report', async () => {
    const stats = new RecordingStats();
    const handler = createCartCounterHandler({ stats, rules: fixedRules(), log: silentLog });
    await expect(handler({ Records: [insert(1), { eventName: 'INSERT' }] })).rejects.toThrow(
      /cart stream record not understood: eventID/,
    );
    await expect(handler({ something: 'else' })).rejects.toThrow('not a DynamoDB stream event: Records must be a list');
    expect(stats.increments).toEqual([]);
  });
});
