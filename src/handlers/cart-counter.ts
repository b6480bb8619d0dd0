import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import * as z from 'zod';
import type { CartRowImage, CartRowWrite } from '../domain/reporting/cart-counters';
import { countCartWrites, type CountCartWritesDeps } from '../use-cases/count-cart-writes';

/** The part of a DynamoDB stream record (cr-carts, NEW_AND_OLD_IMAGES) the counter reads. */
const streamRecordSchema = z.object({
  eventID: z.string().min(1),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    SequenceNumber: z.string().min(1),
    OldImage: z.record(z.string(), z.unknown()).optional(),
    NewImage: z.record(z.string(), z.unknown()).optional(),
  }),
});

const money = z.object({ minor: z.number().int(), currency: z.string().min(1) });

/** The cart row fields that count; the rest of the row is not this function's business. */
const cartImageSchema = z.object({
  createdBy: z.string().optional(),
  wakeUpSetBy: z.string().optional(),
  firstSeenAt: z.iso.datetime().optional(),
  status: z.enum(['open', 'checked_out', 'given_up', 'stopped']).optional(),
  checkedOutAt: z.iso.datetime().optional(),
  orderTotal: money.optional(),
  total: money.optional(),
  firstSentAt: z.iso.datetime().optional(),
  secondSentAt: z.iso.datetime().optional(),
  holdBack: z.object({ group: z.enum(['held_back', 'reminded']), at: z.iso.datetime() }).optional(),
});

const streamEventSchema = z.object({ Records: z.array(z.unknown()) });

type ReadRecord =
  | { ok: true; eventID: string; write: CartRowWrite }
  | { ok: false; sequenceNumber?: string; reason: string };

function readImage(image: Record<string, unknown> | undefined): CartRowImage | undefined {
  if (image === undefined) return undefined;
  const { orderTotal, total, ...rest } = cartImageSchema.parse(unmarshall(image as Record<string, AttributeValue>));
  // Only what is there: an absent field stays absent (exactOptionalPropertyTypes).
  return Object.fromEntries(
    Object.entries({ ...rest, ...(orderTotal ? { orderTotal } : {}), ...(total ? { total } : {}) }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as CartRowImage;
}

function readRecord(raw: unknown): ReadRecord {
  const parsed = streamRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const sequenceNumber = (raw as { dynamodb?: { SequenceNumber?: unknown } } | null)?.dynamodb?.SequenceNumber;
    return {
      ok: false,
      ...(typeof sequenceNumber === 'string' && sequenceNumber ? { sequenceNumber } : {}),
      reason: `${issue?.path.join('.') || '(record)'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const { eventID, dynamodb } = parsed.data;
  try {
    const before = readImage(dynamodb.OldImage);
    const after = readImage(dynamodb.NewImage);
    return { ok: true, eventID, write: { ...(before ? { before } : {}), ...(after ? { after } : {}) } };
  } catch (error) {
    const reason =
      error instanceof z.ZodError ? `${error.issues[0]?.path.join('.')}: ${error.issues[0]?.message}` : String(error);
    return { ok: false, sequenceNumber: dynamodb.SequenceNumber, reason: `image: ${reason}` };
  }
}

/**
 * The cart counter: a batch of cr-carts stream records in (in shard order), the monthly cart counters out.
 *
 * A record it cannot read is never skipped silently. It counts the records before it and reports that record as the
 * batch's first failure (`ReportBatchItemFailures`), so Lambda retries from there and, once its retries are spent,
 * sends the record's position to the alarmed failed-invocations queue. An event with no readable position fails whole.
 */
export function createCartCounterHandler(
  deps: CountCartWritesDeps,
): (event: unknown) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const parsed = streamEventSchema.safeParse(event);
    if (!parsed.success) throw new Error('not a DynamoDB stream event: Records must be a list');
    const writes: CartRowWrite[] = [];
    const eventIds: string[] = [];
    let failure: Extract<ReadRecord, { ok: false }> | undefined;
    for (const [index, raw] of parsed.data.Records.entries()) {
      const read = readRecord(raw);
      if (!read.ok) {
        deps.log.error('cart stream record not understood', {
          index,
          reason: read.reason,
          sequenceNumber: read.sequenceNumber,
        });
        failure = read;
        break;
      }
      writes.push(read.write);
      eventIds.push(read.eventID);
    }
    if (failure && failure.sequenceNumber === undefined)
      throw new Error(`cart stream record not understood: ${failure.reason}`);
    if (writes.length > 0) await countCartWrites(writes, batchKey(eventIds), deps);
    return { batchItemFailures: failure?.sequenceNumber ? [{ itemIdentifier: failure.sequenceNumber }] : [] };
  };
}

/** The same records always make the same key; a batch that starts or ends elsewhere makes another. */
function batchKey(eventIds: readonly string[]): string {
  return createHash('sha256').update(eventIds.join('\n')).digest('hex');
}
