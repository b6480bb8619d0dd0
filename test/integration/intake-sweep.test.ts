/**
 * A sweep of forged, mutated, oversized, mistyped and replayed requests to both webhook URLs through the real intake
 * handler on DynamoDB Local. After a few valid deliveries, the table is photographed; then thousands of bad requests
 * (and exact replays of the valid ones) are sent in random order. Nothing bad may be accepted, no refusal may write
 * (the table must equal the photograph), every refusal of a signed body is a 400 naming the field that was broken,
 * and nothing answers 5xx. Deterministic: one fixed seed.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { answeredAsExpected, buildIntakeSweep, headersToSend, type SweepRequest } from '../../bench/intake-sweep';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { ShopifyWebhook } from '../../src/adapters/webhooks/shopify-webhook';
import { StandardCartWebhook } from '../../src/adapters/webhooks/standard-webhook';
import { createIntakeHandler } from '../../src/handlers/intake';
import type { FunctionUrlHandler } from '../../src/http/function-url';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { freshTables } from '../support/dynamo';
import { functionUrlEvent } from '../support/function-url';
import { RecordingScheduler } from '../support/recording-scheduler';
import { standardHeaders } from '../support/webhooks';

const secret = `whsec_${Buffer.from('sweep-secret').toString('base64')}`;
const shopSecret = 'sweep-shop-secret';

describe('the intake sweep', () => {
  let handler: FunctionUrlHandler;
  let snapshot: () => Promise<unknown[]>;

  beforeAll(async () => {
    const { documents, names } = await freshTables();
    const clock = new ControllableClock();
    handler = createIntakeHandler({
      carts: new DynamoDbCartStore(documents, names.carts),
      activity: new DynamoDbActivityLog(documents, names.sends, 90),
      scheduler: new RecordingScheduler(),
      rules: fixedRules(),
      clock,
      log: silentLog,
      retentionDays: 90,
      formats: {
        '/webhooks/cart': new StandardCartWebhook(secret, clock),
        '/webhooks/shopify': new ShopifyWebhook(shopSecret, clock),
      },
    });
    snapshot = async () => {
      const [carts, sends] = await Promise.all(
        [names.carts, names.sends].map(
          async (table) =>
            (await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [],
        ),
      );
      const key = (item: Record<string, unknown>) => `${String(item.cartId)}#${String(item.sk ?? '')}`;
      return [...carts!, ...sends!].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    };
  });

  it('refuses 5,000+ forged, mutated, oversized, ' +
    'mistyped and replayed requests: none accepted, none written, no 5xx', async () => {
    const send = (request: Pick<SweepRequest, 'path' | 'body' | 'headers' | 'signOnSend'>) =>
      handler(functionUrlEvent({ path: request.path, headers: headersToSend(request, secret), body: request.body }));

    // The valid deliveries first (30 carts in our format, 20 Shopify checkouts and 10 of their orders), then the
    // sweep (bench/intake-sweep.ts) in a fixed shuffled order, a few at a time.
    const { valid, sweep, order } = buildIntakeSweep({
      cartSecret: secret,
      shopifySecret: shopSecret,
      nowMs: Date.now(),
    });
    for (const request of valid) expect((await send(request)).statusCode).toBe(200);
    const photograph = await snapshot();

    const tally: Record<string, number> = {};
    const wrong: string[] = [];
    let serverErrors = 0;
    for (let i = 0; i < order.length; i += 16) {
      await Promise.all(
        order.slice(i, i + 16).map(async (index) => {
          const request = sweep[index]!;
          const response = await send(request);
          tally[request.category] = (tally[request.category] ?? 0) + 1;
          if (response.statusCode >= 500) serverErrors += 1;
          const ok = answeredAsExpected(request, response.statusCode, response.body);
          if (!ok)
            wrong.push(
              `${request.category} ${request.path} ${JSON.stringify(request.expect)} -> ` +
                `${response.statusCode} ${response.body?.slice(0, 160)}`,
            );
        }),
      );
    }
    const total = Object.values(tally).reduce((a, b) => a + b, 0);
    console.info(
      `intake sweep: ${total} requests ${JSON.stringify(tally)}, ${wrong.length} answered wrongly, ${serverErrors} 5xx`,
    );

    expect(total).toBeGreaterThanOrEqual(5_000);
    if (wrong.length > 0) console.info(wrong.join('\n'));
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(serverErrors).toBe(0);
    // Nothing a refusal or a replay did is in the tables.
    expect(await snapshot()).toEqual(photograph);
    // And a valid delivery still lands.
    const first = JSON.parse(valid[0]!.body) as { data: Record<string, unknown> };
    const fresh = JSON.stringify({ ...first, data: { ...first.data, id: 'after-sweep' } });
    expect(
      (await send({ path: '/webhooks/cart', body: fresh, headers: standardHeaders(fresh, secret) })).statusCode,
    ).toBe(200);
  }, 600_000);
});
