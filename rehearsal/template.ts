/**
 * The stack as an operator would deploy it: synthesized (bundles included) into a temporary folder, then read back
 * from the template alone. Nothing here knows what lib/ builds: every function, environment variable, policy,
 * table, URL, schedule, rule and stream mapping is read from the synthesized CloudFormation, with its Refs and GetAtts
 * resolved to the rehearsal's own names.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CartRecoveryStack } from '../lib/cart-recovery-stack';
import { readDeployConfig } from '../src/composition/aws/deploy-config';

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template, read by path
type Json = Record<string, any>;

/** The account and Region the rehearsal pretends to be. */
export const REHEARSAL_ACCOUNT = '123456789012';
export const REHEARSAL_REGION = 'us-east-1';

/** One IAM policy statement, its Refs resolved. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Json;
}

/** Everything the template says about one Lambda function. */
export interface FunctionSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** Folder holding the bundle (the code asset). */
  readonly assetDir: string;
  readonly handler: string;
  readonly runtime: string;
  readonly architecture: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
  readonly roleArn: string;
  readonly logGroupArn: string;
  /** Statements of every policy attached to the function's role. */
  readonly statements: Statement[];
  /** The async-invoke configuration (`AWS::Lambda::EventInvokeConfig`), when one exists. */
  readonly asyncConfig?: { readonly retryAttempts: number; readonly onFailureArn?: string };
  /** The Function URL's address, when it has one (ends with `/`). */
  readonly url?: string;
}

export interface TableSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly streamArn?: string;
  readonly properties: Json;
}

export interface StreamMappingSpec {
  readonly functionName: string;
  readonly streamArn: string;
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly filters: unknown[];
  readonly retryAttempts: number;
  readonly onFailureArn?: string;
  readonly reportBatchItemFailures: boolean;
}

export interface RuleSpec {
  readonly pattern: Json;
  readonly targets: Array<{ arn: string; deadLetterArn?: string }>;
}

export interface RecurringScheduleSpec {
  readonly name: string;
  readonly expression: string;
  readonly targetArn: string;
  readonly roleArn: string;
  readonly input?: string;
}

export interface QueueSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly url: string;
}

export interface RoleSpec {
  readonly arn: string;
  readonly statements: Statement[];
}

/** The deployed system as the template describes it. */
export interface RehearsalTemplate {
  readonly outdir: string;
  readonly functions: FunctionSpec[];
  readonly tables: TableSpec[];
  readonly queues: QueueSpec[];
  readonly streamMappings: StreamMappingSpec[];
  readonly rules: RuleSpec[];
  readonly schedules: RecurringScheduleSpec[];
  /** Every IAM role by ARN (the functions' and Scheduler's). */
  readonly roles: Map<string, RoleSpec>;
  readonly outputs: Record<string, string>;
}

export interface SynthOptions {
  /** Deploy configuration keys, as `-c key=value` would give them. */
  readonly context: Readonly<Json>;
  /** Addresses of the Function URLs, by function name (the rehearsal's own HTTP servers). */
  readonly functionUrls: (functionName: string) => string;
  /** Prefix for physical names the rehearsal owns (tables, queues), so several rehearsals can share one engine. */
  readonly prefix: string;
  /** The URL of a queue by its name (the rehearsal's SQS stand-in's address). */
  readonly queueUrl: (queueName: string) => string;
  /** Edits the synthesized template before it is read (the tests that break one thing use this). */
  readonly editTemplate?: (template: Json) => void;
  /** Entry files to use instead of src/lambda's (the test whose bundle throws on load). */
  readonly entries?: ConstructorParameters<typeof CartRecoveryStack>[2]['entries'];
}

