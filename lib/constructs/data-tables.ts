import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CARTS_TABLE,
  type KeyAttribute,
  OPTOUTS_TABLE,
  SENDS_TABLE,
  type TableDefinition,
} from '../../src/resources/tables';
import type { EnvName } from '../../src/composition/aws/environment';
import { acknowledgeWildcardResource, type ServiceFunction } from './service-function';

/** The tables by role; the keys are also the names used in {@link DataTables.grant}. */
export const TABLE_DEFINITIONS = {
  carts: CARTS_TABLE,
  sends: SENDS_TABLE,
  optouts: OPTOUTS_TABLE,
} as const satisfies Record<string, TableDefinition>;

export type TableRole = keyof typeof TABLE_DEFINITIONS;

/**
 * The DynamoDB actions the app's adapters make (TransactWriteItems is authorized per item as these). `Query` is a
 * query of the table itself, `QueryIndex` one of its global secondary indexes (authorized against `<table>/index/*`).
 */
export type ItemAction = 'GetItem' | 'Query' | 'QueryIndex' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/**
 * What a function may do on a table: exactly the item actions its adapters make on it (see each construct), or one
 * of the broad shorthands, which still leave out what no adapter does (Scan, the batch actions, ConditionCheckItem,
 * DescribeTable; the CDK's table grants include them all). `npm run rehearse` lists every grant no call used.
 */
export type TableAccess = 'read' | 'write' | 'readWrite' | readonly ItemAction[];

const SHORTHANDS: Record<'read' | 'write' | 'readWrite', readonly ItemAction[]> = {
  read: ['GetItem', 'Query', 'QueryIndex'],
  write: ['PutItem', 'UpdateItem', 'DeleteItem'],
  readWrite: ['GetItem', 'Query', 'QueryIndex', 'PutItem', 'UpdateItem', 'DeleteItem'],
};

/** Environment variable that carries each table's name, as `src/composition/aws/environment.ts` expects it. */
export const TABLE_ENV: Record<TableRole, EnvName> = {
  carts: 'CR_CARTS_TABLE',
  sends: 'CR_SENDS_TABLE',
  optouts: 'CR_OPTOUTS_TABLE',
};

/** What Lambda's stream poller calls (the actions its creation check names), granted on one stream ARN only. */
export const STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
] as const;

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/**
 * The three DynamoDB tables, built from the plain definitions in `src/resources/tables.ts` that the local system
 * also uses: on-demand billing, point-in-time recovery, encryption at rest (AWS-owned key), TTL where the definition
 * names an attribute, a change stream where it names one (cr-carts, read by the cart counter), and RETAIN for tables
 * that hold shopper data.
 */
export class DataTables extends Construct {
  readonly tables: Readonly<Record<TableRole, dynamodb.Table>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const build = (role: TableRole, constructId: string) => {
      const definition: TableDefinition = TABLE_DEFINITIONS[role];
      const table = new dynamodb.Table(this, constructId, {
        tableName: definition.name,
        partitionKey: attribute(definition.partitionKey),
        ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // Encrypted at rest with an AWS-owned key: no key fee and, unlike aws/dynamodb, no billed KMS requests.
        encryption: dynamodb.TableEncryption.DEFAULT,
        ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
        ...(definition.stream === 'NEW_AND_OLD_IMAGES' ? { stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES } : {}),
        removalPolicy: definition.retainOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      for (const index of definition.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
          projectionType: index.projection === 'ALL' ? dynamodb.ProjectionType.ALL : dynamodb.ProjectionType.KEYS_ONLY,
        });
      }
      return table;
    };
    this.tables = {
      carts: build('carts', 'Carts'),
      sends: build('sends', 'Sends'),
      optouts: build('optouts', 'OptOuts'),
    };
  }

  /**
   * Grants item actions on one table and sets the table-name variable. `QueryIndex` on a table with indexes grants
   * `dynamodb:Query` on `<table>/index/*` (DynamoDB authorizes an index query against the index ARN): that finding is
   * acknowledged here, on the grantee, with its reason. The other actions name the table ARN only.
   */
  grant(fn: ServiceFunction, role: TableRole, access: TableAccess): void {
    const table = this.tables[role];
    const actions = typeof access === 'string' ? SHORTHANDS[access] : access;
    const { name, indexes } = TABLE_DEFINITIONS[role];
    const onTable = actions.filter((action) => action !== 'QueryIndex');
    if (onTable.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: onTable.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
        }),
      );
    }
    if (actions.includes('QueryIndex') && indexes.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/*`] }),
      );
      acknowledgeWildcardResource(
        fn,
        `${table.tableArn}/index/*`,
        `Queries use the global secondary indexes of ${name} ` +
          `(${indexes.map((index) => index.indexName).join(', ')}); ` +
          'index/* under that one table ARN, for dynamodb:Query only.',
      );
    }
    fn.addEnvironment(TABLE_ENV[role], table.tableName);
  }

  /**
   * Lets a function's event source mapping read one table's change stream: the four actions Lambda's stream poller
   * is documented to need, on exactly that stream's ARN. Not `table.grantStreamRead`, which puts
   * `dynamodb:ListStreams` on `*` (no `*` resource anywhere in this app). The poller is given the stream ARN and
   * reads it with DescribeStream, GetShardIterator and GetRecords; ListStreams is named because the mapping's
   * creation check asks for it, and scoped to the stream ARN it passes that check.
   * Returns the stream ARN, for the mapping.
   */
  grantStreamRead(fn: ServiceFunction, role: TableRole): string {
    const streamArn = this.tables[role].tableStreamArn;
    if (!streamArn)
      throw new Error(`${TABLE_DEFINITIONS[role].name} has no stream (set \`stream\` in src/resources/tables.ts)`);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: `Read${role.charAt(0).toUpperCase()}${role.slice(1)}Stream`,
        actions: [...STREAM_READ_ACTIONS],
        resources: [streamArn],
      }),
    );
    return streamArn;
  }
}
