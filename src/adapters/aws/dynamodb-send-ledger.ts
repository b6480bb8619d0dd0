import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReminderStep } from '../../domain/owner-docs/voice';
import type { ClaimRequest, ClaimResult, SendLedger, SendRecord, ShopperNudge } from '../../ports/send-ledger';

const sendKey = (cartId: string, step: ReminderStep) => ({ cartId, sk: `send#${step}` });

/**
 * The shopper's do-not-disturb window: one item per address in its own partition (cart ids never start with `#`).
 * It holds the newest reminder claimed for the address, and the one before it, so a claim given back can restore it.
 */
export const NUDGE_PARTITION_PREFIX = '#nudge#';
const nudgeKey = (email: string) => ({ cartId: `${NUDGE_PARTITION_PREFIX}${email}`, sk: 'nudge' });

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
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async find(cartId: string, step: ReminderStep): Promise<SendRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: sendKey(cartId, step), ConsistentRead: true }));
    return Item as SendRecord | undefined;
  }

  async lastNudge(email: string): Promise<ShopperNudge | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: nudgeKey(email), ConsistentRead: true }));
    if (!Item || typeof Item.lastAt !== 'string' || Item.lastAt === NEVER || typeof Item.holderCart !== 'string') return undefined;
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
                // New, or a claim whose lease ran out without SES accepting (a record from before leases counts as run out).
                ConditionExpression: 'attribute_not_exists(sk) OR (#status = :claimed AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now))',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now },
              },
            },
            request.testMode === true ? this.windowCheck(request) : {
              Update: {
                TableName: this.tableName,
                Key: nudgeKey(request.email),
                UpdateExpression:
                  'SET prevAt = if_not_exists(lastAt, :never), prevCart = if_not_exists(holderCart, :none), ' +
                  'prevAttempt = if_not_exists(holderAttempt, :none), lastAt = :now, holderCart = :cart, holderStep = :step, ' +
                  'holderAttempt = :attempt, expiresAt = :expiresAt',
                // Free, or last nudged before the window, or by this same cart (its follow-up is part of the one nudge).
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
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(cartId, step),
          UpdateExpression:
            'SET #status = :sent, sentAt = :sentAt, messageId = :messageId, polished = :polished, confirmedBy = :answer' +
            (result.fallbackReason ? ', fallbackReason = :fallbackReason' : ''),
          // Ours, or already confirmed by SES's event for this very message.
          ConditionExpression: 'attempt = :attempt AND (#status = :claimed OR messageId = :messageId)',
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
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
          ExpressionAttributeValues: { ':refused': 'refused', ':claimed': 'claimed', ':attempt': attempt, ':code': code },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.restoreNudge(email, attempt);
    return true;
  }

  async confirm(cartId: string, step: ReminderStep, messageId: string, at: Date): Promise<'confirmed' | 'already' | 'unknown'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(cartId, step),
          UpdateExpression: 'SET #status = :sent, sentAt = :sentAt, messageId = :messageId, confirmedBy = :event',
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':claimed': 'claimed', ':sentAt': at.toISOString(), ':messageId': messageId, ':event': 'ses_event' },
        }),
      );
      return 'confirmed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const record = await this.find(cartId, step);
      return record?.status === 'sent' ? 'already' : 'unknown';
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

  /** Hands the shopper's window back to the reminder before this attempt's claim, if the window is still this attempt's. */
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
