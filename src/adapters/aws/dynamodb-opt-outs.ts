import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OptOut, OptOutScope, OptOutStore } from '../../ports/opt-outs';

/** Sort key of an opt-out: `all`, or `cart#<cartId>`. */
export function optOutScopeKey(scope: OptOutScope, cartId: string): string {
  return scope === 'all' ? 'all' : `cart#${cartId}`;
}

/** cr-optouts: one partition per email, so one query answers both "this cart" and "everything". */
export class DynamoDbOptOutStore implements OptOutStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(email: string, cartId: string): Promise<OptOutScope | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'email = :email',
        ExpressionAttributeValues: { ':email': email },
        ProjectionExpression: '#scope',
        ExpressionAttributeNames: { '#scope': 'scope' },
        ConsistentRead: true,
      }),
    );
    const scopes = new Set(Items.map((item) => String(item.scope)));
    if (scopes.has('all')) return 'all';
    if (scopes.has(optOutScopeKey('cart', cartId))) return 'cart';
    return undefined;
  }

  async record(optOut: OptOut): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            email: optOut.email,
            scope: optOutScopeKey(optOut.scope, optOut.cartId),
            at: optOut.at.toISOString(),
            source: optOut.source,
            cartId: optOut.cartId,
          },
          // The first opt-out stands: a second click keeps its time and source.
          ConditionExpression: 'attribute_not_exists(email)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
