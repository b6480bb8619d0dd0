import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CounterIncrement } from '../../domain/reporting/summary';
import type { ReminderStep } from '../../domain/cart/reminder-step';
import type {
  ClaimRequest,
  ClaimResult,
  SecondCopy,
  SendLedger,
  SendRecord,
  SentFacts,
  SentWrite,
  ShopperNudge,
} from '../../ports/send-ledger';
import { activityItem } from './dynamodb-activity-log';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The month counters' `ADD`, as one item of a transaction (`DynamoDbStats.updateFor`). */
export interface CounterUpdates {
  updateFor(at: Date, increments: readonly CounterIncrement[]): Promise<NonNullable<TransactItem['Update']>>;
}

/** Sort-key prefix of second-copy markers: one per message SES accepted after the reminder was recorded sent. */
export const SECOND_COPY_PREFIX = 'copy#';

const sendKey = (cartId: string, step: ReminderStep) => ({ cartId, sk: `send#${step}` });

/**
 * The shopper's do-not-disturb window: one item per address in its own partition (cart ids never start with `#`).
 * It holds the newest reminder claimed for the address, and the one before it, so a claim given back can restore it.
 */
export const NUDGE_PARTITION_PREFIX = '#nudge#';
const nudgeKey = (email: string) => ({ cartId: `${NUDGE_PARTITION_PREFIX}${email}`, sk: 'nudge' });

/** A transaction that only collided with another on the same items is tried this many times in all. */
const MAX_CONFLICT_ATTEMPTS = 4;

/** Sorts before every ISO time: "no reminder yet". */
const NEVER = '0000-00-00T00:00:00.000Z';

/**
 * Send records in cr-sends (`send#first`, `send#second`), next to the cart's activity log, and the shopper's window
 * (`#nudge#<email>`). A claim is one transaction over both, so two carts of one shopper claimed at the same instant
 * cannot both pass do-not-disturb.
 *
 * Every write is conditional on the attempt it belongs to, so a retry after a lost answer finds its own write and
 * cannot act twice.
 */
export class DynamoDbSendLedger implements SendLedger {
  private readonly tableName: string;

