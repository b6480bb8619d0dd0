/**
 * The production stack as `npx cdk synth` builds it with the owner's Google docs and the export sheet configured
 * (every optional function present) and the other keys at their demo placeholders, synthesized once and without
 * bundling (test/support/cdk-synth.ts; the bundles have their own tests in bundles.test.ts). Further synths check
 * what a bare `npx cdk synth` leaves out and warns about, and how the template follows other configuration.
 *
 * Expectations are derived from `src/resources/tables.ts`, `src/composition/aws/environment.ts` and the construct
 * constants, not copied from the template, so a drift between the app and its infrastructure fails here.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CartRecoveryStack, HANDLER_ENTRIES } from '../../lib/cart-recovery-stack';
import {
  canonicalTimeZone,
  DEFAULT_BEDROCK_MODEL_ID,
  DEFAULT_GOOGLE_KEY_PARAM,
  DeployConfigError,
  environmentVariableFor,
  parseDeployConfig,
  PLACEHOLDERS,
  readDeployConfig,
} from '../../src/composition/aws/deploy-config';
import {
  ALARM_MONTHLY_USD,
  DEFAULT_URL_REQUEST_ALARM,
  FREE_ALARMS,
  SES_REPUTATION_ALARM_THRESHOLDS,
} from '../../lib/constructs/alarms';
import { CART_STREAM_RETRIES } from '../../lib/constructs/cart-counter';
import { STREAM_READ_ACTIONS, TABLE_DEFINITIONS, TABLE_ENV, type TableRole } from '../../lib/constructs/data-tables';
import { ASYNC_RETRY_ATTEMPTS } from '../../lib/constructs/failed-invocations';
import { DOC_UNAVAILABLE_PHRASE, METRIC_NAMESPACE } from '../../lib/constructs/rules-loader';
import { SCHEDULE_GROUP_NAME } from '../../lib/constructs/scheduling';
import { SES_FEEDBACK_DETAIL_TYPES } from '../../lib/constructs/ses-feedback';
import { FUNCTION_NAMES, type FunctionRole, renderForNag } from '../../lib/constructs/service-function';
import { CART_COUNTER_FILTERS, CART_STREAM_BATCH } from '../../src/resources/cart-stream';
import { SECOND_COPY_LOG_MESSAGE } from '../../src/resources/log-signals';
import {
  cartCounterEnvSchema,
  importerEnvSchema,
  intakeEnvSchema,
  rulesLoaderEnvSchema,
  senderEnvSchema,
  sesEventsEnvSchema,
  summaryEnvSchema,
  unsubscribeEnvSchema,
  waiterEnvSchema,
} from '../../src/composition/aws/environment';
import { TABLES, type TableDefinition } from '../../src/resources/tables';
import { type SynthesizedStack, synthStack } from '../support/cdk-synth';

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template, read by path
type Json = Record<string, any>;

const operationsGuide = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

/** The Google side switched on; everything else stays at the cdk.json defaults and placeholders. */
const GOOGLE_CONTEXT = {
  rulesDocId: '1RuLeSdOcIdAbCdEfGhIjKlMnOpQrStUvWxYz012345',
  voiceDocId: '1VoIcEdOcIdAbCdEfGhIjKlMnOpQrStUvWxYz012345',
  exportSheetId: '1ExPoRtShEeTiDaBcDeFgHiJkLmNoPqRsTuVwXyZ01',
  // Outside the (placeholder) sender domain, so the sandbox recipient grant is exercised.
  ownerEmail: 'owner@owner-mail.example',
  // Every alarm, so each is checked; the default (one alarm) has its own test.
  alarmSet: 'full',
};

const ROLES = Object.keys(HANDLER_ENTRIES) as FunctionRole[];
const WITH_URL: FunctionRole[] = ['intake', 'unsubscribe'];
const SCHEDULING_ROLES: FunctionRole[] = ['intake', 'waiter', 'sender', 'rulesLoader', 'importer'];
const ASYNC_CAPTURED: FunctionRole[] = ['waiter', 'sender', 'sesEvents', 'summary'];
/** Invoked only by a stream mapping, whose own on-failure destination is the failed-invocations queue. */
const STREAM_CAPTURED: FunctionRole[] = ['cartCounter'];
const SCHEDULING_ENV = ['CR_SCHEDULE_GROUP', 'CR_WAITER_ARN', 'CR_SCHEDULER_ROLE_ARN', 'CR_SCHEDULER_DLQ_ARN'];
const OWNER_ENV = ['CR_GOOGLE_KEY_PARAM', 'CR_OWNER_EMAIL', 'CR_FROM_ADDRESS', 'CR_SES_CONFIGURATION_SET'];

/** Every variable each function must get, from the brief and src/composition/aws/environment.ts. */
const EXPECTED_ENV: Record<FunctionRole, string[]> = {
  intake: ['CR_CARTS_TABLE', 'CR_SENDS_TABLE', 'CR_RETENTION_DAYS', 'CR_WEBHOOK_SECRET_PARAM', ...SCHEDULING_ENV],
  waiter: [
    'CR_CARTS_TABLE',
    'CR_SENDS_TABLE',
    'CR_OPTOUTS_TABLE',
    'CR_RETENTION_DAYS',
    'CR_SENDER_ARN',
    ...SCHEDULING_ENV,
  ],
  sender: [
    'CR_CARTS_TABLE',
    'CR_SENDS_TABLE',
    'CR_OPTOUTS_TABLE',
    'CR_RETENTION_DAYS',
    'CR_FROM_ADDRESS',
    'CR_REPLY_TO',
    'CR_OWNER_EMAIL',
    'CR_SES_CONFIGURATION_SET',
    'CR_UNSUBSCRIBE_BASE_URL',
    'CR_UNSUBSCRIBE_KEY_PARAM',
    'CR_BEDROCK_MODEL_ID',
    'CR_SENDER_ARN',
    'CR_SENDER_SECONDS_PER_SEND',
    ...SCHEDULING_ENV,
  ],
  unsubscribe: [
    'CR_CARTS_TABLE',
    'CR_OPTOUTS_TABLE',
    'CR_SENDS_TABLE',
    'CR_UNSUBSCRIBE_KEY_PARAM',
    'CR_RETENTION_DAYS',
  ],
  rulesLoader: [
    'CR_CARTS_TABLE',
    'CR_SENDS_TABLE',
    'CR_RULES_DOC_ID',
    'CR_VOICE_DOC_ID',
    'CR_RETENTION_DAYS',
    ...OWNER_ENV,
    ...SCHEDULING_ENV,
  ],
  importer: [
    'CR_CARTS_TABLE',
    'CR_SENDS_TABLE',
    'CR_RETENTION_DAYS',
    'CR_EXPORT_SHEET_ID',
    ...OWNER_ENV,
    ...SCHEDULING_ENV,
  ],
  sesEvents: ['CR_CARTS_TABLE', 'CR_SENDS_TABLE', 'CR_OPTOUTS_TABLE', 'CR_RETENTION_DAYS'],
  summary: ['CR_SENDS_TABLE', 'CR_OWNER_EMAIL', 'CR_FROM_ADDRESS', 'CR_SES_CONFIGURATION_SET'],
  cartCounter: ['CR_SENDS_TABLE'],
};

/** The runtime's own view of its environment (read at cold start with `readConfig`). */
const RUNTIME_SCHEMAS = {
  intake: intakeEnvSchema,
  waiter: waiterEnvSchema,
  sender: senderEnvSchema,
  unsubscribe: unsubscribeEnvSchema,
  rulesLoader: rulesLoaderEnvSchema,
  importer: importerEnvSchema,
  sesEvents: sesEventsEnvSchema,
  summary: summaryEnvSchema,
  cartCounter: cartCounterEnvSchema,
} as const satisfies Record<FunctionRole, unknown>;

const TIMEOUTS: Record<FunctionRole, number> = {
  intake: 10,
  waiter: 30,
  sender: 30,
  unsubscribe: 10,
  rulesLoader: 60,
  importer: 300,
  sesEvents: 10,
  summary: 30,
  cartCounter: 10,
};

