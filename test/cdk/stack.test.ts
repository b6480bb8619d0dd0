/**
 * The production stack as `npx cdk synth` builds it with no context (demo placeholders), synthesized once.
 * Expectations are derived from `src/tables.ts`, `src/config.ts` and the construct constants, not copied from the
 * template, so a drift between the app and its infrastructure fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { CartRecoveryStack, HANDLER_ENTRIES } from '../../lib/cart-recovery-stack';
import {
  DEFAULT_BEDROCK_MODEL_ID,
  DeployConfigError,
  environmentVariableFor,
  parseDeployConfig,
  PLACEHOLDERS,
  readDeployConfig,
} from '../../lib/config';
import { TABLE_DEFINITIONS, TABLE_ENV, type TableRole } from '../../lib/constructs/data-tables';
import { SCHEDULE_GROUP_NAME } from '../../lib/constructs/scheduling';
import { FUNCTION_NAMES, type FunctionRole, renderForNag } from '../../lib/constructs/service-function';
import { intakeEnvSchema, senderEnvSchema, unsubscribeEnvSchema, waiterEnvSchema } from '../../src/config';
import { TABLES, type TableDefinition } from '../../src/tables';

type Json = Record<string, any>;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Json };
const BUILT: Record<FunctionRole, boolean> = {
  intake: true,
  waiter: true,
  sender: existsSync(HANDLER_ENTRIES.sender),
  unsubscribe: existsSync(HANDLER_ENTRIES.unsubscribe),
};
const ROLES = (Object.keys(BUILT) as FunctionRole[]).filter((role) => BUILT[role]);
const WITH_URL: FunctionRole[] = ['intake', ...(BUILT.unsubscribe ? (['unsubscribe'] as const) : [])];
const SCHEDULING_ENV = ['CR_SCHEDULE_GROUP', 'CR_WAITER_ARN', 'CR_SCHEDULER_ROLE_ARN', 'CR_SCHEDULER_DLQ_ARN'];

/** Every variable each function must get, from the brief and src/config.ts. */
const EXPECTED_ENV: Record<FunctionRole, string[]> = {
  intake: ['CR_CARTS_TABLE', 'CR_SENDS_TABLE', 'CR_RETENTION_DAYS', 'CR_WEBHOOK_SECRET_PARAM', ...SCHEDULING_ENV],
  waiter: [
    'CR_CARTS_TABLE',
    'CR_SENDS_TABLE',
    'CR_OPTOUTS_TABLE',
    'CR_RETENTION_DAYS',
    ...(BUILT.sender ? ['CR_SENDER_ARN'] : []),
    ...SCHEDULING_ENV,
  ],
  sender: [
    'CR_CARTS_TABLE',
    'CR_SENDS_TABLE',
    'CR_OPTOUTS_TABLE',
    'CR_RETENTION_DAYS',
    'CR_FROM_ADDRESS',
    'CR_STORE_NAME',
    'CR_STORE_POSTAL_ADDRESS',
    'CR_SES_CONFIGURATION_SET',
    ...(BUILT.unsubscribe ? ['CR_UNSUBSCRIBE_BASE_URL'] : []),
    'CR_UNSUBSCRIBE_KEY_PARAM',
    'CR_BEDROCK_MODEL_ID',
    'CR_SENDER_ARN',
    ...SCHEDULING_ENV,
  ],
  unsubscribe: ['CR_CARTS_TABLE', 'CR_OPTOUTS_TABLE', 'CR_SENDS_TABLE', 'CR_UNSUBSCRIBE_KEY_PARAM', 'CR_RETENTION_DAYS'],
};

/** The runtime's own view of its environment (read at cold start with `readConfig`). */
const RUNTIME_SCHEMAS = {
  intake: intakeEnvSchema,
  waiter: waiterEnvSchema,
  sender: senderEnvSchema,
  unsubscribe: unsubscribeEnvSchema,
} as const;

/** The only wildcard-suffixed resources any policy may name, each for a reason acknowledged in cdk-nag. */
const WILDCARD_ALLOW_LIST = [
  // Per-cart schedules are named at runtime, inside the one group.
  new RegExp(`^arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${SCHEDULE_GROUP_NAME}/\\*$`),
  // Global secondary indexes of the two tables that have them.
  /^<DataCarts[0-9A-F]{8}\.Arn>\/index\/\*$/,
  /^<DataSends[0-9A-F]{8}\.Arn>\/index\/\*$/,
  // The foundation model behind the global inference profile, in whichever Region serves the call.
  /^arn:<AWS::Partition>:bedrock:\*::foundation-model\/anthropic\.claude-haiku-4-5-20251001-v1:0$/,
];

