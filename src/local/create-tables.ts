import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CARTS_TABLE,
  OPTOUTS_TABLE,
  SENDS_TABLE,
  type TableDefinition,
  type TableNames,
  tableNames,
} from '../resources/tables';
import { LOCAL_SCHEDULES_TABLE } from '../adapters/local/local-scheduler';

/** The local system's tables under a prefix: the three product tables plus the local stand-in for Scheduler. */
export function localTables(prefix = ''): {
  names: TableNames & { readonly schedules: string };
  tables: Array<{ definition: TableDefinition; tableName: string }>;
} {
  const names = { ...tableNames(prefix), schedules: `${prefix}${LOCAL_SCHEDULES_TABLE.name}` };
  return {
    names,
    tables: [
      { definition: CARTS_TABLE, tableName: names.carts },
      { definition: SENDS_TABLE, tableName: names.sends },
      { definition: OPTOUTS_TABLE, tableName: names.optouts },
      { definition: LOCAL_SCHEDULES_TABLE, tableName: names.schedules },
    ],
  };
}

/** The CreateTable request for a shared table definition (the CDK stack maps the same definition). */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const keys = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  for (const key of keys) if (key) attributes.set(key.name, key.type);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    ...(definition.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } } : {}),
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    GlobalSecondaryIndexes:
      definition.indexes.length === 0
        ? undefined
        : definition.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
              ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: index.projection },
          })),
  };
}

/**
 * Creates each table that does not exist yet (a restart keeps existing data), with its TTL attribute and stream. A
 * table kept from an older version that lacks the stream its definition now names gets it turned on.
 *
 * `ttl: false` leaves TTL off: DynamoDB Local deletes expired items by the wall clock, so on a simulated clock (tests,
 * benches, a local system started at a fixed time) rows whose simulated expiry lies in the real past would vanish
 * mid-run, a send record among them, and a reminder could be sent again.
 */
export async function ensureTables(
  client: DynamoDBClient,
  tables: ReadonlyArray<{ definition: TableDefinition; tableName: string }>,
  options: { readonly ttl?: boolean } = {},
): Promise<string[]> {
  const created: string[] = [];
  for (const { definition, tableName } of tables) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (definition.stream && !Table?.StreamSpecification?.StreamEnabled) {
        await client.send(
          new UpdateTableCommand({
            TableName: tableName,
            StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
          }),
        );
      }
      continue;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
    if (definition.ttlAttribute && options.ttl !== false) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
        }),
      );
    }
    created.push(tableName);
  }
  return created;
}