/** The only wildcard-suffixed resources any policy may name, each for a reason acknowledged in cdk-nag. */
const WILDCARD_ALLOW_LIST = {
  // Per-cart schedules are named at runtime, inside the one group.
  schedules: new RegExp(
    `^arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${SCHEDULE_GROUP_NAME}/\\*$`,
  ),
  // Global secondary indexes of the one table that has them (cr-carts).
  cartsIndexes: /^<DataCarts[0-9A-F]{8}\.Arn>\/index\/\*$/,
  // The foundation model behind the global inference profile, in whichever Region serves the call.
  bedrock: /^arn:<AWS::Partition>:bedrock:\*::foundation-model\/anthropic\.claude-haiku-4-5-20251001-v1:0$/,
} as const;
type Wildcard = keyof typeof WILDCARD_ALLOW_LIST;

/** Exactly which of those each function's role names. A new wildcard on any function fails here. */
const WILDCARDS_BY_ROLE: Record<FunctionRole, Wildcard[]> = {
  intake: ['cartsIndexes', 'schedules'],
  // The waiter and the sender read carts by id only.
  waiter: ['schedules'],
  sender: ['schedules', 'bedrock'],
  unsubscribe: ['cartsIndexes'],
  rulesLoader: ['cartsIndexes', 'schedules'],
  importer: ['cartsIndexes', 'schedules'],
  sesEvents: ['cartsIndexes'],
  summary: [],
  // Only the stream grant beyond that, and it names the one stream ARN: no wildcard.
  cartCounter: [],
};

let synthesized: SynthesizedStack;
let stack: CartRecoveryStack;
let template: Template;
let resources: Record<string, Json>;

beforeAll(() => {
  synthesized = synthStack(GOOGLE_CONTEXT);
  ({ stack, template, resources } = synthesized);
});

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalIdOf = (type: string, predicate: (props: Json, id: string) => boolean): string => {
  const matches = ofType(type).filter(([id, resource]) => predicate(resource.Properties ?? {}, id));
  expect(matches, `exactly one ${type} matching`).toHaveLength(1);
  return matches[0]![0];
};
const idStartingWith = (type: string, prefix: string) => logicalIdOf(type, (_p, id) => id.startsWith(prefix));
const tableId = (name: string) => logicalIdOf('AWS::DynamoDB::Table', (p) => p.TableName === name);
const functionId = (role: FunctionRole) =>
  logicalIdOf('AWS::Lambda::Function', (p) => p.FunctionName === FUNCTION_NAMES[role]);
const functionProps = (role: FunctionRole): Json => resources[functionId(role)]!.Properties;
const roleIdOf = (role: FunctionRole): string => functionProps(role).Role['Fn::GetAtt'][0];
const policyOf = (roleId: string): Json[] => {
  const policies = ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId));
  return policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
};
const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const statementsFor = (role: FunctionRole, action: string) =>
  policyOf(roleIdOf(role)).filter((statement) => list(statement.Action).includes(action));
const resourcesFor = (role: FunctionRole, action: string) =>
  statementsFor(role, action).flatMap((statement) => list(statement.Resource).map(renderForNag));
// Scheduler's dead letters go to the failed-invocations queue: one queue for everything that got lost.
const schedulerDlqId = () => failedQueueId();
const failedQueueId = () => idStartingWith('AWS::SQS::Queue', 'FailedInvocationsQueue');
const schedulerRoleId = () => idStartingWith('AWS::IAM::Role', 'SchedulingSchedulerRole');
const scheduleNamed = (name: string) =>
  resources[logicalIdOf('AWS::Scheduler::Schedule', (p) => p.Name === name)]!.Properties;
const alarmsOf = (t: Template) =>
  Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties as Json);

describe('resources', () => {
  it('has exactly the expected resource types and counts', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    const functions = ROLES.length;
    const jobs = 3; // the rules loader's, the importer's and the monthly summary's recurring schedules
    // The summary has no Errors alarm: its failures land in the (alarmed) failed-invocations queue.
    const alarmedFunctions = functions - 1;
    expect(counts).toEqual({
      'AWS::DynamoDB::Table': TABLES.length,
      'AWS::Scheduler::ScheduleGroup': 1,
      'AWS::Scheduler::Schedule': jobs,
      // The Scheduler dead-letter queue and the failed-invocations queue, each TLS-only.
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::SES::ConfigurationSet': 1,
      'AWS::SES::ConfigurationSetEventDestination': 1,
      'AWS::SES::EmailIdentity': 1,
      'AWS::Events::Rule': 1,
      // One role per function, the wake-up Scheduler role and one per recurring job, each with its own policy.
      'AWS::IAM::Role': functions + 1 + jobs,
      'AWS::IAM::Policy': functions + 1 + jobs,
      'AWS::Lambda::Function': functions,
      'AWS::Logs::LogGroup': functions,
      // Docs unavailable (rules loader), second copies (sender, SES feedback).
      'AWS::Logs::MetricFilter': 3,
      'AWS::Lambda::Url': WITH_URL.length,
      // InvokeFunctionUrl + InvokeFunction per public URL (required for URLs created since Oct 2025), and the
      // EventBridge rule's permission to invoke the SES feedback function.
      'AWS::Lambda::Permission': 2 * WITH_URL.length + 1,
      // waiter, sender, SES feedback (on-failure destination) and the rules loader (no retries).
      'AWS::Lambda::EventInvokeConfig': ASYNC_CAPTURED.length + 1,
      // The cart counter on the cr-carts stream.
      'AWS::Lambda::EventSourceMapping': 1,
      // The queue + one per function + 2 SES reputation + docs
      // unavailable + second copies + a request rate per public URL.
      'AWS::CloudWatch::Alarm': 1 + alarmedFunctions + 2 + 1 + 1 + WITH_URL.length,
      // Alarms reach somebody by default: alarmEmail, else ownerEmail.
      'AWS::SNS::Topic': 1,
      'AWS::SNS::Subscription': 1,
      'AWS::SNS::TopicPolicy': 1,
    });
  });

  it('warns that demo placeholders are in use, and nothing else, once the Google docs are configured', () => {
    const warnings = synthesized.annotations
      .findWarning('*', Match.anyValue())
      .map((warning) => String(warning.entry.data));
    expect(warnings).toEqual([expect.stringMatching(/^Demo placeholders in use for senderDomain, fromAddress \(/)]);
  });
});

describe('a bare `cdk synth` (no context at all)', () => {
  /** Synthesized by the first test that asks (memoised), so no hook waits for it. */
  const bare = () => synthStack({});

  it('leaves out the rules loader and the importer, and warns that nothing can be sent without accepted rules', () => {
    const { stack: bareStack, template: bareTemplate, annotations: bareAnnotations } = bare();
    expect(bareStack.rulesLoader).toBeUndefined();
    expect(bareStack.importer).toBeUndefined();
    bareTemplate.resourceCountIs('AWS::Scheduler::Schedule', 1); // the monthly summary
    bareTemplate.resourceCountIs('AWS::Lambda::Function', ROLES.length - 2);
    bareAnnotations.hasWarning(
      '/CartRecovery',
      Match.stringLikeRegexp('rules loader is left out. Nothing can be sent without accepted rules'),
    );
    bareAnnotations.hasWarning(
      '/CartRecovery',
      Match.stringLikeRegexp('Demo placeholders in use for senderDomain, fromAddress, ownerEmail'),
    );
  });

  it('reserves no concurrency for any function, so it deploys on a new account whose concurrency quota is 10', () => {
    // Any ReservedConcurrentExecutions there fails the deploy: "decreases account's UnreservedConcurrentExecution
    // below its minimum value of [10]". The cap on the public URLs is opt-in (publicUrlConcurrency).
    const functions = Object.values(bare().template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    expect(functions.filter((fn) => fn.Properties.ReservedConcurrentExecutions !== undefined)).toEqual([]);
  });

  it('keeps the alarms inside the free tier, watches bounces and complaints, and mails the owner by default', () => {
    // The default alarm set: the queue where everything that got lost lands, and SES's bounce and complaint rates
    // (what gets an SES account paused).
    const { template: t, stack } = bare();
    expect(alarmsOf(t).map((alarm) => [alarm.Namespace, alarm.MetricName, alarm.Threshold])).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 1],
      ['AWS/SES', 'Reputation.BounceRate', 0.05],
      ['AWS/SES', 'Reputation.ComplaintRate', 0.001],
    ]);
    expect(stack.alarms.monthlyCostUsd).toBe(0);
    // No alarmEmail: the alarms go to ownerEmail, so they reach a person.
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'owner@example.com' });
    for (const alarm of alarmsOf(t))
      expect(alarm.AlarmActions).toEqual([{ Ref: Object.keys(t.findResources('AWS::SNS::Topic'))[0] }]);
  });

  it('warns about retired keys that are still set', () => {
    const retired = synthStack({
      storeName: 'Ridge & Loom',
      googleFolderId: '1FoLdErIdAbCdEfGhIjKlMnOpQrStUvWxYz012345',
      storeTimeZone: 'Europe/London',
    });
    retired.annotations.hasWarning(
      '/CartRecovery',
      Match.stringLikeRegexp('No longer used, ignored: storeName \\(the store name now comes from the rules doc'),
    );
    retired.annotations.hasWarning(
      '/CartRecovery',
      Match.stringLikeRegexp("storeTimeZone \\(the store's time zone is the rules doc's"),
    );
  });
});

