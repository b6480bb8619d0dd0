import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock';
import { StoredOwnerDocs } from '../owner-docs-source';
import { DynamoDbOwnerDocsStore } from './dynamodb-owner-docs-store';

/** The rules and voice a Lambda uses: the rules loader's last good copies in cr-sends, cached per container. */
export function storedOwnerDocs(documents: DynamoDBDocumentClient, sendsTable: string, clock: Clock, cacheSeconds: number): StoredOwnerDocs {
  return new StoredOwnerDocs(new DynamoDbOwnerDocsStore(documents, sendsTable), clock, cacheSeconds * 1000);
}
