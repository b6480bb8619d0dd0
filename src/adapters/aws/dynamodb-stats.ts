import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CounterIncrement,
  EMPTY_COUNTERS,
  monthOf,
  type MonthlyCounters,
  SIMPLE_COUNTERS,
} from '../../domain/reporting/summary';
import type { Stats, StatsEntry } from '../../ports/stats';

/** Counters live in cr-sends under a reserved partition (cart ids never start with `#`), one row per month. */
export const STATS_PARTITION = '#stats';

/** Items per TransactWriteItems request (DynamoDB's limit). */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * One atomic `ADD` per month row: counting never reads first, so concurrent Lambdas cannot lose an increment.
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
    const month = monthOf(at, await this.timeZone());
    await this.client.send(new UpdateCommand(this.monthUpdate(month, increments)));
  }

  /**
   * One transaction for the whole batch, one `ADD` per month it touches. The transaction's ClientRequestToken comes
   * from `batchKey`, so DynamoDB applies a retried batch once (for 10 minutes; see docs/architecture.md).
   */
  async addBatch(entries: readonly StatsEntry[], batchKey: string): Promise<void> {
    const zone = await this.timeZone();
    const byMonth = new Map<string, CounterIncrement[]>();
    for (const { at, increments } of entries) {
      if (increments.length === 0) continue;
      const month = monthOf(at, zone);
      byMonth.set(month, [...(byMonth.get(month) ?? []), ...increments]);
    }
    const updates = [...byMonth]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([month, increments]) => this.monthUpdate(month, increments));
    for (let start = 0; start < updates.length; start += MAX_TRANSACTION_ITEMS) {
      const chunk = updates.slice(start, start + MAX_TRANSACTION_ITEMS);
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: chunk.map((update) => ({ Update: update })),
          // At most 36 characters; a hash keeps any key within that and the same key gives the same token.
          ClientRequestToken: createHash('sha256').update(`${batchKey}#${start}`).digest('hex').slice(0, 36),
        }),
      );
    }
  }

  async month(month: string): Promise<MonthlyCounters> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { cartId: STATS_PARTITION, sk: `month#${month}` },
        ConsistentRead: true,
      }),
    );
    if (!Item) return EMPTY_COUNTERS;
    const prefixed = (prefix: string) =>
      Object.fromEntries(
        Object.entries(Item)
          .filter(([key, n]) => key.startsWith(prefix) && Number(n) !== 0) // a count moved to another month leaves a 0
          .map(([key, n]) => [key.slice(prefix.length), Number(n)]),
      );
    const counters: Record<string, unknown> = {
      ...EMPTY_COUNTERS,
      skipped: prefixed('skipped_'),
      wonBack: prefixed('wonBack_'),
    };
    for (const name of SIMPLE_COUNTERS) counters[name] = Number(Item[name] ?? 0);
    return counters as unknown as MonthlyCounters;
  }

  /**
   * The `ADD` of some increments to the row of the month `at` falls in, as one item of a transaction: for writers that
   * count in the same transaction as the record of what they count (the send ledger).
   */
  async updateFor(at: Date, increments: readonly CounterIncrement[]) {
    return this.monthUpdate(monthOf(at, await this.timeZone()), increments);
  }

  /** The `ADD` of some increments to one month's row. */
  private monthUpdate(month: string, increments: readonly CounterIncrement[]) {
    const amounts = new Map<string, number>();
    const bump = (attribute: string, by: number) => amounts.set(attribute, (amounts.get(attribute) ?? 0) + by);
    for (const increment of increments) {
      const sign = increment.undo ? -1 : 1;
      if (increment.counter === 'skipped') bump(`skipped_${safe(increment.reason)}`, sign);
      else if (increment.counter === 'recovered') {
        bump('recovered', sign);
        bump(`wonBack_${safe(increment.currency)}`, sign * increment.minor);
      } else bump(increment.counter, sign);
    }
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const parts = [...amounts].map(([attribute, by], index) => {
      names[`#a${index}`] = attribute;
      values[`:v${index}`] = by;
      return `#a${index} :v${index}`;
    });
    return {
      TableName: this.tableName,
      Key: { cartId: STATS_PARTITION, sk: `month#${month}` },
      UpdateExpression: `ADD ${parts.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
}

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}
