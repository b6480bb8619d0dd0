/** `npm run carts -- --aws`: the deployed tables through aws-sdk-client-mock. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { OperatorCommandError, runCartsCommand } from '../../src/use-cases/operator-carts';

const zone = async () => 'America/New_York';

describe('npm run carts -- --aws (aws-sdk-client-mock)', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);

  it(
    "reads the deployed tables for a cart's story, " + 'and says plainly why the failure queue cannot be read',
    async () => {
      dynamo.reset();
      dynamo.on(GetCommand, { TableName: 'cr-carts', Key: { cartId: 'shopify-8f2k1' } }).resolves({
        Item: {
          cartId: 'shopify-8f2k1',
          source: 'shopify',
          status: 'checked_out',
          email: 'sam@example.com',
          items: [{ title: 'Linen shirt', quantity: 1, unitPrice: 6000 }],
          total: { minor: 6000, currency: 'USD' },
          eventKey: 'k',
          firstSeenAt: '2026-11-02T19:00:00.000Z',
          lastChangedAt: '2026-11-02T19:10:00.000Z',
          remindersSent: 1,
          expiresAt: 0,
        },
      });
      dynamo.on(QueryCommand, { TableName: 'cr-sends' }).resolves({
        Items: [
          {
            at: '2026-11-03T14:00:00.000Z',
            actor: 'intake',
            action: 'checked_out',
            reason: 'order 1001 paid 2 h after the first reminder: recovered',
          },
        ],
      });
      const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
      const deps = {
        carts: new DynamoDbCartStore(client, 'cr-carts'),
        activity: new DynamoDbActivityLog(client, 'cr-sends', 90),
        failuresUnavailable: 'the failure queue is read only by the failures and replay commands',
        zone,
      };
      const story = await runCartsCommand(['story', 'shopify-8f2k1'], deps);
      expect(story).toContain('Cart shopify-8f2k1: bought.');
      expect(story).toContain('1 x Linen shirt; $60.00; address sam@example.com.');
      expect(story).toContain(
        'Tue 3 Nov 2026 09:00  The storefront: checked out. order 1001 paid 2 h after the first reminder: recovered',
      );
      await expect(runCartsCommand(['failures'], deps)).rejects.toThrow(
        new OperatorCommandError('the failure queue is read only by the failures and replay commands'),
      );
      await expect(runCartsCommand(['story'], deps)).rejects.toThrow(/story needs a cart id/);
    },
  );
});
