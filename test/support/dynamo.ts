import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTables, localTables } from '../../src/local/create-tables';
import { LOCAL_AWS } from '../../src/local/dynamodb-local';

/** A fresh set of tables in the run's shared DynamoDB Local, under a prefix no other test uses. */
export async function freshTables() {
  const endpoint = inject('dynamoEndpoint');
  const client = new DynamoDBClient({ endpoint, ...LOCAL_AWS });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const { names, tables } = localTables(prefix);
  // Tests run on simulated clocks, often in the real past: DynamoDB Local's TTL (wall clock) must not delete rows.
  await ensureTables(client, tables, { ttl: false });
  return { endpoint, client, documents, prefix, names };
}
