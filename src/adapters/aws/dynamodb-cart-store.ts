import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CartRow, CartStatus, StoppedBy } from '../../domain/cart/cart';
import type {
  CartChangeResult,
  CartChangeWrite,
  CartStore,
  CheckoutWrite,
  CloseResult,
  WakeWrite,
} from '../../ports/cart-store';

/** Builds SET clauses and their values without repeating names by hand. */
class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};

  set(attribute: string, value: unknown): this {
    this.sets.push(`${this.name(attribute)} = ${this.value(attribute, value)}`);
    return this;
  }

  /** Sets only when the attribute is missing: creation-time fields. */
  setIfAbsent(attribute: string, value: unknown): this {
    const name = this.name(attribute);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.value(attribute, value)})`);
    return this;
  }

  /** Sets when a value is given; leaves the stored value alone otherwise. */
  setIfGiven(attribute: string, value: unknown): this {
    return value === undefined ? this : this.set(attribute, value);
  }

  remove(attribute: string): this {
    this.removes.push(this.name(attribute));
    return this;
  }

  name(attribute: string): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  value(key: string, value: unknown): string {
    this.values[`:${key}`] = value;
    return `:${key}`;
  }

  expression(): string {
    const parts = [`SET ${this.sets.join(', ')}`];
    if (this.removes.length > 0) parts.push(`REMOVE ${this.removes.join(', ')}`);
    return parts.join(' ');
  }
}

/** cr-carts on DynamoDB. Ordering and finality are enforced by condition expressions, never read-then-write. */
export class DynamoDbCartStore implements CartStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(cartId: string): Promise<CartRow | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { cartId }, ConsistentRead: true }),
    );
    return Item as CartRow | undefined;
  }

  async applyChange(change: CartChangeWrite): Promise<CartChangeResult> {
    const { snapshot } = change;
    const at = change.occurredAt.toISOString();
    const update = new UpdateBuilder()
      .set('source', snapshot.source)
      .set('items', snapshot.items)
      .set('total', snapshot.total)
      .set('eventKey', change.eventKey)
      .set('lastChangedAt', at)
      .set('expiresAt', change.expiresAt)
      .setIfGiven('email', snapshot.email)
      .setIfGiven('firstName', snapshot.firstName)
      .setIfGiven('returnUrl', snapshot.returnUrl)
      .setIfGiven('timeZone', snapshot.timeZone)
      .setIfGiven('marketingConsent', snapshot.marketingConsent)
      .setIfGiven('checkoutToken', snapshot.checkoutToken)
      // Once a cart came from a saved link it stays one; a later event without the marker does not undo it.
      .setIfGiven('savedLink', snapshot.savedLink === true ? true : undefined)
      .setIfAbsent('firstSeenAt', at)
      .setIfAbsent('createdBy', change.eventKey)
      .setIfAbsent('status', 'open')
      .setIfAbsent('remindersSent', 0);
    if (change.firstWakeUpAt) {
      // Only the first event that brings an email creates these; the use case schedules when wakeUpSetBy is its key.
      update
        .setIfAbsent('wakeUpAt', change.firstWakeUpAt.toISOString())
        .setIfAbsent('wakeSeq', 1)
        .setIfAbsent('wakeUpSetBy', change.eventKey);
    }
    const input: UpdateCommandInput = {
      TableName: this.tableName,
      Key: { cartId: snapshot.cartId },
      UpdateExpression: update.expression(),
      ConditionExpression: `attribute_not_exists(cartId) OR (${update.name('status')} = ${update.value(
        'open',
        'open',
      )} AND ${update.name('eventKey')} < ${update.value('eventKey', change.eventKey)})`,
      ExpressionAttributeNames: update.names,
      ExpressionAttributeValues: update.values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    try {
      const { Attributes } = await this.client.send(new UpdateCommand(input));
      return { outcome: 'applied', cart: Attributes as CartRow };
    } catch (error) {
      const current = rejectedRow(error);
      if (current.status !== 'open') return { outcome: 'closed', cart: current };
      return { outcome: current.eventKey === change.eventKey ? 'duplicate' : 'stale', cart: current };
    }
  }

  async checkOut(write: CheckoutWrite): Promise<CloseResult> {
    const at = write.occurredAt.toISOString();
    const update = new UpdateBuilder()
      .set('status', 'checked_out')
      .set('checkedOutAt', at)
      .set('stopReason', write.reason)
      .set('expiresAt', write.expiresAt)
      .setIfGiven('orderTotal', write.orderTotal)
      // A cart first heard of through its order still gets a complete row, so late changes are refused.
      .setIfAbsent('source', write.source)
      .setIfAbsent('items', [])
      .setIfAbsent('total', write.orderTotal ?? { minor: 0, currency: write.storeCurrency })
      .setIfAbsent('eventKey', write.eventKey)
      .setIfAbsent('firstSeenAt', at)
      .setIfAbsent('lastChangedAt', at)
      .setIfAbsent('remindersSent', 0)
      .remove('wakeUpAt');
    return this.close(write.cartId, update, `attribute_not_exists(cartId) OR #status <> :checkedOut`, {
      ':checkedOut': 'checked_out',
    });
  }

  async stop(cartId: string, reason: string, by: StoppedBy): Promise<CloseResult> {
    const update = new UpdateBuilder().set('status', 'stopped').set('stopReason', reason).set('stoppedBy', by).remove('wakeUpAt');
    return this.close(cartId, update, `#status = :open`, { ':open': 'open' });
  }

  async resume(cartId: string, wakeUpAt: Date): Promise<CartRow | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cartId },
          // A new wake-up number, so any wake-up still in flight from before the stop stays stale.
          UpdateExpression: 'SET #status = :open, wakeUpAt = :at, wakeSeq = wakeSeq + :one REMOVE stopReason, stoppedBy',
          ConditionExpression: '#status = :stopped AND stoppedBy = :owner AND attribute_exists(wakeSeq)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':open': 'open', ':stopped': 'stopped', ':owner': 'owner', ':at': wakeUpAt.toISOString(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as CartRow;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async recordWake({ expected, next, lastMove }: WakeWrite): Promise<boolean> {
    // Only the fields the waiter owns: items, email and times belong to the intake and may have moved meanwhile.
    const update = new UpdateBuilder()
      .set('status', next.status)
      .set('remindersSent', next.remindersSent)
      .set('lastMove', lastMove)
      .setIfGiven('wakeSeq', next.wakeSeq)
      .setIfGiven('stopReason', next.stopReason)
      .setIfGiven('stoppedBy', next.stoppedBy)
      .setIfGiven('lastReminderAt', next.lastReminderAt);
    if (next.wakeUpAt === undefined) update.remove('wakeUpAt');
    else update.set('wakeUpAt', next.wakeUpAt);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cartId: expected.cartId },
          UpdateExpression: update.expression(),
          ConditionExpression: '#wakeSeq = :expectedSeq AND #eventKey = :expectedKey AND #status = :expectedStatus',
          ExpressionAttributeNames: { ...update.names, '#wakeSeq': 'wakeSeq', '#eventKey': 'eventKey' },
          ExpressionAttributeValues: {
            ...update.values,
            ':expectedSeq': expected.wakeSeq,
            ':expectedKey': expected.eventKey,
            ':expectedStatus': expected.status,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async findByCheckoutToken(token: string): Promise<string[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byCheckoutToken',
        KeyConditionExpression: 'checkoutToken = :token',
        ExpressionAttributeValues: { ':token': token },
      }),
    );
    return Items.map((item) => String(item.cartId));
  }

  findOpenByEmail(email: string): Promise<CartRow[]> {
    return this.findByEmail(email, 'open');
  }

  async findByEmail(email: string, status: CartStatus): Promise<CartRow[]> {
    const carts: CartRow[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        IndexName: 'byEmail',
        KeyConditionExpression: 'email = :email',
        FilterExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':email': email, ':status': status },
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) carts.push(...((page.Items ?? []) as CartRow[]));
    return carts;
  }

  private async close(
    cartId: string,
    update: UpdateBuilder,
    condition: string,
    conditionValues: Record<string, unknown>,
  ): Promise<CloseResult> {
    update.name('status');
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cartId },
          UpdateExpression: update.expression(),
          ConditionExpression: condition,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: { ...update.values, ...conditionValues },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { outcome: 'closed', before: Attributes as CartRow | undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { outcome: 'already_closed' };
      throw error;
    }
  }
}

/** The row a failed condition returned; anything other than a condition failure is a real error. */
function rejectedRow(error: unknown): CartRow {
  if (error instanceof ConditionalCheckFailedException && error.Item) {
    // The low-level exception carries the item in wire format; the document client does not unmarshall it.
    return unmarshall(error.Item) as CartRow;
  }
  throw error;
}