  /**
   * @param tables cr-sends (records, activity, counters) and cr-carts (the sent times a confirmation writes on the row)
   * @param counters builds the month counters' update that goes into the same transaction as a `sent` record
   */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { readonly sends: string; readonly carts: string },
    private readonly retentionDays: number,
    private readonly counters: CounterUpdates,
  ) {
    this.tableName = tables.sends;
  }

  async find(cartId: string, step: ReminderStep): Promise<SendRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: sendKey(cartId, step), ConsistentRead: true }),
    );
    return Item as SendRecord | undefined;
  }

  async lastNudge(email: string): Promise<ShopperNudge | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: nudgeKey(email), ConsistentRead: true }),
    );
    if (!Item || typeof Item.lastAt !== 'string' || Item.lastAt === NEVER || typeof Item.holderCart !== 'string')
      return undefined;
    return { cartId: Item.holderCart, at: new Date(Item.lastAt) };
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const now = request.now.toISOString();
    const expiresAt = Math.floor(request.now.getTime() / 1000) + this.retentionDays * 86_400;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...sendKey(request.cartId, request.step),
                  step: request.step,
                  email: request.email,
                  status: 'claimed',
                  claimedAt: now,
                  attempt: request.attempt,
                  leaseUntil: request.leaseUntil.toISOString(),
                  expiresAt,
                },
                // New, or a claim whose lease ran out without SES accepting
                // (a record from before leases counts as run out).
                ConditionExpression:
                  'attribute_not_exists(sk) OR (#status = :claimed AND (attribute_not_exists(leaseUntil) OR ' +
                  'leaseUntil <= :now))',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now },
              },
            },
            request.testMode === true
              ? this.windowCheck(request)
              : {
                  Update: {
                    TableName: this.tableName,
                    Key: nudgeKey(request.email),
                    UpdateExpression:
                      'SET prevAt = if_not_exists(lastAt, :never), prevCart = if_not_exists(holderCart, :none), ' +
                      'prevAttempt = if_not_exists(holderAttempt, :none), lastAt = :now, holderCart = :cart, ' +
                      'holderStep = :step, holderAttempt = :attempt, expiresAt = :expiresAt',
                    // Free, or last nudged before the window, or by this same cart
                    // (its follow-up is part of the one nudge).
                    ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt < :since OR holderCart = :cart',
                    ExpressionAttributeValues: {
                      ':never': NEVER,
                      ':none': '',
                      ':now': now,
                      ':cart': request.cartId,
                      ':step': request.step,
                      ':attempt': request.attempt,
                      ':since': request.quietSince.toISOString(),
                      ':expiresAt': expiresAt,
                    },
                  },
                },
          ],
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // A retry of our own transaction after a lost answer finds our own claim: it is ours.
      const record = await this.find(request.cartId, request.step);
      if (record?.attempt === request.attempt && record.status === 'claimed') return { outcome: 'claimed' };
      const [sendReason, nudgeReason] = error.CancellationReasons ?? [];
      if (sendReason?.Code === 'ConditionalCheckFailed') return { outcome: 'taken' };
      if (nudgeReason?.Code === 'ConditionalCheckFailed') {
        const nudge = await this.lastNudge(request.email);
        return { outcome: 'do_not_disturb', nudge: nudge ?? { cartId: '', at: request.now } };
      }
      // Cancelled for another reason (a conflict with a concurrent transaction): nothing was written; the caller's
      // invocation fails and is retried.
      throw error;
    }
  }

  async release(cartId: string, step: ReminderStep, attempt: string, email: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: sendKey(cartId, step),
          ConditionExpression: '#status = :claimed AND attempt = :attempt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':attempt': attempt },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.restoreNudge(email, attempt);
    return true;
  }

  async complete(
    cartId: string,
    step: ReminderStep,
    attempt: string,
    result: { sentAt: string; messageId: string; polished: boolean; fallbackReason?: string },
    facts: SentFacts,
  ): Promise<SentWrite> {
    const record: NonNullable<TransactItem['Update']> = {
      TableName: this.tableName,
      Key: sendKey(cartId, step),
      UpdateExpression:
        'SET #status = :sent, sentAt = :sentAt, messageId = :messageId, polished = :polished, confirmedBy = :answer' +
        (result.fallbackReason ? ', fallbackReason = :fallbackReason' : ''),
      // Still this attempt's open claim. Not "or already sent with this message": then SES's event recorded it, with
      // its count and its entry, and this answer must add neither.
      ConditionExpression: 'attempt = :attempt AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':claimed': 'claimed',
        ':attempt': attempt,
        ':sentAt': result.sentAt,
        ':messageId': result.messageId,
        ':polished': result.polished,
        ':answer': 'answer',
        ...(result.fallbackReason ? { ':fallbackReason': result.fallbackReason } : {}),
      },
    };
    return this.writeSent(cartId, step, result.messageId, record, facts);
  }

  async refuse(cartId: string, step: ReminderStep, attempt: string, email: string, code: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(cartId, step),
          UpdateExpression: 'SET #status = :refused, refusal = :code',
          ConditionExpression: '#status = :claimed AND attempt = :attempt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':refused': 'refused',
            ':claimed': 'claimed',
            ':attempt': attempt,
            ':code': code,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.restoreNudge(email, attempt);
    return true;
  }

  async confirm(cartId: string, step: ReminderStep, messageId: string, at: Date, facts: SentFacts): Promise<SentWrite> {
    const record: NonNullable<TransactItem['Update']> = {
      TableName: this.tableName,
      Key: sendKey(cartId, step),
      UpdateExpression: 'SET #status = :sent, sentAt = :sentAt, messageId = :messageId, confirmedBy = :event',
      ConditionExpression: '#status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':claimed': 'claimed',
        ':sentAt': at.toISOString(),
        ':messageId': messageId,
        ':event': 'ses_event',
      },
    };
    return this.writeSent(cartId, step, messageId, record, facts);
  }

  async recordSecondCopy(copy: SecondCopy): Promise<boolean> {
    const expiresAt = Math.floor(copy.at.getTime() / 1000) + this.retentionDays * 86_400;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            cartId: copy.cartId,
            sk: `${SECOND_COPY_PREFIX}${copy.step}#${copy.messageId}`,
            step: copy.step,
            messageId: copy.messageId,
            recordedMessageId: copy.recordedMessageId,
            at: copy.at.toISOString(),
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(sk)',
        },
      },
      { Update: await this.counters.updateFor(copy.at, [{ counter: 'secondCopies' }]) },
      { Put: { TableName: this.tableName, Item: activityItem(copy.activity, this.retentionDays) } },
    ];
    try {
      await this.transact(items);
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      )
        return false;
      throw error;
    }
  }

  /**
   * The `sent` record and what it makes true, in one transaction: the month's count, the sent time on the cart row
   * (once) and the activity entry. A cart row that is gone (expired) only drops that one item.
   */
  private async writeSent(
    cartId: string,
    step: ReminderStep,
    messageId: string,
    record: NonNullable<TransactItem['Update']>,
    facts: SentFacts,
  ): Promise<SentWrite> {
    const items: TransactItem[] = [
      { Update: record },
      { Update: await this.counters.updateFor(facts.countAt, [{ counter: facts.counter }]) },
      { Put: { TableName: this.tableName, Item: activityItem(facts.activity, this.retentionDays) } },
    ];
    const cartRow = facts.cartRow ? this.cartRowUpdate(cartId, step, facts.cartRow) : undefined;
    for (const withCart of cartRow ? [true, false] : [false]) {
      try {
        await this.transact(withCart && cartRow ? [...items, { Update: cartRow }] : items);
        return { outcome: 'recorded' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [recordReason, , , cartReason] = error.CancellationReasons ?? [];
        if (recordReason?.Code === 'ConditionalCheckFailed') {
          const current = await this.find(cartId, step);
          if (current?.status !== 'sent' || current.messageId === undefined) return { outcome: 'no_claim' };
          return current.messageId === messageId
            ? { outcome: 'already' }
            : { outcome: 'other_message', recordedMessageId: current.messageId };
        }
        // The cart row is gone: the send is still recorded and counted.
        if (withCart && cartReason?.Code === 'ConditionalCheckFailed') continue;
        throw error;
      }
    }
    throw new Error('unreachable');
  }

  /** `firstSentAt`/`secondSentAt` set once, and the hold-back group joined once, on a row that exists. */
  private cartRowUpdate(
    cartId: string,
    step: ReminderStep,
    fact: NonNullable<SentFacts['cartRow']>,
  ): NonNullable<TransactItem['Update']> {
    const at = fact.acceptedAt.toISOString();
    const joins = step === 'first' && fact.joinsHoldBack;
    const setHoldBack = joins ? ', holdBack = if_not_exists(holdBack, :group)' : '';
    return {
      TableName: this.tables.carts,
      Key: { cartId },
      UpdateExpression: `SET #sentAt = if_not_exists(#sentAt, :at)${setHoldBack} ADD rev :one`,
      ConditionExpression: 'attribute_exists(cartId)',
      ExpressionAttributeNames: { '#sentAt': step === 'first' ? 'firstSentAt' : 'secondSentAt' },
      ExpressionAttributeValues: { ':at': at, ':one': 1, ...(joins ? { ':group': { group: 'reminded', at } } : {}) },
    };
  }

  /** One transaction; again (a few times) when it only collided with another transaction on the same items. */
  private async transact(items: TransactItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const conflictOnly =
          error instanceof TransactionCanceledException &&
          (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict') &&
          (error.CancellationReasons ?? []).every(
            (reason) => reason.Code === 'TransactionConflict' || reason.Code === 'None' || reason.Code === undefined,
          );
        if (!conflictOnly || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
      }
    }
  }

  /** A test send obeys the shopper's window (the same condition as a claim) without taking it. */
  private windowCheck(request: ClaimRequest) {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: nudgeKey(request.email),
        ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt < :since OR holderCart = :cart',
        ExpressionAttributeValues: { ':cart': request.cartId, ':since': request.quietSince.toISOString() },
      },
    };
  }

  /**
   * Hands the shopper's window back to the reminder before this attempt's claim, if the window is still this attempt's.
   */
  private async restoreNudge(email: string, attempt: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: nudgeKey(email),
          UpdateExpression: 'SET lastAt = prevAt, holderCart = prevCart, holderAttempt = prevAttempt',
          ConditionExpression: 'holderAttempt = :attempt',
          ExpressionAttributeValues: { ':attempt': attempt },
        }),
      );
    } catch (error) {
      // Someone else's window now (it ran out and another cart took it): nothing of ours to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