let stack: CartRecoveryStack;
let template: Template;
let resources: Record<string, Json>;

beforeAll(() => {
  const app = new App({ context: cdkJson.context });
  stack = new CartRecoveryStack(app, 'CartRecovery', { config: readDeployConfig(app, {}) });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Json>;
});

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalIdOf = (type: string, predicate: (props: Json) => boolean): string => {
  const matches = ofType(type).filter(([, resource]) => predicate(resource.Properties ?? {}));
  expect(matches, `exactly one ${type} matching`).toHaveLength(1);
  return matches[0]![0];
};
const tableId = (name: string) => logicalIdOf('AWS::DynamoDB::Table', (p) => p.TableName === name);
const functionId = (role: FunctionRole) => logicalIdOf('AWS::Lambda::Function', (p) => p.FunctionName === FUNCTION_NAMES[role]);
const functionProps = (role: FunctionRole): Json => resources[functionId(role)]!.Properties;
const roleIdOf = (role: FunctionRole): string => functionProps(role).Role['Fn::GetAtt'][0];
const policyOf = (roleId: string): Json[] => {
  const policies = ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId));
  return policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
};
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const statementsFor = (role: FunctionRole, action: string) =>
  policyOf(roleIdOf(role)).filter((statement) => list(statement.Action).includes(action));
const resourcesFor = (role: FunctionRole, action: string) =>
  statementsFor(role, action).flatMap((statement) => list(statement.Resource).map(renderForNag));

describe('resources', () => {
  it('has exactly the expected resource types and counts', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    const functions = ROLES.length;
    expect(counts).toEqual({
      'AWS::DynamoDB::Table': TABLES.length,
      'AWS::Scheduler::ScheduleGroup': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::SES::ConfigurationSet': 1,
      'AWS::SES::EmailIdentity': 1,
      // One role per function plus the Scheduler role, each with its own policy.
      'AWS::IAM::Role': functions + 1,
      'AWS::IAM::Policy': functions + 1,
      'AWS::Lambda::Function': functions,
      'AWS::Logs::LogGroup': functions,
      'AWS::Lambda::Url': WITH_URL.length,
      // InvokeFunctionUrl + InvokeFunction per public URL (required for URLs created since Oct 2025).
      'AWS::Lambda::Permission': 2 * WITH_URL.length,
      'AWS::CloudWatch::Alarm': functions + 1,
    });
  });

  it('warns that demo placeholders are in use when there is no context', () => {
    Annotations.fromStack(stack).hasWarning('/CartRecovery', Match.stringLikeRegexp('Demo placeholders in use'));
  });

  it.skipIf(BUILT.sender && BUILT.unsubscribe)('warns while the sender or unsubscribe handler is missing', () => {
    Annotations.fromStack(stack).hasWarning('/CartRecovery', Match.stringLikeRegexp('Not built yet'));
  });
});

describe('tables follow src/tables.ts', () => {
  const keySchema = (definition: Pick<TableDefinition, 'partitionKey' | 'sortKey'>) => [
    { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
    ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
  ];

  it.each(TABLES.map((definition) => [definition.name, definition] as const))('%s', (_name, definition) => {
    const def: TableDefinition = definition;
    const table = resources[tableId(def.name)]!;
    const props = table.Properties;
    expect(props.KeySchema).toEqual(keySchema(def));
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props.SSESpecification).toEqual({ SSEEnabled: true }); // AWS-managed key (aws/dynamodb)
    if (def.ttlAttribute) expect(props.TimeToLiveSpecification).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
    else expect(props.TimeToLiveSpecification).toBeUndefined();
    if (def.retainOnDelete) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    }

    const gsis = (props.GlobalSecondaryIndexes ?? []) as Json[];
    expect(gsis.map((gsi) => gsi.IndexName).sort()).toEqual(def.indexes.map((index) => index.indexName).sort());
    for (const index of def.indexes) {
      expect(gsis.find((gsi) => gsi.IndexName === index.indexName)).toEqual({
        IndexName: index.indexName,
        KeySchema: keySchema(index),
        Projection: { ProjectionType: index.projection },
      });
    }

    const keys = [def.partitionKey, def.sortKey, ...def.indexes.flatMap((index) => [index.partitionKey, index.sortKey])];
    const expected = new Map(keys.filter((key) => key !== undefined).map((key) => [key.name, key.type]));
    expect(props.AttributeDefinitions).toEqual(
      expect.arrayContaining([...expected].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }))),
    );
    expect(props.AttributeDefinitions).toHaveLength(expected.size);
  });
});

