import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ActivityEntry } from '../../domain/cart/activity';
import type { ActivityLog } from '../../ports/activity-log';

/** Sort-key prefix of activity rows in cr-sends (send records use `send#`). */
export const ACTIVITY_PREFIX = 'log#';

/**
 * One activity entry as its cr-sends item: also written inside other writers' transactions (the send ledger writes
 * the `sent` entry with the send record).
 */
export function activityItem(entry: ActivityEntry, retentionDays: number): Record<string, unknown> {
  const at = entry.at.toISOString();
  return {
    cartId: entry.cartId,
    sk: `${ACTIVITY_PREFIX}${at}#${entry.actor}#${entry.action}`,
    at,
    actor: entry.actor,
    action: entry.action,
    reason: entry.reason,
    ...(entry.details ? { details: entry.details } : {}),
    expiresAt: Math.floor(entry.at.getTime() / 1000) + retentionDays * 86_400,
  };
}

/** The activity log as rows of cr-sends: `cartId` + `log#<time>#<actor>#<action>`, expiring with the cart. */
export class DynamoDbActivityLog implements ActivityLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async record(entry: ActivityEntry): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: activityItem(entry, this.retentionDays),
          // A retried invocation logging the same decision keeps the first line.
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async history(cartId: string): Promise<ActivityEntry[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'cartId = :cartId AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':cartId': cartId, ':prefix': ACTIVITY_PREFIX },
      }),
    );
    return Items.map((item) => ({
      cartId,
      at: new Date(String(item.at)),
      actor: item.actor as ActivityEntry['actor'],
      action: String(item.action),
      reason: String(item.reason),
      ...(item.details ? { details: item.details as ActivityEntry['details'] } : {}),
    }));
  }
}
