import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { CartRow } from '../../domain/cart/cart';
import type { SendRecord } from '../../ports/send-ledger';
import type { TableNames } from '../../resources/tables';
import { ACTIVITY_PREFIX } from './dynamodb-activity-log';
import type { MonthRecords } from '../../ports/month-records';

/** Reads every record a recount needs, with full table scans (an operator's check, never a hot path). */
export async function scanMonthRecords(
  client: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'carts' | 'sends' | 'optouts'>,
): Promise<MonthRecords> {
  const [carts, sends, optOuts] = await Promise.all([
    scan(client, tables.carts),
    scan(client, tables.sends),
    scan(client, tables.optouts),
  ]);
  const rows = sends.filter((item) => !String(item.cartId).startsWith('#'));
  return {
    carts: carts as unknown as CartRow[],
    sends: rows.filter((item) => String(item.sk).startsWith('send#')) as unknown as SendRecord[],
    activity: rows
      .filter((item) => String(item.sk).startsWith(ACTIVITY_PREFIX))
      .map((item) => ({
        at: new Date(String(item.at)),
        cartId: String(item.cartId),
        actor: String(item.actor),
        action: String(item.action),
        details: item.details as Record<string, unknown> | undefined,
      })),
    optOuts: optOuts.map((item) => ({ at: String(item.at) })),
  };
}

async function scan(client: DynamoDBDocumentClient, tableName: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true }))
    items.push(...(page.Items ?? []));
  return items;
}