describe('tables follow src/resources/tables.ts', () => {
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
    // SSEEnabled false means the AWS-owned key: still encrypted at rest, with no KMS key fee or KMS requests billed.
    expect(props.SSESpecification).toEqual({ SSEEnabled: false });
    if (def.ttlAttribute)
      expect(props.TimeToLiveSpecification).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
    else expect(props.TimeToLiveSpecification).toBeUndefined();
    if (def.stream) expect(props.StreamSpecification).toEqual({ StreamViewType: def.stream });
    else expect(props.StreamSpecification).toBeUndefined();
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

    const keys = [
      def.partitionKey,
      def.sortKey,
      ...def.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
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
    expect(props.Timeout).toBe(TIMEOUTS[role]);
    expect(props.ReservedConcurrentExecutions).toBeUndefined();

    const variables = props.Environment.Variables as Json;
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', ...EXPECTED_ENV[role]].sort());
    for (const [table, name] of Object.entries(TABLE_ENV) as [TableRole, string][]) {
      if (name in variables) expect(variables[name], name).toEqual({ Ref: tableId(TABLE_DEFINITIONS[table].name) });
    }

    const logGroupId = props.LoggingConfig.LogGroup.Ref as string;
    expect(resources[logGroupId]!.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId]!.Properties).toMatchObject({
      LogGroupName: `/aws/lambda/${FUNCTION_NAMES[role]}`,
      RetentionInDays: 30,
    });

    // No managed policies (no AWSLambdaBasicExecutionRole): the role writes only to its own log group.
    const roleResource = resources[roleIdOf(role)]!;
    expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statementsFor(role, 'logs:PutLogEvents').flatMap((s) => list(s.Resource))).toEqual([
      { 'Fn::GetAtt': [logGroupId, 'Arn'] },
    ]);
  });

  it('gives every function in the template a log group with the configured retention (none logs forever)', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(ROLES.length);
    for (const [id, fn] of functions) {
      const logGroupId = fn.Properties.LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect(logGroupId, `${id} has its own log group`).toBeDefined();
      expect(resources[logGroupId!]!.Properties.RetentionInDays, `${id} log retention`).toBe(30);
    }
    for (const [id, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays, id).toBe(30);
  });

  it.each(ROLES)(
    '%s: sets every variable its runtime schema in src/composition/aws/environment.ts requires, and no other',
    (role) => {
      // Deploy-time values (Ref, GetAtt) stand in as plausible strings of the right shape.
      const stand = (key: string) =>
        key.endsWith('_ARN')
          ? 'arn:aws:service:region:account:resource'
          : key.endsWith('_URL')
            ? 'https://id.lambda-url.region.on.aws/'
            : 'resolved-at-deploy';
      const env = Object.fromEntries(
        Object.entries(functionProps(role).Environment.Variables as Json).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : stand(key),
        ]),
      );
      const schema = RUNTIME_SCHEMAS[role];
      const result = schema.safeParse(env);
      expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? []).toEqual([]);
      // A variable the runtime does not read is a leftover (or a typo that leaves the real one unset).
      const known = new Set(['NODE_OPTIONS', ...Object.keys(schema.shape)]);
      expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
    },
  );

  it(
    'passes CR_DOCS_CACHE_SECONDS to every function that reads the stored rules, ' +
      'only when docsCacheSeconds is set',
    () => {
      const { template: withCache } = synthStack({ ...GOOGLE_CONTEXT, docsCacheSeconds: '30' });
      const readers = ROLES.filter((role) => 'CR_DOCS_CACHE_SECONDS' in RUNTIME_SCHEMAS[role].shape);
      expect(readers.sort()).toEqual([
        'cartCounter',
        'importer',
        'intake',
        'sender',
        'sesEvents',
        'summary',
        'unsubscribe',
        'waiter',
      ]);
      for (const role of readers) {
        withCache.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: FUNCTION_NAMES[role],
          Environment: { Variables: Match.objectLike({ CR_DOCS_CACHE_SECONDS: '30' }) },
        });
        expect(functionProps(role).Environment.Variables.CR_DOCS_CACHE_SECONDS).toBeUndefined(); // runtime default
      }
    },
  );

  it('points the scheduling variables at the group, the waiter, the Scheduler role and the dead-letter queue', () => {
    for (const role of SCHEDULING_ROLES) {
      const variables = functionProps(role).Environment.Variables as Json;
      expect(variables.CR_SCHEDULE_GROUP).toBe(SCHEDULE_GROUP_NAME);
      expect(renderForNag(variables.CR_WAITER_ARN)).toBe(
        `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${FUNCTION_NAMES.waiter}`,
      );
      expect(variables.CR_SCHEDULER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [schedulerRoleId(), 'Arn'] });
      expect(variables.CR_SCHEDULER_DLQ_ARN).toEqual({ 'Fn::GetAtt': [schedulerDlqId(), 'Arn'] });
    }
  });

  it('hands the Google readers their doc and sheet IDs, the key parameter and the owner', () => {
    expect(functionProps('rulesLoader').Environment.Variables).toMatchObject({
      CR_RULES_DOC_ID: GOOGLE_CONTEXT.rulesDocId,
      CR_VOICE_DOC_ID: GOOGLE_CONTEXT.voiceDocId,
      CR_GOOGLE_KEY_PARAM: DEFAULT_GOOGLE_KEY_PARAM,
      CR_OWNER_EMAIL: GOOGLE_CONTEXT.ownerEmail,
      CR_FROM_ADDRESS: PLACEHOLDERS.fromAddress,
    });
    expect(functionProps('importer').Environment.Variables).toMatchObject({
      CR_EXPORT_SHEET_ID: GOOGLE_CONTEXT.exportSheetId,
      CR_GOOGLE_KEY_PARAM: DEFAULT_GOOGLE_KEY_PARAM,
      CR_OWNER_EMAIL: GOOGLE_CONTEXT.ownerEmail,
    });
  });

  it.each(ROLES)('%s: the entry file exports `handler`', (role) => {
    const file = HANDLER_ENTRIES[role];
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const exported = new Set<string>();
    for (const statement of source.statements) {
      const isExported =
        ts.canHaveModifiers(statement) &&
        ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
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

  it('gives no other function a URL or any other resource-based invoke permission', () => {
    const targets = ofType('AWS::Lambda::Permission').map(([, p]) => [
      p.Properties.FunctionName['Fn::GetAtt'][0],
      p.Properties.Principal,
    ]);
    expect(targets.sort()).toEqual(
      [
        [functionId('intake'), '*'],
        [functionId('intake'), '*'],
        [functionId('unsubscribe'), '*'],
        [functionId('unsubscribe'), '*'],
        [functionId('sesEvents'), 'events.amazonaws.com'],
      ].sort(),
    );
  });
});

describe('asynchronous invocations', () => {
  it.each(ASYNC_CAPTURED)('%s: two Lambda retries, then the failed-invocations queue', (role) => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId(role) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failedQueueId(), 'Arn'] } } },
    });
    // The function's role may put the failed event on that queue, and on no other.
    expect(resourcesFor(role, 'sqs:SendMessage')).toEqual([`<${failedQueueId()}.Arn>`]);
  });

  it('does not retry the rules loader (its next run is the retry) and configures nothing for the others', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    const loader = configs.find((c) => c.FunctionName.Ref === functionId('rulesLoader'));
    expect(loader).toEqual({
      FunctionName: { Ref: functionId('rulesLoader') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
    });
    const configured = configs.map((c) => c.FunctionName.Ref as string).sort();
    expect(configured).toEqual(([...ASYNC_CAPTURED, 'rulesLoader'] as FunctionRole[]).map(functionId).sort());
    // The stream-fed cart counter sends to the queue through its mapping's destination instead (own tests below).
    for (const role of ROLES.filter((r) => !ASYNC_CAPTURED.includes(r) && !STREAM_CAPTURED.includes(r))) {
      expect(resourcesFor(role, 'sqs:SendMessage'), role).toEqual([]);
    }
  });

  it('keeps the failed-invocations queue encrypted, TLS-only, 14 days, and writable by the SES rule only', () => {
    const queue = resources[failedQueueId()]!.Properties;
    expect(queue).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(queue.FifoQueue).toBeUndefined();
    const policy = logicalIdOf('AWS::SQS::QueuePolicy', (p) => p.Queues[0].Ref === failedQueueId());
    const statements = resources[policy]!.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          ArnEquals: {
            'aws:SourceArn': { 'Fn::GetAtt': [idStartingWith('AWS::Events::Rule', 'SesFeedbackRule'), 'Arn'] },
          },
        },
      }),
    ]);
  });
});

