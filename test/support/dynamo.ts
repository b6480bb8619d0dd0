import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTables } from '../../src/adapters/local/create-tables';
import { LOCAL_AWS } from '../../src/adapters/local/dynamodb-local';
import { LOCAL_SCHEDULES_TABLE } from '../../src/adapters/local/local-scheduler';
import { CARTS_TABLE, OPTOUTS_TABLE, SENDS_TABLE, tableNames } from '../../src/tables';

/** A fresh set of tables in the run's shared DynamoDB Local, under a prefix no other test uses. */
export async function freshTables() {
  const endpoint = inject('dynamoEndpoint');
  const client = new DynamoDBClient({ endpoint, ...LOCAL_AWS });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const names = { ...tableNames(prefix), schedules: `${prefix}${LOCAL_SCHEDULES_TABLE.name}` };
  await ensureTables(client, [
    { definition: CARTS_TABLE, tableName: names.carts },
    { definition: SENDS_TABLE, tableName: names.sends },
    { definition: OPTOUTS_TABLE, tableName: names.optouts },
    { definition: LOCAL_SCHEDULES_TABLE, tableName: names.schedules },
  ]);
  return { endpoint, client, documents, prefix, names };
}
