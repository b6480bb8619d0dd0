import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

  async record(optOut: OptOut): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { email: optOut.email, scope: optOutScopeKey(optOut.scope, optOut.cartId) },
        UpdateExpression: 'SET #at = if_not_exists(#at, :at), #source = if_not_exists(#source, :source), cartId = if_not_exists(cartId, :cartId)',
        ExpressionAttributeNames: { '#at': 'at', '#source': 'source' },
        ExpressionAttributeValues: { ':at': optOut.at.toISOString(), ':source': optOut.source, ':cartId': optOut.cartId },
      }),
    );
  }
}