describe('scheduling', () => {
  it('has the schedule group and an encrypted, TLS-only dead-letter queue that keeps messages 14 days', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: SCHEDULE_GROUP_NAME });
    const queue = resources[schedulerDlqId()]!.Properties;
    expect(queue).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(queue.FifoQueue).toBeUndefined();
    const policy = logicalIdOf('AWS::SQS::QueuePolicy', (p) => p.Queues[0].Ref === schedulerDlqId());
    // TLS only; the queue's other statement (the SES rule's dead letters) has its own test below.
    expect(resources[policy]!.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });

  it('lets only EventBridge Scheduler of this account assume the wake-up role', () => {
    expect(resources[schedulerRoleId()]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('lets the wake-up role invoke only the waiter and the sender and send only to its dead-letter queue', () => {
    const statements = policyOf(schedulerRoleId());
    expect(statements.flatMap((s) => list(s.Action)).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    const invoke = statements
      .filter((s) => list(s.Action).includes('lambda:InvokeFunction'))
      .flatMap((s) => list(s.Resource));
    expect(invoke).toEqual(
      expect.arrayContaining(
        (['waiter', 'sender'] as const).map((role) => ({ 'Fn::GetAtt': [functionId(role), 'Arn'] })),
      ),
    );
    expect(invoke).toHaveLength(2);
    const send = statements.filter((s) => list(s.Action).includes('sqs:SendMessage')).flatMap((s) => list(s.Resource));
    expect(send).toEqual([{ 'Fn::GetAtt': [schedulerDlqId(), 'Arn'] }]);
  });

  // Only the code that cancels a wake-up (intake and the importer, on a checkout) or withdraws a deferral (the sender)
  // may delete; the waiter and the rules loader only create.
  const CANCELS: FunctionRole[] = ['intake', 'importer', 'sender'];
  it.each(SCHEDULING_ROLES)(
    '%s may create (and delete, if it cancels) schedules only in the group and pass only the wake-up role',
    (role) => {
      const group = `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${SCHEDULE_GROUP_NAME}/*`;
      expect(resourcesFor(role, 'scheduler:CreateSchedule')).toEqual([group]);
      expect(resourcesFor(role, 'scheduler:DeleteSchedule')).toEqual(CANCELS.includes(role) ? [group] : []);
      const passRole = statementsFor(role, 'iam:PassRole');
      expect(passRole).toHaveLength(1);
      expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
      expect(renderForNag(passRole[0]!.Resource)).toMatch(/^<SchedulingSchedulerRole[0-9A-F]{8}\.Arn>$/);
    },
  );

  it.each(ROLES.filter((role) => !SCHEDULING_ROLES.includes(role)))('%s cannot touch schedules', (role) => {
    expect(
      policyOf(roleIdOf(role))
        .flatMap((s) => list(s.Action))
        .filter((a: string) => a.startsWith('scheduler:') || a === 'iam:PassRole'),
    ).toEqual([]);
  });
});

describe('recurring jobs', () => {
  const JOBS = [
    ['cart-recovery-rules-loader', 'rulesLoader', 'rate(5 minutes)', 'Etc/UTC', 300, 3],
    ['cart-recovery-importer', 'importer', 'cron(0 * * * ? *)', 'Etc/UTC', 6 * 3600, 10],
    ['cart-recovery-monthly-summary', 'summary', 'cron(0 * * * ? *)', 'Etc/UTC', 6 * 3600, 10],
  ] as const;

  it.each(JOBS)(
    '%s: %s on "%s" (%s), default group, kept after firing, dead letters to the Scheduler DLQ',
    (name, role, expression, zone, maxAge, retries) => {
      const schedule = scheduleNamed(name);
      expect(schedule.ScheduleExpression).toBe(expression);
      expect(schedule.ScheduleExpressionTimezone).toBe(zone);
      expect(schedule.State).toBe('ENABLED');
      expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      // Not in the cart-recovery group, whose schedules the functions may delete; never deleted after firing.
      expect(schedule.GroupName).toBeUndefined();
      expect(schedule.ActionAfterCompletion ?? 'NONE').toBe('NONE');
      expect(schedule.Target).toMatchObject({
        Arn: { 'Fn::GetAtt': [functionId(role), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [schedulerDlqId(), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: maxAge, MaximumRetryAttempts: retries },
      });
    },
  );

  it.each(JOBS)(
    '%s: its own role, assumable only by Scheduler for this account and the default group, invoking only %s',
    (name, role) => {
      const roleId = scheduleNamed(name).Target.RoleArn['Fn::GetAtt'][0] as string;
      expect(roleId).not.toBe(schedulerRoleId());
      expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':scheduler:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':schedule-group/default',
                  ],
                ],
              },
            },
          },
        },
      ]);
      // Exactly the unqualified function ARN (no ":*" for versions and aliases) and the dead-letter queue.
      expect(policyOf(roleId).map((s) => [s.Action, renderForNag(s.Resource)])).toEqual([
        ['lambda:InvokeFunction', `<${functionId(role)}.Arn>`],
        ['sqs:SendMessage', `<${schedulerDlqId()}.Arn>`],
      ]);
    },
  );

  it(
    'follows docsRefreshMinutes; ' +
      "the import and summary tick hourly in UTC with their scheduled time (the rules doc's zone decides)",
    () => {
      const every = (minutes: number) => {
        const { template: t } = synthStack({ ...GOOGLE_CONTEXT, docsRefreshMinutes: String(minutes) });
        const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties as Json);
        return Object.fromEntries(schedules.map((s) => [s.Name, s]));
      };
      expect(every(1)['cart-recovery-rules-loader']).toMatchObject({
        ScheduleExpression: 'rate(1 minute)',
        Target: { RetryPolicy: { MaximumEventAgeInSeconds: 60 } },
      });
      const hourly = every(60);
      expect(hourly['cart-recovery-rules-loader'].ScheduleExpression).toMatch(/^rate\((60 minutes|1 hour)\)$/);
      for (const name of ['cart-recovery-importer', 'cart-recovery-monthly-summary']) {
        expect(hourly[name]).toMatchObject({
          ScheduleExpression: 'cron(0 * * * ? *)',
          Target: { Input: '{"scheduled":"<aws.scheduler.scheduled-time>"}' },
        });
        expect(hourly[name]?.ScheduleExpressionTimezone).toBe('Etc/UTC');
      }
    },
  );
});

