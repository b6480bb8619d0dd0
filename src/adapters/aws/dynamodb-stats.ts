import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CounterIncrement, EMPTY_COUNTERS, monthOf, type MonthlyCounters } from '../../domain/summary';
import type { Stats } from '../../ports/stats';

/** Counters live in cr-sends under a reserved partition (cart ids never start with `#`), one row per month. */
export const STATS_PARTITION = '#stats';

const SIMPLE = ['cartsSeen', 'cartsWithAddress', 'remindersFirst', 'remindersSecond', 'recovered', 'optOuts', 'deferredQuietHours'] as const;

/**
 * One atomic `ADD` per event: counting never reads first, so concurrent Lambdas cannot lose an increment.
 * Nested counts are flat attributes (`skipped_<reason>`, `wonBack_<currency>`), because ADD cannot create a map entry.
 */
export class DynamoDbStats implements Stats {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly timeZone: () => Promise<string>,
  ) {}

  async add(at: Date, ...increments: CounterIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    const amounts = new Map<string, number>();
    const bump = (attribute: string, by: number) => amounts.set(attribute, (amounts.get(attribute) ?? 0) + by);
    for (const increment of increments) {
      if (increment.counter === 'skipped') bump(`skipped_${safe(increment.reason)}`, 1);
      else if (increment.counter === 'recovered') {
        bump('recovered', 1);
        bump(`wonBack_${safe(increment.currency)}`, increment.minor);
      } else bump(increment.counter, 1);
    }
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const parts = [...amounts].map(([attribute, by], index) => {
      names[`#a${index}`] = attribute;
      values[`:v${index}`] = by;
      return `#a${index} :v${index}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { cartId: STATS_PARTITION, sk: `month#${monthOf(at, await this.timeZone())}` },
        UpdateExpression: `ADD ${parts.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async month(month: string): Promise<MonthlyCounters> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { cartId: STATS_PARTITION, sk: `month#${month}` }, ConsistentRead: true }),
    );
    if (!Item) return EMPTY_COUNTERS;
    const prefixed = (prefix: string) =>
      Object.fromEntries(Object.entries(Item).filter(([key]) => key.startsWith(prefix)).map(([key, n]) => [key.slice(prefix.length), Number(n)]));
    const counters: Record<string, unknown> = { ...EMPTY_COUNTERS, skipped: prefixed('skipped_'), wonBack: prefixed('wonBack_') };
    for (const name of SIMPLE) counters[name] = Number(Item[name] ?? 0);
    return counters as unknown as MonthlyCounters;
  }
}

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}
