import { Aws, type Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Every hour on the hour, in UTC, carrying the tick's own scheduled time: the function runs its job only at the job's
 * local hour in the store's zone, which it reads from the rules doc (src/domain/schedules/store-time.ts). So the one
 * zone setting is the rules doc's, and a retried tick still knows which hour it was for.
 */
export const HOURLY_STORE_TICK = {
  expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '*', day: '*', month: '*' }),
  input: scheduler.ScheduleTargetInput.fromObject({ scheduled: scheduler.ContextAttribute.scheduledTime }),
};

export interface RecurringJobProps {
  /** The function each tick invokes (asynchronously, the unqualified ARN). */
  readonly target: lambda.IFunction;
  /** `rate(...)` or `cron(...)` with its time zone. */
  readonly expression: scheduler.ScheduleExpression;
  /** Schedule name, unique in the default group, e.g. `cart-recovery-rules-loader`. */
  readonly scheduleName: string;
  /** Shown in the console. */
  readonly description: string;
  /** How long Scheduler keeps retrying a tick it could not hand to Lambda (60 s – 24 h). */
  readonly maxEventAge: Duration;
  /** How many times Scheduler retries that hand-off (0–185). */
  readonly retryAttempts: number;
  /** Where a tick goes when Scheduler gives up on it (the role may send to this queue only). */
  readonly deadLetterQueue: sqs.IQueue;
  /** The event each tick carries; absent: Scheduler's default. */
  readonly input?: scheduler.ScheduleTargetInput;
}

/**
 * One recurring EventBridge Scheduler schedule that invokes one function, with its own role.
 *
 * - **Default schedule group**, not `cart-recovery`: the functions may delete schedules in `cart-recovery/*` (per-cart
 *   wake-ups), and must not be able to delete these. Recurring schedules have no `ActionAfterCompletion`, so they
 *   are never deleted after firing; CloudFormation owns them.
 * - **Its own role**, trusted by Scheduler only for this account and the default group (confused-deputy
 *   conditions), allowed to invoke this one function's unqualified ARN and to write dead letters, nothing else.
 *   `LambdaInvoke` would grant `<function>:*` as well (every version and alias); the role is handed to it without
 *   policy updates and the exact statement is written here instead.
 */
export class RecurringJob extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RecurringJobProps) {
    super(scope, id);
    const defaultGroupArn = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule-group',
      resourceName: 'default',
    });
    this.role = new iam.Role(this, 'Role', {
      description: `Assumed by EventBridge Scheduler to run ${props.scheduleName}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': defaultGroupArn } },
      }),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeJob',
        actions: ['lambda:InvokeFunction'],
        resources: [props.target.functionArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendDeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [props.deadLetterQueue.queueArn],
      }),
    );

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      scheduleName: props.scheduleName,
      description: props.description,
      schedule: props.expression,
      target: new targets.LambdaInvoke(props.target, {
        role: this.role.withoutPolicyUpdates(),
        deadLetterQueue: props.deadLetterQueue,
        maxEventAge: props.maxEventAge,
        retryAttempts: props.retryAttempts,
        ...(props.input ? { input: props.input } : {}),
      }),
    });
    // The role's policy must exist before Scheduler first assumes it.
    this.schedule.node.addDependency(this.role);
  }
}