describe('SES feedback', () => {
  it('publishes sends, bounces and complaints from the configuration set to the default event bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: ofType('AWS::SES::ConfigurationSet')[0]![0] },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['send', 'bounce', 'complaint'],
        EventBridgeDestination: {
          EventBusArn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':event-bus/default',
              ],
            ],
          },
        },
      },
    });
  });

  it('routes them with a rule on the default bus to the feedback function, retrying and dead-lettering', () => {
    const rule = resources[idStartingWith('AWS::Events::Rule', 'SesFeedbackRule')]!.Properties;
    expect(rule.EventBusName).toBeUndefined(); // the default bus
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventPattern).toEqual({ source: ['aws.ses'], 'detail-type': [...SES_FEEDBACK_DETAIL_TYPES] });
    expect(rule.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [functionId('sesEvents'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [failedQueueId(), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 24 * 3600, MaximumRetryAttempts: 185 },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId('sesEvents'), 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [idStartingWith('AWS::Events::Rule', 'SesFeedbackRule'), 'Arn'] },
    });
  });

  it('lets the feedback function write opt-outs and the activity log, read and stop carts, and nothing else', () => {
    const actions = new Set(policyOf(roleIdOf('sesEvents')).flatMap((s) => list(s.Action as string | string[])));
    for (const action of actions) expect(action, action).toMatch(/^(dynamodb|logs|sqs):/);
    const optOutsId = tableId(TABLE_DEFINITIONS.optouts.name);
    const onOptOuts = policyOf(roleIdOf('sesEvents')).filter((s) =>
      list(s.Resource).some((r: Json) => r['Fn::GetAtt']?.[0] === optOutsId),
    );
    expect(onOptOuts.flatMap((s) => list(s.Action))).not.toContain('dynamodb:GetItem'); // write-only
  });
});

describe('cart counter (cr-carts stream)', () => {
  const cartsId = () => tableId(TABLE_DEFINITIONS.carts.name);
  const streamArn = () => ({ 'Fn::GetAtt': [cartsId(), 'StreamArn'] });
  const mapping = () => resources[idStartingWith('AWS::Lambda::EventSourceMapping', 'CartCounter')]!;
  const namesStream = (statement: Json) =>
    list(statement.Resource).some(
      (r: Json) => r['Fn::GetAtt']?.[0] === cartsId() && r['Fn::GetAtt']?.[1] === 'StreamArn',
    );

  it('turns on the cr-carts stream with old and new images (and no other table has one)', () => {
    expect(resources[cartsId()]!.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const streamed = ofType('AWS::DynamoDB::Table').filter(([, t]) => t.Properties.StreamSpecification !== undefined);
    expect(streamed.map(([id]) => id)).toEqual([cartsId()]);
  });

  it('reads the stream with the batching, filters and failure handling of src/resources/cart-stream.ts', () => {
    expect(mapping().Properties).toEqual({
      EventSourceArn: streamArn(),
      FunctionName: { Ref: functionId('cartCounter') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: CART_STREAM_BATCH.size,
      MaximumBatchingWindowInSeconds: CART_STREAM_BATCH.windowSeconds,
      FilterCriteria: { Filters: CART_COUNTER_FILTERS.map((pattern) => ({ Pattern: JSON.stringify(pattern) })) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // The function reports the first record it could not read; splitting batches would only add invocations.
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: CART_STREAM_RETRIES.attempts,
      MaximumRecordAgeInSeconds: CART_STREAM_RETRIES.maxRecordAge.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failedQueueId(), 'Arn'] } } },
      Tags: [{ Key: 'app', Value: 'cart-recovery' }],
    });
    expect(CART_STREAM_RETRIES.attempts).toBeGreaterThan(0); // bounded, never -1 (infinite)
    // The stream keeps records 24 h.
    expect(CART_STREAM_RETRIES.maxRecordAge.toSeconds()).toBeLessThanOrEqual(24 * 3600);
  });

  it('is created after the policy that lets it read the stream (Lambda checks that when creating the mapping)', () => {
    const policyIds = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleIdOf('cartCounter')))
      .map(([id]) => id);
    expect(policyIds).toHaveLength(1);
    expect(list(mapping().DependsOn)).toContain(policyIds[0]);
  });

  it('may read exactly the carts stream: the four stream actions on its ARN, in one statement', () => {
    const onStream = policyOf(roleIdOf('cartCounter')).filter(namesStream);
    expect(onStream).toHaveLength(1);
    expect(list(onStream[0]!.Action).sort()).toEqual([...STREAM_READ_ACTIONS].sort());
    expect(list(onStream[0]!.Resource)).toEqual([streamArn()]);
    // DescribeStream and ListStreams appear nowhere else, on no other resource (in particular not on "*").
    for (const action of ['dynamodb:DescribeStream', 'dynamodb:ListStreams']) {
      expect(resourcesFor('cartCounter', action), action).toEqual([`<${cartsId()}.StreamArn>`]);
    }
    // No other function can read the stream.
    for (const role of ROLES.filter((r) => r !== 'cartCounter')) {
      expect(policyOf(roleIdOf(role)).filter(namesStream), role).toEqual([]);
      expect(statementsFor(role, 'dynamodb:DescribeStream'), role).toEqual([]);
      expect(statementsFor(role, 'dynamodb:ListStreams'), role).toEqual([]);
    }
  });

  it('reads the stored rules and adds to the counters in cr-sends, never writes cart rows, sends nothing else', () => {
    const sendsId = tableId(TABLE_DEFINITIONS.sends.name);
    const onSends = (action: string) =>
      statementsFor('cartCounter', action).some((s) =>
        list(s.Resource).some((r: Json) => r['Fn::GetAtt']?.[0] === sendsId && r['Fn::GetAtt']?.[1] === 'Arn'),
      );
    // GetItem for the rules; TransactWriteItems of Update items is authorized as UpdateItem.
    for (const action of ['dynamodb:GetItem', 'dynamodb:UpdateItem']) expect(onSends(action), action).toBe(true);
    const actions = new Set(policyOf(roleIdOf('cartCounter')).flatMap((s) => list(s.Action as string | string[])));
    for (const action of actions) expect(action, action).toMatch(/^(dynamodb|logs|sqs):/);
    const onCarts = policyOf(roleIdOf('cartCounter')).filter((s) =>
      list(s.Resource).some((r: Json) => r['Fn::GetAtt']?.[0] === cartsId() && r['Fn::GetAtt']?.[1] === 'Arn'),
    );
    expect(onCarts).toEqual([]); // the table itself: not even read
    expect(functionProps('cartCounter').Environment.Variables.CR_CARTS_TABLE).toBeUndefined();
    // The mapping's on-failure destination sends with the function's role: this queue only.
    expect(resourcesFor('cartCounter', 'sqs:SendMessage')).toEqual([`<${failedQueueId()}.Arn>`]);
  });

  it('has no asynchronous invoke config: only the mapping invokes it, synchronously', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(
      ([, c]) => c.Properties.FunctionName.Ref === functionId('cartCounter'),
    );
    expect(configs).toEqual([]);
  });
});