describe('functions', () => {
  it.each(ROLES)('%s: Node.js 22 on arm64, bundled handler, own log group, expected environment', (role) => {
    const props = functionProps(role);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('index.handler');
    expect(props.MemorySize).toBe(256);
    expect(props.Timeout).toBe(role === 'sender' ? 30 : 10);
    expect(props.ReservedConcurrentExecutions).toBeUndefined();

    const variables = props.Environment.Variables as Json;
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', ...EXPECTED_ENV[role]].sort());
    for (const [table, name] of Object.entries(TABLE_ENV) as [TableRole, string][]) {
      if (name in variables) expect(variables[name], name).toEqual({ Ref: tableId(TABLE_DEFINITIONS[table].name) });
    }

    const logGroupId = props.LoggingConfig.LogGroup.Ref as string;
    expect(resources[logGroupId]!.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId]!.Properties).toMatchObject({ LogGroupName: `/aws/lambda/${FUNCTION_NAMES[role]}`, RetentionInDays: 30 });

    // No managed policies (no AWSLambdaBasicExecutionRole): the role writes only to its own log group.
    const roleResource = resources[roleIdOf(role)]!;
    expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statementsFor(role, 'logs:PutLogEvents').flatMap((s) => list(s.Resource))).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
  });

  it.each(ROLES)('%s: sets every variable its runtime schema in src/config.ts requires', (role) => {
    // Deploy-time values (Ref, GetAtt) stand in as plausible strings of the right shape.
    const stand = (key: string) =>
      key.endsWith('_ARN') ? 'arn:aws:service:region:account:resource' : key.endsWith('_URL') ? 'https://id.lambda-url.region.on.aws/' : 'resolved-at-deploy';
    const env = Object.fromEntries(
      Object.entries(functionProps(role).Environment.Variables as Json).map(([key, value]) => [key, typeof value === 'string' ? value : stand(key)]),
    );
    const result = RUNTIME_SCHEMAS[role].safeParse(env);
    const missingOnPurpose = [
      ...(role === 'waiter' && !BUILT.sender ? ['CR_SENDER_ARN'] : []),
      ...(role === 'sender' && !BUILT.unsubscribe ? ['CR_UNSUBSCRIBE_BASE_URL'] : []),
    ];
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? []).toEqual(
      missingOnPurpose.map((key) => expect.stringMatching(new RegExp(`^${key}: `))),
    );
  });

  it('points the scheduling variables at the group, the waiter, the Scheduler role and the dead-letter queue', () => {
    const roleId = logicalIdOf('AWS::IAM::Role', (p) => p.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'scheduler.amazonaws.com');
    const queueId = ofType('AWS::SQS::Queue')[0]![0];
    for (const role of ROLES.filter((r) => r !== 'unsubscribe')) {
      const variables = functionProps(role).Environment.Variables as Json;
      expect(variables.CR_SCHEDULE_GROUP).toBe(SCHEDULE_GROUP_NAME);
      expect(renderForNag(variables.CR_WAITER_ARN)).toBe(`arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${FUNCTION_NAMES.waiter}`);
      expect(variables.CR_SCHEDULER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      expect(variables.CR_SCHEDULER_DLQ_ARN).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    }
  });

  it.each(ROLES)('%s: the entry file exports `handler`', (role) => {
    const file = HANDLER_ENTRIES[role];
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const exported = new Set<string>();
    for (const statement of source.statements) {
      const isExported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (isExported && ts.isFunctionDeclaration(statement) && statement.name) exported.add(statement.name.text);
      if (isExported && ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name)) exported.add(declaration.name.text);
        }
      }
      if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) exported.add(element.name.text);
      }
    }
    expect([...exported]).toContain('handler');
  });

  it.each(WITH_URL)('%s: public Function URL (auth NONE) on the function', (role) => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [functionId(role), 'Arn'] },
    });
  });
});

