import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReleaseQueue } from '../../ports/release';

/**
 * Release counters live in cr-sends under a reserved partition (cart ids never start with `#`), one row per release.
 */
export const RELEASE_PARTITION = '#release';

/**
 * One atomic `ADD` per place taken, returning the new count: concurrent senders can never be handed the same place.
 * Each held reminder writes its release's row once, overnight, as it is deferred, so even a 200,000-reminder morning
 * stays far below DynamoDB's per-item limit of 1,000 writes a second.
 */
export class DynamoDbReleaseQueue implements ReleaseQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Days the row is kept, like every row of the table (a release is read for a day at most; the row is tiny). */
    private readonly retentionDays: number,
  ) {}

  async take(releaseAt: Date): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(releaseAt),
        UpdateExpression: 'ADD places :one SET expiresAt = if_not_exists(expiresAt, :expires)',
        ExpressionAttributeValues: {
          ':one': 1,
          ':expires': Math.floor(releaseAt.getTime() / 1000) + this.retentionDays * 86_400,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const place = Number(Attributes?.places);
    if (!Number.isInteger(place) || place < 1)
      throw new Error(`release counter for ${releaseAt.toISOString()} returned ${String(Attributes?.places)}`);
    return place;
  }

  async size(releaseAt: Date): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(releaseAt), ConsistentRead: true }),
    );
    return Number(Item?.places ?? 0);
  }

  private key(releaseAt: Date): { cartId: string; sk: string } {
    return { cartId: RELEASE_PARTITION, sk: `at#${releaseAt.toISOString()}` };
  }
}