describe('least privilege', () => {
  // The item actions each function's adapters make, per table (`npm run rehearse` lists the grants its scenarios did
  // not use, and why each stays). No Scan, batch, ConditionCheckItem or DescribeTable; only the operator's own
  // credentials query cr-sends (a cart's history), and cr-carts is queried through its indexes only.
  const CART_ROW: string[] = ['GetItem', 'QueryIndex', 'UpdateItem'];
  const TABLE_ACTIONS: Record<FunctionRole, Partial<Record<'carts' | 'sends' | 'optouts', string[]>>> = {
    intake: { carts: CART_ROW, sends: ['GetItem', 'PutItem'] },
    waiter: { carts: ['GetItem', 'UpdateItem'], sends: ['GetItem', 'PutItem', 'UpdateItem'], optouts: ['Query'] },
    sender: {
      carts: ['GetItem', 'UpdateItem'],
      sends: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
      optouts: ['Query'],
    },
    unsubscribe: { carts: CART_ROW, sends: ['GetItem', 'PutItem', 'UpdateItem'], optouts: ['PutItem'] },
    rulesLoader: { carts: CART_ROW, sends: ['GetItem', 'PutItem', 'DeleteItem'] },
    importer: { carts: CART_ROW, sends: ['GetItem', 'PutItem'] },
    sesEvents: {
      carts: ['QueryIndex', 'UpdateItem'],
      sends: ['GetItem', 'PutItem', 'UpdateItem'],
      optouts: ['PutItem'],
    },
    summary: { sends: ['GetItem'] },
    cartCounter: { sends: ['GetItem', 'UpdateItem'] },
  };

  it.each(ROLES)(
    '%s: exactly the DynamoDB item actions its adapters make, per table; index/* for Query only',
    (role) => {
      for (const tableRole of ['carts', 'sends', 'optouts'] as const) {
        const id = tableId(TABLE_DEFINITIONS[tableRole].name);
        const onTable = (statement: Json) =>
          list(statement.Resource).some((r: Json) => r['Fn::GetAtt']?.[0] === id && r['Fn::GetAtt']?.[1] === 'Arn');
        const onIndex = (statement: Json) =>
          list(statement.Resource).some(
            (r: Json) => JSON.stringify(r).includes(id) && JSON.stringify(r).includes('/index/*'),
          );
        const granted = policyOf(roleIdOf(role))
          .filter(onTable)
          .flatMap((s) => list(s.Action as string | string[]))
          .filter(
            (a) =>
              a.startsWith('dynamodb:') &&
              ![
                'dynamodb:DescribeStream',
                'dynamodb:GetRecords',
                'dynamodb:GetShardIterator',
                'dynamodb:ListStreams',
              ].includes(a),
          );
        const wanted = TABLE_ACTIONS[role][tableRole] ?? [];
        expect([...new Set(granted)].sort(), `${role} on ${tableRole}`).toEqual(
          wanted
            .filter((a) => a !== 'QueryIndex')
            .map((a) => `dynamodb:${a}`)
            .sort(),
        );
        const onIndexes = policyOf(roleIdOf(role))
          .filter(onIndex)
          .flatMap((s) => list(s.Action as string | string[]));
        expect([...new Set(onIndexes)], `${role} on ${tableRole} indexes`).toEqual(
          wanted.includes('QueryIndex') ? ['dynamodb:Query'] : [],
        );
      }
    },
  );

  const documents = () => [
    ...ofType('AWS::IAM::Policy').map(([id, p]) => [id, p.Properties.PolicyDocument] as const),
    ...ofType('AWS::IAM::Role').flatMap(([id, r]) =>
      list(r.Properties.Policies as Json[]).map((p) => [id, p.PolicyDocument] as const),
    ),
  ];

  it('names no "*" action or resource in any policy, and only allow-listed wildcard suffixes', () => {
    expect(documents().length).toBeGreaterThan(0);
    const wildcards: string[] = [];
    for (const [id, document] of documents()) {
      for (const statement of document.Statement as Json[]) {
        expect(statement.Effect, id).toBe('Allow');
        expect(statement.NotAction, id).toBeUndefined();
        expect(statement.NotResource, id).toBeUndefined();
        for (const action of list(statement.Action as string | string[])) expect(action, id).not.toContain('*');
        for (const resource of list(statement.Resource).map(renderForNag)) {
          expect(resource, id).not.toBe('*');
          if (resource.includes('*')) {
            expect(
              Object.values(WILDCARD_ALLOW_LIST).some((allowed) => allowed.test(resource)),
              `${id}: ${resource}`,
            ).toBe(true);
            wildcards.push(resource);
          }
        }
      }
    }
    expect(wildcards.length).toBeGreaterThan(0); // the walk did see the expected index/* and schedule/* grants
  });

  it.each(ROLES)('%s: exactly its expected wildcard resources, no more', (role) => {
    const found = new Set(
      policyOf(roleIdOf(role))
        .flatMap((s) => list(s.Resource).map(renderForNag))
        .filter((resource) => resource.includes('*')),
    );
    const named = [...found].map(
      (resource) =>
        (Object.keys(WILDCARD_ALLOW_LIST) as Wildcard[]).find((key) => WILDCARD_ALLOW_LIST[key].test(resource)) ??
        resource,
    );
    expect(named.sort()).toEqual([...WILDCARDS_BY_ROLE[role]].sort());
  });

  it('reads exactly the configured secret parameters', () => {
    const arn = (name: string) => `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${name}`;
    const expected: Record<FunctionRole, string[]> = {
      intake: [arn('/cart-recovery/webhook-secret')],
      waiter: [],
      sender: [arn('/cart-recovery/unsubscribe-key')],
      unsubscribe: [arn('/cart-recovery/unsubscribe-key')],
      rulesLoader: [arn(DEFAULT_GOOGLE_KEY_PARAM)],
      importer: [arn(DEFAULT_GOOGLE_KEY_PARAM)],
      sesEvents: [],
      summary: [],
      cartCounter: [],
    };
    for (const role of ROLES) expect(resourcesFor(role, 'ssm:GetParameter'), role).toEqual(expected[role]);
  });

  it('lets only the waiter invoke the sender, and no function invoke anything else', () => {
    expect(resourcesFor('waiter', 'lambda:InvokeFunction')).toEqual([`<${functionId('sender')}.Arn>`]);
    for (const role of ROLES.filter((r) => r !== 'waiter'))
      expect(resourcesFor(role, 'lambda:InvokeFunction'), role).toEqual([]);
  });

  it('lets the sender call the one model, and only the sender', () => {
    expect(resourcesFor('sender', 'bedrock:InvokeModel').sort()).toEqual(
      [
        `arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:inference-profile/${DEFAULT_BEDROCK_MODEL_ID}`,
        'arn:<AWS::Partition>:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0',
      ].sort(),
    );
    for (const role of ROLES.filter((r) => r !== 'sender'))
      expect(resourcesFor(role, 'bedrock:InvokeModel'), role).toEqual([]);
  });

  it(
    'lets the sender mail shoppers and the Google readers mail the owner, ' +
      'through the identity and configuration set',
    () => {
      const identityAndSet = [
        expect.stringMatching(
          /^arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity\/<EmailIdentity[0-9A-F]{8}>$/,
        ),
        expect.stringMatching(
          new RegExp(
            /^arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:/.source +
              /configuration-set\/<EmailConfigurationSet[0-9A-F]{8}>$/.source,
          ),
        ),
      ];
      expect(resourcesFor('sender', 'ses:SendEmail')).toEqual(expect.arrayContaining(identityAndSet));
      expect(resourcesFor('sender', 'ses:SendEmail')).toHaveLength(2);
      // The owner's address is outside the sender domain: the SES sandbox also checks its identity.
      const owner = `arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/${GOOGLE_CONTEXT.ownerEmail}`;
      for (const role of ['rulesLoader', 'importer'] as const) {
        expect(resourcesFor(role, 'ses:SendEmail'), role).toEqual(expect.arrayContaining([...identityAndSet, owner]));
        expect(resourcesFor(role, 'ses:SendEmail'), role).toHaveLength(3);
      }
      for (const role of ['intake', 'waiter', 'unsubscribe', 'sesEvents', 'cartCounter'] as const)
        expect(resourcesFor(role, 'ses:SendEmail'), role).toEqual([]);
    },
  );

  it('needs no recipient identity when the owner is at the sender domain', () => {
    const { template: same } = synthStack({ ...GOOGLE_CONTEXT, ownerEmail: 'owner@example.com' });
    const policies = Object.values(same.findResources('AWS::IAM::Policy'));
    const sesResources = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => s.Sid === 'SendOwnerNotices')
      .map((s) => list(s.Resource).length);
    expect(sesResources).toEqual([2, 2]);
  });
});

describe('email', () => {
  it('verifies the sender domain with Easy DKIM and uses the configuration set by default', () => {
    const configurationSetId = ofType('AWS::SES::ConfigurationSet')[0]![0];
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: PLACEHOLDERS.senderDomain,
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSetId } },
    });
    const identity = ofType('AWS::SES::EmailIdentity')[0]![1].Properties;
    expect(identity.DkimSigningAttributes?.DomainSigningPrivateKey).toBeUndefined(); // not BYODKIM
  });
});

