import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ReminderStep } from '../../domain/owner-docs/voice';
import type { SendLedger, SendRecord } from '../../ports/send-ledger';

const sendKey = (cartId: string, step: ReminderStep) => ({ cartId, sk: `send#${step}` });

/** Send records in cr-sends (`send#first`, `send#second`), next to the cart's activity log. */
export class DynamoDbSendLedger implements SendLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async find(cartId: string, step: ReminderStep): Promise<SendRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: sendKey(cartId, step), ConsistentRead: true }),
    );
    return Item as SendRecord | undefined;
  }

  async claim(record: Pick<SendRecord, 'cartId' | 'step' | 'email' | 'claimedAt'>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...sendKey(record.cartId, record.step),
            step: record.step,
            email: record.email,
            status: 'claimed',
            claimedAt: record.claimedAt,
            expiresAt: Math.floor(Date.parse(record.claimedAt) / 1000) + this.retentionDays * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async release(cartId: string, step: ReminderStep): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: sendKey(cartId, step),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async complete(
    cartId: string,
    step: ReminderStep,
    result: { sentAt: string; messageId: string; polished: boolean; fallbackReason?: string },
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: sendKey(cartId, step),
        // sentAt is the byEmail index's sort key: the record joins the do-not-disturb index only once sent.
        UpdateExpression:
          'SET #status = :sent, sentAt = :sentAt, messageId = :messageId, polished = :polished' +
          (result.fallbackReason ? ', fallbackReason = :fallbackReason' : ''),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':sentAt': result.sentAt,
          ':messageId': result.messageId,
          ':polished': result.polished,
          ...(result.fallbackReason ? { ':fallbackReason': result.fallbackReason } : {}),
        },
      }),
    );
  }

  async lastSentTo(email: string, exceptCartId: string, since: Date): Promise<Date | undefined> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        IndexName: 'byEmail',
        KeyConditionExpression: 'email = :email AND sentAt >= :since',
        ExpressionAttributeValues: { ':email': email, ':since': since.toISOString() },
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) {
      const other = (page.Items ?? []).find((item) => item.cartId !== exceptCartId);
      if (other) return new Date(String(other.sentAt));
    }
    return undefined;
  }
}
