/**
 * Rows written before the merge kept per-field keys (`emailKey`, ...), a write counter (`rev`) or the set of addresses
 * (`emailsSeen`) are still in cr-carts for up to the retention period. Merging new events into such a row on DynamoDB
 * Local must end exactly where in-order delivery of all the events to a fresh cart ends (apart from `rev`), and an
 * order naming no email must stop the shopper's other carts under the old row's address too.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import type { CartChangedEvent, CartRow, CartSnapshot, CheckedOutEvent } from '../../src/domain/cart/cart';
import { eventKey } from '../../src/domain/cart/cart';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { ingestCartEvent, type IngestDeps } from '../../src/use-cases/ingest-cart-event';
import { freshTables } from '../support/dynamo';
import { RecordingScheduler } from '../support/recording-scheduler';

const T = new Date('2026-11-02T20:00:00Z');
const minutes = (n: number) => new Date(T.getTime() + n * 60_000);
const RETENTION_DAYS = 90;
const expiresAt = (at: Date) => Math.floor(at.getTime() / 1000) + RETENTION_DAYS * 86_400;

function change(cartId: string, id: string, at: Date, fields: Partial<CartSnapshot>): CartChangedEvent {
  return {
    kind: 'cart_changed',
    eventId: id,
    occurredAt: at,
    source: 'generic',
    cart: {
      cartId,
      source: 'generic',
      items: [{ title: `Thing ${id}`, quantity: 1, unitPrice: 4_000 }],
      total: { minor: 4_000, currency: 'USD' },
      ...fields,
    },
  };
}

/** The row the code before per-field keys wrote for one change event: the event's fields, no stamps, no `rev`. */
function legacyRow(event: CartChangedEvent): Record<string, unknown> {
  const key = eventKey(event.occurredAt, event.eventId);
  const at = event.occurredAt.toISOString();
  return {
    ...event.cart,
    eventKey: key,
    lastChangedAt: at,
    firstSeenAt: at,
    createdBy: key,
    status: 'open',
    remindersSent: 0,
    wakeSeq: 1,
    wakeUpSetBy: key,
    expiresAt: expiresAt(event.occurredAt),
  };
}

/** The row as the other cart id would have it, without the write counter. */
function comparable(row: CartRow | undefined, cartId: string): unknown {
  const { rev: _rev, ...rest } = row!;
  const json = JSON.stringify(rest, (_key, value: unknown) =>
    value instanceof Set ? [...(value as Set<string>)].sort() : value,
  );
  return JSON.parse(json.replaceAll(cartId, 'CART'));
}

describe('rows written before the merge kept field keys', () => {
  let documents: DynamoDBDocumentClient;
  let table: string;
  let carts: DynamoDbCartStore;
  let deps: IngestDeps;

  beforeEach(async () => {
    const fresh = await freshTables();
    documents = fresh.documents;
    table = fresh.names.carts;
    carts = new DynamoDbCartStore(documents, table);
    deps = {
      carts,
      activity: new DynamoDbActivityLog(documents, fresh.names.sends, RETENTION_DAYS),
      scheduler: new RecordingScheduler(),
      rules: fixedRules(),
      clock: { now: () => minutes(600) },
      log: silentLog,
      retentionDays: RETENTION_DAYS,
    };
  });

  it('merges older and newer events into an old row exactly as in-order delivery to a fresh cart does', async () => {
    const story = (cartId: string) => ({
      first: change(cartId, 'e1', T, {
        email: 'sam@example.com',
        firstName: 'Sam',
        returnUrl: `https://shop.example.com/cart/${cartId}`,
      }),
      older: change(cartId, 'e0', minutes(-30), {
        firstName: 'Samuel',
        timeZone: 'Europe/Paris',
        marketingConsent: true,
      }),
      newer: change(cartId, 'e2', minutes(30), { email: 'sam.new@example.com' }),
    });
    const old = story('old-cart');
    await documents.send(new PutCommand({ TableName: table, Item: legacyRow(old.first) }));
    // A redelivery of the event the old row came from only stamps the row's fields: it starts no second chase.
    expect(await ingestCartEvent(old.first, deps)).toMatchObject({ cartId: 'old-cart', wakeUpScheduled: false });
    expect((deps.scheduler as RecordingScheduler).scheduled).toEqual([]);
    expect((await ingestCartEvent(old.older, deps)).outcome).toBe('applied');
    expect((await ingestCartEvent(old.newer, deps)).outcome).toBe('applied');

    const fresh = story('fresh-cart');
    for (const event of [fresh.older, fresh.first, fresh.newer]) await ingestCartEvent(event, deps);

    const upgraded = await carts.get('old-cart');
    expect(comparable(upgraded, 'old-cart')).toEqual(comparable(await carts.get('fresh-cart'), 'fresh-cart'));
    // The old row's first name is newer than the older event's: it stays; the older event fills what it alone carried.
    expect(upgraded).toMatchObject({
      firstName: 'Sam',
      timeZone: 'Europe/Paris',
      marketingConsent: true,
      email: 'sam.new@example.com',
    });
    expect([...(upgraded?.emailsSeen ?? [])].sort()).toEqual(['sam.new@example.com', 'sam@example.com']);
  });

  it("stops the other carts under the old row's address when an order names none", async () => {
    const first = change('old-cart', 'e1', T, {
      email: 'sam@example.com',
      returnUrl: 'https://shop.example.com/cart/old',
    });
    await documents.send(new PutCommand({ TableName: table, Item: legacyRow(first) }));
    await ingestCartEvent(change('other-old', 'o1', minutes(-60), { email: 'sam@example.com' }), deps);
    await ingestCartEvent(change('other-new', 'o2', minutes(-60), { email: 'sam.new@example.com' }), deps);
    await ingestCartEvent(change('old-cart', 'e2', minutes(30), { email: 'sam.new@example.com' }), deps);

    const bought: CheckedOutEvent = {
      kind: 'checked_out',
      eventId: 'order',
      occurredAt: minutes(60),
      source: 'generic',
      match: { cartId: 'old-cart' },
    };
    const result = await ingestCartEvent(bought, deps);

    expect(result).toMatchObject({ outcome: 'checked_out', cartId: 'old-cart' });
    expect(result.outcome === 'checked_out' && [...result.alsoStopped].sort()).toEqual(['other-new', 'other-old']);
  });

  it('keeps an old closed row closed: its order repeated changes nothing, a late change starts nothing', async () => {
    const first = change('closed-cart', 'e1', T, { email: 'sam@example.com' });
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...legacyRow(first),
          status: 'checked_out',
          checkedOutAt: minutes(10).toISOString(),
          stopReason: 'order placed',
        },
      }),
    );
    const again: CheckedOutEvent = {
      kind: 'checked_out',
      eventId: 'order',
      occurredAt: minutes(10),
      source: 'generic',
      match: { cartId: 'closed-cart' },
    };

    expect(await ingestCartEvent(again, deps)).toEqual({ outcome: 'already_checked_out', cartId: 'closed-cart' });
    expect(await ingestCartEvent(change('closed-cart', 'e2', minutes(20), { email: 'sam@example.com' }), deps)).toEqual(
      { outcome: 'closed', cartId: 'closed-cart' },
    );
    expect(await carts.get('closed-cart')).toMatchObject({
      status: 'checked_out',
      checkedOutAt: minutes(10).toISOString(),
      stopReason: 'order placed',
    });
  });
});