describe('alarms', () => {
  const alarms = () => alarmsOf(template);
  const alarmOn = (predicate: (alarm: Json) => boolean) => {
    const found = alarms().filter(predicate);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('alarms on every function: Errors, or Url5xxCount for the two behind a Function URL', () => {
    // The monthly summary instead sends failures to the alarmed failed-invocations queue (checked above).
    for (const role of ROLES.filter((r) => r !== 'summary')) {
      const metricName = WITH_URL.includes(role) ? 'Url5xxCount' : 'Errors';
      const alarm = alarmOn((a) => a.MetricName === metricName && a.Dimensions?.[0]?.Value?.Ref === functionId(role));
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(role) } }],
      });
    }
  });

  it('alarms on the first message in the one dead-letter queue', () => {
    for (const queueId of [failedQueueId()]) {
      expect(
        alarmOn(
          (a) =>
            a.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Dimensions[0].Value['Fn::GetAtt'][0] === queueId,
        ),
      ).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms on the SES account reputation at the review thresholds (bounces 5%, complaints 0.1%)', () => {
    for (const [metricName, threshold] of [
      ['Reputation.BounceRate', SES_REPUTATION_ALARM_THRESHOLDS.bounceRate],
      ['Reputation.ComplaintRate', SES_REPUTATION_ALARM_THRESHOLDS.complaintRate],
    ] as const) {
      const alarm = alarmOn((a) => a.MetricName === metricName);
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SES',
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Statistic: 'Maximum',
      });
      expect(alarm.Dimensions).toBeUndefined(); // account-wide
    }
    expect(SES_REPUTATION_ALARM_THRESHOLDS).toEqual({ bounceRate: 0.05, complaintRate: 0.001 });
  });

  it(
    'alarms when the rules loader keeps failing to read the docs, ' + 'from a log metric filter on its own log group',
    () => {
      const filter = ofType('AWS::Logs::MetricFilter').find(
        ([, f]) => f.Properties.FilterPattern === `"${DOC_UNAVAILABLE_PHRASE}"`,
      )![1].Properties;
      expect(filter).toMatchObject({
        FilterPattern: `"${DOC_UNAVAILABLE_PHRASE}"`,
        LogGroupName: { Ref: functionProps('rulesLoader').LoggingConfig.LogGroup.Ref },
        MetricTransformations: [
          { MetricNamespace: METRIC_NAMESPACE, MetricName: 'OwnerDocsUnavailable', MetricValue: '1' },
        ],
      });
      expect(alarmOn((a) => a.MetricName === 'OwnerDocsUnavailable')).toMatchObject({
        Namespace: METRIC_NAMESPACE,
        Statistic: 'Sum',
        Period: 900,
        Threshold: 3,
      });
      // The filter matches the loader's own warning; rewording it there must update the filter.
      const loader = readFileSync(new URL('../../src/use-cases/load-owner-docs.ts', import.meta.url), 'utf8');
      expect(loader).toContain(`\${kind} ${DOC_UNAVAILABLE_PHRASE};`);
    },
  );

  it("alarms at the first second copy of a reminder, from the sender's and SES feedback's own log lines", () => {
    const filters = ofType('AWS::Logs::MetricFilter').filter(([, f]) =>
      String(f.Properties.FilterPattern).includes(SECOND_COPY_LOG_MESSAGE),
    );
    expect(
      filters
        .map(([, f]) => f.Properties.LogGroupName)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(
      [
        { Ref: functionProps('sender').LoggingConfig.LogGroup.Ref },
        { Ref: functionProps('sesEvents').LoggingConfig.LogGroup.Ref },
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    for (const [, filter] of filters) {
      expect(filter.Properties).toMatchObject({
        FilterPattern: `{ $.message = "${SECOND_COPY_LOG_MESSAGE}" }`,
        MetricTransformations: [{ MetricNamespace: METRIC_NAMESPACE, MetricName: 'SecondCopies', MetricValue: '1' }],
      });
    }
    expect(alarmOn((a) => a.MetricName === 'SecondCopies')).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
    });
    // The filter matches the line the code writes; rewording it there must update the filter (one constant).
    const settle = readFileSync(new URL('../../src/use-cases/record-sent.ts', import.meta.url), 'utf8');
    expect(settle).toContain('deps.log.error(SECOND_COPY_LOG_MESSAGE,');
  });

  it('alarms on an unusual request rate at each public URL, whatever the answers', () => {
    for (const role of WITH_URL) {
      expect(
        alarmOn((a) => a.MetricName === 'UrlRequestCount' && a.Dimensions?.[0]?.Value?.Ref === functionId(role)),
      ).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 300,
        Threshold: DEFAULT_URL_REQUEST_ALARM,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('caps the public URLs only when asked, and then exactly them, at the threshold and cap given', () => {
    const capped = synthStack({ ...GOOGLE_CONTEXT, publicUrlConcurrency: '3', publicUrlRequestAlarm: '250' });
    const reserved = Object.values(capped.template.findResources('AWS::Lambda::Function'))
      .filter((fn) => fn.Properties.ReservedConcurrentExecutions !== undefined)
      .map((fn) => [fn.Properties.FunctionName, fn.Properties.ReservedConcurrentExecutions]);
    expect(reserved.sort()).toEqual(WITH_URL.map((role) => [FUNCTION_NAMES[role], 3]).sort());
    const thresholds = alarmsOf(capped.template)
      .filter((a) => a.MetricName === 'UrlRequestCount')
      .map((a) => a.Threshold);
    expect(thresholds).toEqual([250, 250]);
  });

  it('links every alarm to its section of docs/operations.md', () => {
    const slugs = new Set(
      [...operationsGuide.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .trim()
          .replace(/ /g, '-'),
      ),
    );
    for (const alarm of alarms()) {
      const anchor = /docs\/operations\.md#([a-z0-9-]+)/.exec(alarm.AlarmDescription)?.[1];
      expect(anchor, alarm.AlarmDescription).toBeDefined();
      expect(slugs.has(anchor!), `docs/operations.md has a heading for #${anchor}`).toBe(true);
    }
  });

  it('states the monthly cost of this many alarms in docs/operations.md', () => {
    expect(alarms()).toHaveLength(15);
    const cost = Math.max(0, alarms().length - FREE_ALARMS) * ALARM_MONTHLY_USD;
    expect(stack.alarms.monthlyCostUsd).toBeCloseTo(cost);
    expect(operationsGuide).toContain(`$${cost.toFixed(2)}`);
  });
});

describe('outputs', () => {
  it('prints both webhook URLs, the unsubscribe URL, the table names and both queue URLs', () => {
    const outputs = template.toJSON().Outputs as Json;
    const urlId = logicalIdOf('AWS::Lambda::Url', (p) => p.TargetFunctionArn['Fn::GetAtt'][0] === functionId('intake'));
    expect(outputs.CartWebhookUrl.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, 'webhooks/cart']],
    });
    expect(outputs.ShopifyWebhookUrl.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, 'webhooks/shopify']],
    });
    for (const key of [
      'UnsubscribeUrl',
      'CartsTableName',
      'SendsTableName',
      'OptOutsTableName',
      'SchedulerDeadLetterQueueUrl',
      'FailedInvocationsQueueUrl',
    ]) {
      expect(outputs).toHaveProperty(key);
    }
    expect(outputs.FailedInvocationsQueueUrl.Value).toEqual({ Ref: failedQueueId() });
    for (const index of [1, 2, 3]) expect(outputs).toHaveProperty(`DkimRecord${index}`);
  });
});