describe('scheduling', () => {
  it('has the schedule group and an encrypted, TLS-only dead-letter queue that keeps messages 14 days', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: SCHEDULE_GROUP_NAME });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(ofType('AWS::SQS::Queue')[0]![1].Properties.FifoQueue).toBeUndefined();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets only EventBridge Scheduler of this account assume the Scheduler role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
  });

  it('lets the Scheduler role invoke only the waiter (and the sender) and send only to its dead-letter queue', () => {
    const roleId = logicalIdOf('AWS::IAM::Role', (p) => p.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'scheduler.amazonaws.com');
    const statements = policyOf(roleId);
    const targets = ['waiter', ...(BUILT.sender ? ['sender'] : [])] as FunctionRole[];
    expect(statements.flatMap((s) => list(s.Action)).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    const invoke = statements.filter((s) => list(s.Action).includes('lambda:InvokeFunction')).flatMap((s) => list(s.Resource));
    expect(invoke).toEqual(expect.arrayContaining(targets.map((role) => ({ 'Fn::GetAtt': [functionId(role), 'Arn'] }))));
    expect(invoke).toHaveLength(targets.length);
    const queueId = ofType('AWS::SQS::Queue')[0]![0];
    const send = statements.filter((s) => list(s.Action).includes('sqs:SendMessage')).flatMap((s) => list(s.Resource));
    expect(send).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
  });

  it.each(ROLES.filter((role) => role !== 'unsubscribe'))('%s may create/delete schedules only in the group and pass only the Scheduler role', (role) => {
    expect(resourcesFor(role, 'scheduler:CreateSchedule')).toEqual([
      `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${SCHEDULE_GROUP_NAME}/*`,
    ]);
    expect(resourcesFor(role, 'scheduler:DeleteSchedule')).toHaveLength(1);
    const passRole = statementsFor(role, 'iam:PassRole');
    expect(passRole).toHaveLength(1);
    expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect(renderForNag(passRole[0]!.Resource)).toMatch(/^<SchedulingSchedulerRole[0-9A-F]{8}\.Arn>$/);
  });
});

describe('least privilege', () => {
  it('names no "*" action or resource in any policy, and only allow-listed wildcard suffixes', () => {
    const documents = [
      ...ofType('AWS::IAM::Policy').map(([id, p]) => [id, p.Properties.PolicyDocument] as const),
      ...ofType('AWS::IAM::Role').flatMap(([id, r]) => list(r.Properties.Policies as Json[]).map((p) => [id, p.PolicyDocument] as const)),
    ];
    expect(documents.length).toBeGreaterThan(0);
    const wildcards: string[] = [];
    for (const [id, document] of documents) {
      for (const statement of document.Statement as Json[]) {
        expect(statement.Effect, id).toBe('Allow');
        expect(statement.NotAction, id).toBeUndefined();
        expect(statement.NotResource, id).toBeUndefined();
        for (const action of list(statement.Action as string | string[])) expect(action, id).not.toContain('*');
        for (const resource of list(statement.Resource).map(renderForNag)) {
          expect(resource, id).not.toBe('*');
          if (resource.includes('*')) {
            expect(WILDCARD_ALLOW_LIST.some((allowed) => allowed.test(resource)), `${id}: ${resource}`).toBe(true);
            wildcards.push(resource);
          }
        }
      }
    }
    expect(wildcards.length).toBeGreaterThan(0); // the walk did see the expected index/* and schedule/* grants
  });

  it('reads exactly the configured secret parameters', () => {
    const arn = (name: string) => `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${name}`;
    expect(resourcesFor('intake', 'ssm:GetParameter')).toEqual([arn('/cart-recovery/webhook-secret')]);
    expect(resourcesFor('waiter', 'ssm:GetParameter')).toEqual([]);
    if (BUILT.sender) expect(resourcesFor('sender', 'ssm:GetParameter')).toEqual([arn('/cart-recovery/unsubscribe-key')]);
    if (BUILT.unsubscribe) expect(resourcesFor('unsubscribe', 'ssm:GetParameter')).toEqual([arn('/cart-recovery/unsubscribe-key')]);
  });

  it.skipIf(!BUILT.sender)('lets only the waiter invoke the sender, and the sender send mail and call the one model', () => {
    expect(resourcesFor('waiter', 'lambda:InvokeFunction')).toEqual([`<${functionId('sender')}.Arn>`]);
    expect(resourcesFor('sender', 'ses:SendEmail')).toHaveLength(2);
    expect(resourcesFor('sender', 'bedrock:InvokeModel').sort()).toEqual(
      [
        `arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:inference-profile/${DEFAULT_BEDROCK_MODEL_ID}`,
        'arn:<AWS::Partition>:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0',
      ].sort(),
    );
  });

  it.skipIf(BUILT.sender)('gives the waiter no invoke permission while there is no sender', () => {
    expect(resourcesFor('waiter', 'lambda:InvokeFunction')).toEqual([]);
  });
});