/** Synthesizes the production stack with bundling into a fresh temporary folder; returns the folder and template. */
export function synthesize(options: Pick<SynthOptions, 'context' | 'entries'>): { outdir: string; template: Json } {
  const outdir = mkdtempSync(join(tmpdir(), 'cr-rehearsal-'));
  const cdkJson = (JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context: Json })
    .context;
  const app = new App({ outdir, context: { ...cdkJson, 'aws:cdk:enable-asset-metadata': true, ...options.context } });
  const stack = new CartRecoveryStack(app, 'CartRecovery', {
    config: readDeployConfig(app, {}),
    ...(options.entries ? { entries: options.entries } : {}),
  });
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as Json;
  return { outdir, template };
}

/** Reads a synthesized template into the rehearsal's view of the system. */
export function readTemplate(
  outdir: string,
  template: Json,
  options: Pick<SynthOptions, 'functionUrls' | 'prefix' | 'queueUrl'>,
): RehearsalTemplate {
  const resources = template.Resources as Record<string, Json>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const physical = new Map<string, { ref: string; attrs: Record<string, string> }>();
  const arn = (service: string, resource: string, account = REHEARSAL_ACCOUNT) =>
    `arn:aws:${service}:${REHEARSAL_REGION}:${account}:${resource}`;

  // Physical names first: everything else refers to them.
  for (const [id, r] of ofType('AWS::DynamoDB::Table')) {
    const name = `${options.prefix}${r.Properties.TableName ?? id}`;
    const tableArn = arn('dynamodb', `table/${name}`);
    physical.set(id, { ref: name, attrs: { Arn: tableArn, StreamArn: `${tableArn}/stream/rehearsal` } });
  }
  for (const [id, r] of ofType('AWS::SQS::Queue')) {
    const name = `${options.prefix}${r.Properties?.QueueName ?? `CartRecovery-${id}`}`;
    physical.set(id, {
      ref: options.queueUrl(name),
      attrs: { Arn: arn('sqs', name), QueueName: name, QueueUrl: options.queueUrl(name) },
    });
  }
  for (const [id, r] of ofType('AWS::IAM::Role')) {
    const name = r.Properties.RoleName ?? `CartRecovery-${id}`;
    physical.set(id, {
      ref: name,
      attrs: { Arn: `arn:aws:iam::${REHEARSAL_ACCOUNT}:role/${name}`, RoleId: `AROA${id.slice(0, 12)}` },
    });
  }
  for (const [id, r] of ofType('AWS::Lambda::Function')) {
    const name = r.Properties.FunctionName ?? `CartRecovery-${id}`;
    physical.set(id, { ref: name, attrs: { Arn: arn('lambda', `function:${name}`) } });
  }
  for (const [id, r] of ofType('AWS::Logs::LogGroup')) {
    const name = r.Properties.LogGroupName ?? `/aws/lambda/CartRecovery-${id}`;
    physical.set(id, { ref: name, attrs: { Arn: arn('logs', `log-group:${name}:*`) } });
  }
  for (const [id] of ofType('AWS::Scheduler::ScheduleGroup')) {
    const name = resources[id]!.Properties.Name ?? id;
    physical.set(id, { ref: name, attrs: { Arn: arn('scheduler', `schedule-group/${name}`) } });
  }
  for (const [id, r] of ofType('AWS::SES::ConfigurationSet')) {
    physical.set(id, { ref: r.Properties.Name ?? `cr-rehearsal-${id.toLowerCase()}`, attrs: {} });
  }
  for (const [id, r] of ofType('AWS::SES::EmailIdentity')) {
    physical.set(id, {
      ref: r.Properties.EmailIdentity,
      attrs: Object.fromEntries(
        [1, 2, 3].flatMap((n) => [
          [`DkimDNSTokenName${n}`, `token${n}._domainkey`],
          [`DkimDNSTokenValue${n}`, `token${n}.dkim.amazonses.com`],
        ]),
      ),
    });
  }
  for (const [id, r] of ofType('AWS::SNS::Topic'))
    physical.set(id, { ref: arn('sns', r.Properties.TopicName ?? id), attrs: { TopicArn: arn('sns', id) } });
  for (const [id, r] of ofType('AWS::Lambda::Url')) {
    const target = resolve(r.Properties.TargetFunctionArn) as string;
    const fnName = target.split(':').pop()!;
    physical.set(id, { ref: id, attrs: { FunctionUrl: options.functionUrls(fnName), FunctionArn: target } });
  }

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const node = value as Json;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = node[key];
      if (key === 'Ref') {
        if (arg === 'AWS::Region') return REHEARSAL_REGION;
        if (arg === 'AWS::AccountId') return REHEARSAL_ACCOUNT;
        if (arg === 'AWS::Partition') return 'aws';
        if (arg === 'AWS::URLSuffix') return 'amazonaws.com';
        if (arg === 'AWS::StackName') return 'CartRecovery';
        const found = physical.get(arg);
        if (!found) throw new Error(`the rehearsal cannot resolve Ref ${arg} (${resources[arg]?.Type ?? 'unknown'})`);
        return found.ref;
      }
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        const found = physical.get(id)?.attrs[attribute];
        if (found === undefined)
          throw new Error(
            `the rehearsal cannot resolve GetAtt ${id}.${attribute} (${resources[id]?.Type ?? 'unknown'})`,
          );
        return found;
      }
      if (key === 'Fn::Join') {
        const [delimiter, parts] = arg as [string, unknown[]];
        return (resolve(parts) as unknown[]).map(String).join(delimiter);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [unknown, unknown];
        return (resolve(list) as unknown[])[Number(resolve(index))];
      }
      if (key === 'Fn::Split') {
        const [delimiter, text] = arg as [string, unknown];
        return String(resolve(text)).split(delimiter);
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Json];
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
          String(
            name in vars
              ? resolve(vars[name])
              : name.includes('.')
                ? resolve({ 'Fn::GetAtt': name.split('.') })
                : resolve({ Ref: name }),
          ),
        );
      }
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  }

  const policiesByRole = new Map<string, Statement[]>();
  for (const [, r] of ofType('AWS::IAM::Policy')) {
    const document = resolve(r.Properties.PolicyDocument) as { Statement: Statement[] };
    for (const roleRef of r.Properties.Roles as unknown[]) {
      const roleName = resolve(roleRef) as string;
      policiesByRole.set(roleName, [...(policiesByRole.get(roleName) ?? []), ...document.Statement]);
    }
  }
  const roles = new Map<string, RoleSpec>();
  for (const [id, r] of ofType('AWS::IAM::Role')) {
    const name = physical.get(id)!.ref;
    const inline = ((r.Properties.Policies ?? []) as Json[]).flatMap(
      (p) => (resolve(p.PolicyDocument) as { Statement: Statement[] }).Statement,
    );
    if ((r.Properties.ManagedPolicyArns ?? []).length > 0)
      throw new Error(`role ${id} has managed policies, which the rehearsal cannot read`);
    roles.set(physical.get(id)!.attrs.Arn!, {
      arn: physical.get(id)!.attrs.Arn!,
      statements: [...inline, ...(policiesByRole.get(name) ?? [])],
    });
  }

  const invokeConfigs = new Map<string, { retryAttempts: number; onFailureArn?: string }>();
  for (const [, r] of ofType('AWS::Lambda::EventInvokeConfig')) {
    const p = resolve(r.Properties) as Json;
    const onFailureArn = p.DestinationConfig?.OnFailure?.Destination as string | undefined;
    invokeConfigs.set(p.FunctionName, {
      retryAttempts: p.MaximumRetryAttempts ?? 2,
      ...(onFailureArn ? { onFailureArn } : {}),
    });
  }
  const urls = new Map<string, string>();
  for (const [id] of ofType('AWS::Lambda::Url')) {
    const { FunctionUrl, FunctionArn } = physical.get(id)!.attrs;
    urls.set(FunctionArn!.split(':').pop()!, FunctionUrl!);
  }

  const functions: FunctionSpec[] = ofType('AWS::Lambda::Function').map(([id, r]) => {
    const p = r.Properties;
    const name = physical.get(id)!.ref;
    const assetPath = r.Metadata?.['aws:asset:path'] as string | undefined;
    if (!assetPath) throw new Error(`function ${name} has no code asset in the synthesized template`);
    const roleArn = resolve(p.Role) as string;
    const logGroupArn = p.LoggingConfig?.LogGroup
      ? arn('logs', `log-group:${resolve(p.LoggingConfig.LogGroup)}`)
      : arn('logs', `log-group:/aws/lambda/${name}`);
    const asyncConfig = invokeConfigs.get(name);
    const url = urls.get(name);
    return {
      logicalId: id,
      name,
      arn: physical.get(id)!.attrs.Arn!,
      assetDir: join(outdir, assetPath),
      handler: p.Handler,
      runtime: p.Runtime,
      architecture: (p.Architectures ?? ['x86_64'])[0],
      memoryMb: p.MemorySize ?? 128,
      timeoutSeconds: p.Timeout ?? 3,
      environment: resolve(p.Environment?.Variables ?? {}) as Record<string, string>,
      roleArn,
      logGroupArn,
      statements: roles.get(roleArn)?.statements ?? [],
      ...(asyncConfig ? { asyncConfig } : {}),
      ...(url ? { url } : {}),
    };
  });

  const tables: TableSpec[] = ofType('AWS::DynamoDB::Table').map(([id, r]) => ({
    logicalId: id,
    name: physical.get(id)!.ref,
    arn: physical.get(id)!.attrs.Arn!,
    ...(r.Properties.StreamSpecification ? { streamArn: physical.get(id)!.attrs.StreamArn! } : {}),
    properties: r.Properties,
  }));
  const queues: QueueSpec[] = ofType('AWS::SQS::Queue').map(([id]) => ({
    logicalId: id,
    name: physical.get(id)!.attrs.QueueName!,
    arn: physical.get(id)!.attrs.Arn!,
    url: physical.get(id)!.attrs.QueueUrl!,
  }));
  const streamMappings: StreamMappingSpec[] = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => {
    const p = resolve(r.Properties) as Json;
    const onFailureArn = p.DestinationConfig?.OnFailure?.Destination as string | undefined;
    return {
      functionName: String(p.FunctionName).split(':').pop()!,
      streamArn: p.EventSourceArn,
      batchSize: p.BatchSize ?? 100,
      windowSeconds: p.MaximumBatchingWindowInSeconds ?? 0,
      filters: ((p.FilterCriteria?.Filters ?? []) as Json[]).map((f) => JSON.parse(f.Pattern as string)),
      retryAttempts: p.MaximumRetryAttempts ?? -1,
      reportBatchItemFailures: ((p.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
      ...(onFailureArn ? { onFailureArn } : {}),
    };
  });
  const rules: RuleSpec[] = ofType('AWS::Events::Rule').map(([, r]) => {
    const p = resolve(r.Properties) as Json;
    return {
      pattern: p.EventPattern,
      targets: ((p.Targets ?? []) as Json[]).map((t) => ({
        arn: t.Arn,
        ...(t.DeadLetterConfig?.Arn ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
      })),
    };
  });
  const schedules: RecurringScheduleSpec[] = ofType('AWS::Scheduler::Schedule').map(([id, r]) => {
    const p = resolve(r.Properties) as Json;
    return {
      name: p.Name ?? id,
      expression: p.ScheduleExpression,
      targetArn: p.Target.Arn,
      roleArn: p.Target.RoleArn,
      ...(p.Target.Input !== undefined ? { input: p.Target.Input } : {}),
    };
  });
  const outputs = Object.fromEntries(
    Object.entries((template.Outputs ?? {}) as Record<string, Json>).flatMap(([key, o]) => {
      try {
        return [[key, String(resolve(o.Value))]];
      } catch {
        return [];
      }
    }),
  );
  return { outdir, functions, tables, queues, streamMappings, rules, schedules, roles, outputs };
}