describe('deploy configuration (src/composition/aws/deploy-config.ts)', () => {
  it('has demo defaults that synth offline and are reported as placeholders', () => {
    const config = parseDeployConfig({});
    expect(config).toMatchObject({
      senderDomain: 'example.com',
      fromAddress: 'reminders@example.com',
      ownerEmail: 'owner@example.com',
      googleKeyParam: '/cart-recovery/google-service-account',
      replyTo: 'owner@example.com',
      docsRefreshMinutes: 5,
      webhookSecretParam: '/cart-recovery/webhook-secret',
      unsubscribeKeyParam: '/cart-recovery/unsubscribe-key',
      bedrockModelId: DEFAULT_BEDROCK_MODEL_ID,
      retentionDays: 90,
      logRetentionDays: 30,
      bedrock: { profilePrefix: 'global', foundationModelId: 'anthropic.claude-haiku-4-5-20251001-v1:0' },
    });
    expect(config.rulesDocId).toBeUndefined();
    expect(config.exportSheetId).toBeUndefined();
    expect(config.docsCacheSeconds).toBeUndefined();
    expect(config.placeholders).toEqual(['senderDomain', 'fromAddress', 'ownerEmail']);
    expect(config.retired).toEqual([]);
  });

  it('takes context over environment, treats blanks as unset and coerces numbers from -c strings', () => {
    const app = new App({
      context: {
        senderDomain: 'shop.example.org',
        fromAddress: 'Hi@Shop.Example.org',
        replyTo: '',
        retentionDays: '30',
        docsRefreshMinutes: '10',
      },
    });
    const config = readDeployConfig(app, {
      [environmentVariableFor('senderDomain')]: 'ignored.example.net',
      [environmentVariableFor('logRetentionDays')]: '14',
      [environmentVariableFor('ownerEmail')]: 'Sam@Owner.example',
      [environmentVariableFor('storeName')]: 'Ridge & Loom',
    });
    expect(config).toMatchObject({
      senderDomain: 'shop.example.org',
      fromAddress: 'hi@shop.example.org',
      ownerEmail: 'sam@owner.example',
      retentionDays: 30,
      logRetentionDays: 14,
      docsRefreshMinutes: 10,
    });
    // No reply address given: replies go to the owner's inbox, never to the sending address.
    expect(config.replyTo).toBe('sam@owner.example');
    expect(config.placeholders).toEqual([]);
    expect(config.retired).toEqual(['storeName']);
  });

  it('fails with one message naming every bad key and where to set it', () => {
    const attempt = () =>
      parseDeployConfig({ senderDomain: 'not a domain', logRetentionDays: 31, webhookSecretParam: 'no-slash' });
    expect(attempt).toThrowError(DeployConfigError);
    expect(attempt).toThrowError(
      'senderDomain (context "senderDomain" or env CART_RECOVERY_SENDER_DOMAIN): expected a domain name',
    );
    expect(attempt).toThrowError(/logRetentionDays .*CloudWatch Logs accepts only 1, 3, 5/);
    expect(attempt).toThrowError(/webhookSecretParam .*starting with "\/"/);
    expect(() => parseDeployConfig({ senderDomain: 'shop.example.org', fromAddress: 'hi@other.example' })).toThrowError(
      /fromAddress .*must be an address at senderDomain "shop.example.org"/,
    );
  });

  it('validates the new keys with messages that name them', () => {
    const fails = (raw: Json, message: RegExp) => expect(() => parseDeployConfig(raw)).toThrowError(message);
    fails(
      { ownerEmail: 'not-an-email' },
      /^[\s\S]*ownerEmail \(context "ownerEmail" or env CART_RECOVERY_OWNER_EMAIL\): expected an email address/,
    );
    fails({ googleKeyParam: 'google-key' }, /googleKeyParam .*starting with "\/"/);
    fails(
      { senderDomain: 'shop.example.org', fromAddress: 'hi@shop.example.org', replyTo: 'hi@shop.example.org' },
      new RegExp(
        /replyTo \(context "replyTo" or env CART_RECOVERY_REPLY_TO\): /.source +
          /must be an inbox someone reads, /.source +
          /not the sending address "hi@shop.example.org"/.source,
      ),
    );
    fails({ docsRefreshMinutes: 0 }, /docsRefreshMinutes .*at least 1/);
    fails({ docsRefreshMinutes: '61' }, /docsRefreshMinutes .*at most 60/);
    fails({ docsRefreshMinutes: 2.5 }, /docsRefreshMinutes .*whole number of minutes/);
    fails({ docsCacheSeconds: 3601 }, /docsCacheSeconds .*at most 3600/);
    fails({ exportSheetId: 'short' }, /exportSheetId .*expected a Google Drive\/Docs ID/);
    fails({ rulesDocId: GOOGLE_CONTEXT.rulesDocId }, /voiceDocId .*required when rulesDocId is set/);
    fails({ voiceDocId: GOOGLE_CONTEXT.voiceDocId }, /rulesDocId .*required when voiceDocId is set/);
    expect(parseDeployConfig({ docsRefreshMinutes: '60', docsCacheSeconds: '0' })).toMatchObject({
      docsRefreshMinutes: 60,
      docsCacheSeconds: 0,
    });
    expect(canonicalTimeZone('UTC')).toBe('UTC');
  });

  it('leaves the public-URL cap off unless asked, and bounds it and the request alarm', () => {
    const fails = (raw: Json, message: RegExp) => expect(() => parseDeployConfig(raw)).toThrowError(message);
    expect(parseDeployConfig({}).publicUrlConcurrency).toBeUndefined();
    expect(parseDeployConfig({}).publicUrlRequestAlarm).toBe(DEFAULT_URL_REQUEST_ALARM);
    expect(parseDeployConfig({ publicUrlConcurrency: '', publicUrlRequestAlarm: '5000' })).toMatchObject({
      publicUrlRequestAlarm: 5000,
    });
    expect(parseDeployConfig({ publicUrlConcurrency: '2' }).publicUrlConcurrency).toBe(2);
    fails({ publicUrlConcurrency: 0 }, /publicUrlConcurrency .*at least 1/);
    fails({ publicUrlConcurrency: 1.5 }, /publicUrlConcurrency .*whole number of concurrent executions/);
    fails({ publicUrlRequestAlarm: 5 }, /publicUrlRequestAlarm .*at least 10/);
  });
});

describe('the Stripe lane (stripeSecretParam and stripeKeyParam)', () => {
  const STRIPE = {
    stripeSecretParam: '/cart-recovery/stripe-webhook-secret',
    stripeKeyParam: '/cart-recovery/stripe-restricted-key',
  };
  const withStripe = () => synthStack({ ...GOOGLE_CONTEXT, ...STRIPE });
  const intakeOf = (t: Template) => {
    const [id, resource] = Object.entries(
      t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: FUNCTION_NAMES.intake } }),
    )[0]!;
    return { id, props: resource.Properties as Json };
  };

  it('writes both parameter names into the intake environment (which its schema accepts) and no other function', () => {
    const { template: t } = withStripe();
    const variables = intakeOf(t).props.Environment.Variables as Json;
    expect(variables).toMatchObject({
      CR_STRIPE_SECRET_PARAM: STRIPE.stripeSecretParam,
      CR_STRIPE_KEY_PARAM: STRIPE.stripeKeyParam,
    });
    const stand = (value: unknown) =>
      typeof value === 'string' ? value : 'arn:aws:lambda:eu-west-1:123456789012:function:x';
    expect(
      intakeEnvSchema.safeParse(
        Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, stand(value)])),
      ).success,
    ).toBe(true);
    const others = Object.values(t.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.FunctionName !== FUNCTION_NAMES.intake,
    );
    for (const fn of others) expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain('STRIPE');
    // Without the keys, the intake has no Stripe variables (and /webhooks/stripe answers 404).
    expect(JSON.stringify(functionProps('intake').Environment.Variables)).not.toContain('STRIPE');
  });

  it('lets the intake read exactly the two Stripe parameters more, by name', () => {
    const { template: t } = withStripe();
    const { id } = intakeOf(t);
    const roleId = (intakeOf(t).props.Role as Json)['Fn::GetAtt'][0] as string;
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as Json[]).some((role) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[])
      .filter((statement) => [statement.Action].flat().includes('ssm:GetParameter'));
    const resources = JSON.stringify(statements.map((statement) => statement.Resource));
    for (const name of ['/cart-recovery/webhook-secret', STRIPE.stripeSecretParam, STRIPE.stripeKeyParam])
      expect(resources).toContain(`parameter${name}`);
    expect(resources).not.toContain('*');
    expect(id).toBeTruthy();
  });

  it('prints the Stripe endpoint among the outputs', () => {
    const { template: t } = withStripe();
    const outputs = t.toJSON().Outputs as Json;
    const urlId = Object.keys(t.findResources('AWS::Lambda::Url')).find((key) =>
      JSON.stringify(t.toJSON().Resources[key]).includes(intakeOf(t).id),
    )!;
    expect(outputs.StripeWebhookUrl.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, 'webhooks/stripe']],
    });
  });

  it('refuses one Stripe parameter without the other', () => {
    expect(() => parseDeployConfig({ stripeSecretParam: STRIPE.stripeSecretParam })).toThrowError(
      /stripeKeyParam .*required when stripeSecretParam is set/,
    );
    expect(() => parseDeployConfig({ stripeKeyParam: STRIPE.stripeKeyParam })).toThrowError(
      /stripeSecretParam .*required when stripeKeyParam is set/,
    );
  });
});