describe('email and alarms', () => {
  it('verifies the sender domain with Easy DKIM and uses the configuration set by default', () => {
    const configurationSetId = ofType('AWS::SES::ConfigurationSet')[0]![0];
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: PLACEHOLDERS.senderDomain,
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSetId } },
    });
    const identity = ofType('AWS::SES::EmailIdentity')[0]![1].Properties;
    expect(identity.DkimSigningAttributes?.DomainSigningPrivateKey).toBeUndefined(); // not BYODKIM
  });

  it('alarms on the dead-letter queue and on every function\'s errors', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
    });
    for (const role of ROLES) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(role) } }],
      });
    }
  });
});

describe('outputs', () => {
  it('prints both webhook URLs, the unsubscribe URL, the table names and the dead-letter queue URL', () => {
    const outputs = template.toJSON().Outputs as Json;
    const urlId = logicalIdOf('AWS::Lambda::Url', (p) => p.TargetFunctionArn['Fn::GetAtt'][0] === functionId('intake'));
    expect(outputs.CartWebhookUrl.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, 'webhooks/cart']] });
    expect(outputs.ShopifyWebhookUrl.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, 'webhooks/shopify']] });
    expect('UnsubscribeUrl' in outputs).toBe(BUILT.unsubscribe);
    for (const key of ['CartsTableName', 'SendsTableName', 'OptOutsTableName', 'SchedulerDeadLetterQueueUrl']) expect(outputs).toHaveProperty(key);
  });
});

describe('deploy configuration (lib/config.ts)', () => {
  it('has demo defaults that synth offline and are reported as placeholders', () => {
    const config = parseDeployConfig({});
    expect(config).toMatchObject({
      senderDomain: 'example.com',
      fromAddress: 'reminders@example.com',
      webhookSecretParam: '/cart-recovery/webhook-secret',
      unsubscribeKeyParam: '/cart-recovery/unsubscribe-key',
      bedrockModelId: DEFAULT_BEDROCK_MODEL_ID,
      retentionDays: 90,
      logRetentionDays: 30,
      bedrock: { profilePrefix: 'global', foundationModelId: 'anthropic.claude-haiku-4-5-20251001-v1:0' },
    });
    expect(config.placeholders).toEqual(['senderDomain', 'fromAddress', 'storeName', 'storePostalAddress']);
  });

  it('takes context over environment, treats blanks as unset and coerces numbers from -c strings', () => {
    const app = new App({ context: { senderDomain: 'shop.example.org', fromAddress: 'Hi@Shop.Example.org', replyTo: '', retentionDays: '30' } });
    const config = readDeployConfig(app, {
      [environmentVariableFor('senderDomain')]: 'ignored.example.net',
      [environmentVariableFor('logRetentionDays')]: '14',
    });
    expect(config).toMatchObject({ senderDomain: 'shop.example.org', fromAddress: 'hi@shop.example.org', retentionDays: 30, logRetentionDays: 14 });
    expect(config.replyTo).toBeUndefined();
    expect(config.placeholders).toEqual(['storeName', 'storePostalAddress']);
  });

  it('fails with one message naming every bad key and where to set it', () => {
    const attempt = () => parseDeployConfig({ senderDomain: 'not a domain', logRetentionDays: 31, webhookSecretParam: 'no-slash' });
    expect(attempt).toThrowError(DeployConfigError);
    expect(attempt).toThrowError('senderDomain (context "senderDomain" or env CART_RECOVERY_SENDER_DOMAIN): expected a domain name');
    expect(attempt).toThrowError(/logRetentionDays .*CloudWatch Logs accepts only 1, 3, 5/);
    expect(attempt).toThrowError(/webhookSecretParam .*starting with "\/"/);
    expect(() => parseDeployConfig({ senderDomain: 'shop.example.org', fromAddress: 'hi@other.example' })).toThrowError(
      /fromAddress .*must be an address at senderDomain "shop.example.org"/,
    );
  });
});
