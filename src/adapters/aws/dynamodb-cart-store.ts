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
import type { CartRow, CartStatus, ReminderOutcome, StoppedBy } from '../../domain/cart/cart';
import { EMAILS_SEEN_CAP, MERGED_FIELDS } from '../../domain/cart/cart';
import { mergeChange, mergeCheckout } from '../../domain/cart/merge';
import type {
  CartChangeResult,
  CartChangeWrite,
  CartStore,
  CheckoutWrite,
  CloseResult,
  ReminderFact,
  WakeWrite,
} from '../../ports/cart-store';

/** Builds SET clauses and their values without repeating names by hand. */
class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly adds: string[] = [];
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

  /** Adds a number (a counter), or members to a set (a union). */
  add(attribute: string, amount: number | ReadonlySet<string>): this {
    this.adds.push(`${this.name(attribute)} ${this.value(`${attribute}Add`, amount)}`);
    return this;
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
    const parts: string[] = [];
    if (this.sets.length > 0) parts.push(`SET ${this.sets.join(', ')}`);
    if (this.adds.length > 0) parts.push(`ADD ${this.adds.join(', ')}`);
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

  /**
   * The merge (`domain/cart/merge.ts`) as conditional writes. First, one blind conditional update that is exactly the
   * merge when the event is the newest the row has heard of (the common case: a new cart, or changes arriving in
   * order). When that condition fails, DynamoDB hands back the row as it is; the merge is computed from it and written
   * conditioned on the row's `rev` (optimistic concurrency), again until no other write got in between.
   */
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
      .setIfAbsent('firstSeenAt', at)
      .setIfAbsent('createdBy', change.eventKey)
      .setIfAbsent('status', 'open')
      .setIfAbsent('remindersSent', 0)
      .add('rev', 1);
    // Beside the items of the same event (a bounded cart's count of the items not kept), or gone with them.
    if (snapshot.moreItems !== undefined && snapshot.moreItems > 0) update.set('moreItems', snapshot.moreItems);
    else update.remove('moreItems');
    for (const field of MERGED_FIELDS) {
      const value = field === 'savedLink' ? (snapshot.savedLink === true ? true : undefined) : snapshot[field];
      if (value !== undefined) update.set(field, value).set(`${field}Key`, change.eventKey);
    }
    // The address joins the set of every address the cart carried (ADD on a string set is a union). Only while the set
    // is under its cap or already has it, and not on a row from before the set existed: there the merge seeds it.
    let emailCondition = '';
    if (snapshot.email !== undefined) {
      update
        .setIfAbsent('wakeUpSetBy', change.eventKey)
        .setIfAbsent('wakeSeq', 1)
        .add('emailsSeen', new Set([snapshot.email]));
      const seen = update.name('emailsSeen');
      emailCondition =
        ` AND ((attribute_not_exists(${seen}) AND attribute_not_exists(${update.name('email')}))` +
        ` OR size(${seen}) < ${update.value('emailsSeenCap', EMAILS_SEEN_CAP)} OR ` +
        `contains(${seen}, ${update.value('seenEmail', snapshot.email)}))`;
    }
    const input: UpdateCommandInput = {
      TableName: this.tableName,
      Key: { cartId: snapshot.cartId },
      UpdateExpression: update.expression(),
      // Newest change, no earlier first-seen time and no later expiry on the row: the merge is exactly this update.
      ConditionExpression:
        `attribute_not_exists(cartId) OR (${update.name('eventKey')} < ${update.value('eventKey', change.eventKey)}` +
        ` AND ${update.name('firstSeenAt')} <= ${update.value('firstSeenAt', at)}` +
        ` AND ${update.name('expiresAt')} <= ${update.value('expiresAt', change.expiresAt)}${emailCondition})`,
      ExpressionAttributeNames: update.names,
      ExpressionAttributeValues: update.values,
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    let current: CartRow;
    try {
      const { Attributes } = await this.client.send(new UpdateCommand(input));
      const before = Attributes as CartRow | undefined;
      return { changed: true, before, cart: { ...mergeChange(before, change), rev: (before?.rev ?? 0) + 1 } };
    } catch (error) {
      current = rejectedRow(error);
    }
    for (let attempt = 1; ; attempt++) {
      const next = mergeChange(current, change);
      if (!differs(current, next)) return { changed: false, before: current, cart: current };
      const written = await this.writeMerged(current, next);
      if (written.ok) return { changed: true, before: current, cart: written.row };
      if (attempt >= MAX_MERGE_ATTEMPTS) throw new Error(`cart ${snapshot.cartId} kept changing during a merge`);
      current = written.current;
    }
  }

  /** An order: read, merge, write conditioned on what was read; again if another write got in between. */
  async checkOut(write: CheckoutWrite): Promise<CloseResult> {
    let current = await this.get(write.cartId);
    for (let attempt = 1; ; attempt++) {
      const next = mergeCheckout(current, write);
      const closes = current?.status !== 'checked_out';
      if (!differs(current, next)) return { outcome: 'already_closed', current: current! };
      const written = await this.writeMerged(current, next);
      if (written.ok)
        return closes ? { outcome: 'closed', before: current } : { outcome: 'already_closed', current: written.row };
      if (attempt >= MAX_MERGE_ATTEMPTS) throw new Error(`cart ${write.cartId} kept changing during a checkout`);
      current = written.current;
    }
  }

  /**
   * Writes a merged row: only the attributes that differ from `current`, conditioned on `current` being what is
   * stored (its `rev`, or its absence). On a lost race, the row that won.
   */
  private async writeMerged(
    current: CartRow | undefined,
    next: CartRow,
  ): Promise<{ ok: true; row: CartRow } | { ok: false; current: CartRow }> {
    const update = new UpdateBuilder().add('rev', 1);
    const before = (current ?? {}) as Record<string, unknown>;
    const after = next as unknown as Record<string, unknown>;
    for (const attribute of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (attribute === 'rev' || attribute === 'cartId') continue;
      if (after[attribute] === undefined) {
        if (before[attribute] !== undefined) update.remove(attribute);
      } else if (!sameValue(after[attribute], before[attribute])) {
        update.set(attribute, after[attribute]);
      }
    }
    const condition = !current
      ? 'attribute_not_exists(cartId)'
      : current.rev === undefined
        ? `attribute_exists(cartId) AND attribute_not_exists(${update.name('rev')})`
        : `${update.name('rev')} = ${update.value('expectedRev', current.rev)}`;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cartId: next.cartId },
          UpdateExpression: update.expression(),
          ConditionExpression: condition,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true, row: { ...next, rev: (current?.rev ?? 0) + 1 } };
    } catch (error) {
      return { ok: false, current: rejectedRow(error) };
    }
  }

  async stop(cartId: string, reason: string, by: StoppedBy): Promise<CloseResult> {
    const update = new UpdateBuilder()
      .set('status', 'stopped')
      .set('stopReason', reason)
      .set('stoppedBy', by)
      .remove('wakeUpAt')
      .add('rev', 1);
    return this.close(cartId, update, `#status = :open`, { ':open': 'open' });
  }

  async resume(cartId: string, wakeUpAt: Date): Promise<CartRow | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cartId },
          // A new wake-up number, so any wake-up still in flight from before the stop stays stale.
          UpdateExpression:
            'SET #status = :open, wakeUpAt = :at, wakeSeq = wakeSeq + :one ADD rev :one REMOVE stopReason, stoppedBy',
          ConditionExpression: '#status = :stopped AND stoppedBy = :owner AND attribute_exists(wakeSeq)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ':stopped': 'stopped',
            ':owner': 'owner',
            ':at': wakeUpAt.toISOString(),
            ':one': 1,
          },
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
      .setIfGiven('lastReminderAt', next.lastReminderAt)
      .add('rev', 1);
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

  async recordReminder(cartId: string, fact: ReminderFact): Promise<{ before: CartRow; after: CartRow } | undefined> {
    const at = fact.at.toISOString();
    const field = fact.kind === 'held_back' ? 'holdBack' : fact.step === 'first' ? 'firstSentAt' : 'secondSentAt';
    const group =
      fact.kind === 'held_back' ? 'held_back' : fact.step === 'first' && fact.joinsHoldBack ? 'reminded' : undefined;
    const update = new UpdateBuilder()
      .set(field, fact.kind === 'held_back' ? { group: 'held_back', at } : at)
      .add('rev', 1);
    // The comparison group is joined once; a row that has one keeps it.
    if (group === 'reminded') update.setIfAbsent('holdBack', { group, at });
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cartId },
          UpdateExpression: update.expression(),
          ConditionExpression: `attribute_exists(cartId) AND attribute_not_exists(${update.name(field)})`,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      const before = Attributes as CartRow;
      const after: CartRow = {
        ...before,
        ...(field === 'holdBack' ? { holdBack: { group: 'held_back' as const, at } } : { [field]: at }),
        ...(group === 'reminded' && before.holdBack === undefined ? { holdBack: { group, at } } : {}),
        rev: (before.rev ?? 0) + 1,
      };
      return { before, after };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async recordReminderOutcome(cartId: string, step: 'first' | 'second', outcome: ReminderOutcome): Promise<boolean> {
    const field = step === 'first' ? 'firstOutcome' : 'secondOutcome';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cartId },
          UpdateExpression: 'SET #outcome = :outcome ADD #rev :one',
          // Answers only the row's latest hand-off, once; a verdict on an earlier hand-off of the step may be replaced.
          ConditionExpression:
            'attribute_exists(cartId) AND #lastReminderAt = :handOffAt AND (attribute_not_exists(#outcome) OR ' +
            '#outcome.#handOffAt <> :handOffAt)',
          ExpressionAttributeNames: {
            '#outcome': field,
            '#rev': 'rev',
            '#lastReminderAt': 'lastReminderAt',
            '#handOffAt': 'handOffAt',
          },
          ExpressionAttributeValues: { ':outcome': outcome, ':handOffAt': outcome.handOffAt, ':one': 1 },
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

/**
 * Conflicting writes to one cart are rare (one storefront, one shopper); this many in a row means something is wrong.
 */
const MAX_MERGE_ATTEMPTS = 10;

/** Whether a merge changed anything but the write counter. */
function differs(current: CartRow | undefined, next: CartRow): boolean {
  if (!current) return true;
  const { rev: _a, ...a } = current;
  const { rev: _b, ...b } = next;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (!sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** Deep equality of stored values (maps compare whatever order their keys came back in). */
function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Set
      ? [...(v as Set<unknown>)].map(String).sort()
      : v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
          )
        : v,
  );
}

/** The row a failed condition returned; anything other than a condition failure is a real error. */
function rejectedRow(error: unknown): CartRow {
  if (error instanceof ConditionalCheckFailedException && error.Item) {
    // The low-level exception carries the item in wire format; the document client does not unmarshall it.
    return unmarshall(error.Item) as CartRow;
  }
  throw error;
}
