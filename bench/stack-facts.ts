/**
 * What the CDK stack provisions, read from the synthesized template (bundling skipped), so the bill uses the memory
 * sizes, log retention, alarms and table settings the stack really sets rather than copies of them.
 */
import { App } from 'aws-cdk-lib';
import { CartRecoveryStack } from '../lib/cart-recovery-stack';
import { readDeployConfig } from '../src/composition/aws/deploy-config';

export interface StackFunction {
  readonly name: string;
  readonly memoryMb: number;
  readonly architecture: string;
  readonly logRetentionDays: number | undefined;
}

export interface StackFacts {
  readonly functions: readonly StackFunction[];
  readonly alarms: readonly string[];
  readonly tables: readonly { name: string; kmsEncrypted: boolean; pitr: boolean }[];
  readonly queues: number;
  readonly customerManagedKeys: number;
  readonly secrets: number;
  readonly recurringSchedules: readonly RecurringSchedule[];
}

export interface RecurringSchedule {
  readonly id: string;
  readonly expression: string;
  /** The function it invokes (`cart-recovery-…`), when the target is a function of this stack. */
  readonly functionName: string | undefined;
  /** Invocations in a 30-day month, when the expression is one this parser knows. */
  readonly runsPerMonth: number | undefined;
}

/** Owner-doc ids a deployable store sets (the rules loader exists only with them); no export sheet: a webhook store. */
export const DEPLOY_CONTEXT = { rulesDocId: 'benchRulesDocId0001', voiceDocId: 'benchVoiceDocId0001' } as const;

const MONTH_MINUTES = 30 * 24 * 60;

/** Runs per 30-day month of `rate(n unit)` and of the simple hourly/daily/monthly `cron(...)` forms. */
export function runsPerMonth(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate)
    return MONTH_MINUTES / (Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[rate[2] as 'minute' | 'hour' | 'day']);
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!cron) return undefined;
  const [, minute, hour, dayOfMonth, month, dayOfWeek] = cron as unknown as string[];
  const fixed = (field: string | undefined) => field !== undefined && /^\d+$/.test(field);
  const everyDay = (dayOfMonth === '*' || dayOfMonth === '?') && (dayOfWeek === '*' || dayOfWeek === '?');
  // The store jobs tick hourly in UTC and run at their local hour (src/domain/schedules/store-time.ts).
  if (fixed(minute) && hour === '*' && month === '*' && everyDay) return 30 * 24;
  if (!fixed(minute) || !fixed(hour) || month !== '*') return undefined;
  if (fixed(dayOfMonth)) return 1;
  if (everyDay) return 30;
  return undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template, read by path
type Resource = { Type: string; Properties?: Record<string, any> };

export function stackFacts(): StackFacts {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...DEPLOY_CONTEXT } });
  const stack = new CartRecoveryStack(app, 'CartRecovery', { config: readDeployConfig(app) });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Resource> };
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);

  const retention = new Map<string, number | undefined>();
  for (const [, group] of ofType('AWS::Logs::LogGroup')) {
    const name = group.Properties?.LogGroupName;
    if (typeof name === 'string') retention.set(name.replace('/aws/lambda/', ''), group.Properties?.RetentionInDays);
  }
  const functionNames = new Map<string, string>();
  const functions = ofType('AWS::Lambda::Function').map(([id, fn]) => {
    const name = typeof fn.Properties?.FunctionName === 'string' ? fn.Properties.FunctionName : id;
    functionNames.set(id, name);
    return {
      name,
      memoryMb: Number(fn.Properties?.MemorySize ?? 128),
      architecture: String(fn.Properties?.Architectures?.[0] ?? 'x86_64'),
      logRetentionDays: retention.get(name),
    };
  });
  return {
    functions,
    alarms: ofType('AWS::CloudWatch::Alarm').map(([id]) => id),
    tables: ofType('AWS::DynamoDB::Table').map(([id, table]) => ({
      name: String(table.Properties?.TableName ?? id),
      // SSEEnabled without a key id means the AWS-managed aws/dynamodb key (KMS requests billed); absent means the
      // AWS-owned key (free).
      kmsEncrypted: table.Properties?.SSESpecification?.SSEEnabled === true,
      pitr: table.Properties?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true,
    })),
    queues: ofType('AWS::SQS::Queue').length,
    customerManagedKeys: ofType('AWS::KMS::Key').length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    recurringSchedules: ofType('AWS::Scheduler::Schedule').map(([id, s]) => {
      const expression = String(s.Properties?.ScheduleExpression);
      const target = s.Properties?.Target?.Arn?.['Fn::GetAtt']?.[0];
      return {
        id,
        expression,
        functionName: typeof target === 'string' ? functionNames.get(target) : undefined,
        runsPerMonth: runsPerMonth(expression),
      };
    }),
  };
}
