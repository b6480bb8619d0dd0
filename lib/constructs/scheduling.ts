import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource, type ServiceFunction } from './service-function';

/** Name of the schedule group that holds every per-cart one-off schedule. */
export const SCHEDULE_GROUP_NAME = 'cart-recovery';

export interface SchedulingProps {
  /**
   * ARN of the waiter, the default target of wake-ups. Built from the waiter's fixed name (see
   * `functionArnForName`), because the waiter itself creates wake-ups and cannot reference its own `Fn::GetAtt`.
   */
  readonly waiterArn: string;
  /**
   * Schedule group name.
   * @default SCHEDULE_GROUP_NAME
   */
  readonly groupName?: string;
  /**
   * Where Scheduler puts wake-ups and job ticks it could not deliver. The stack passes the failed-invocations queue,
   * so everything that got lost is in one place under one alarm.
   * @default a queue of its own
   */
  readonly deadLetterQueue?: sqs.Queue;
}

/**
 * What EventBridge Scheduler needs for the per-cart wake-ups the functions create at runtime: a schedule group, a
 * dead-letter queue for deliveries that ran out of retries, and the role Scheduler assumes to invoke the targets.
 * The schedules themselves are created by the code (`@aws-sdk/client-scheduler`), never by CloudFormation. The
 * recurring jobs (`RecurringJob`) share the dead-letter queue but have their own roles and live in the default group.
 */
export class Scheduling extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly groupName: string;
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;
  private readonly waiterArn: string;
  private readonly invokeStatement: iam.PolicyStatement;

  private ownQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the EventBridge Scheduler wake-ups (set per schedule at ' +
        'runtime, so cdk-nag cannot see it) and of the recurring jobs; a dead-letter queue for a dead-letter queue ' +
        'adds nothing. An alarm watches it.',
    });
    return queue;
  }

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    this.groupName = props.groupName ?? SCHEDULE_GROUP_NAME;
    this.waiterArn = props.waiterArn;

    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: this.groupName,
      // Deleting the group deletes the pending wake-ups in it; that is what a tear-down should do.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = props.deadLetterQueue ?? this.ownQueue();

    this.role = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to deliver cart-recovery wake-ups',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    // Scheduler writes dead letters with the schedule's role.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendDeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );
    // One statement naming exactly the functions wake-ups may target; filled in by allowInvoke().
    this.invokeStatement = new iam.PolicyStatement({ sid: 'InvokeWakeUpTargets', actions: ['lambda:InvokeFunction'] });
    this.role.addToPrincipalPolicy(this.invokeStatement);
  }

  /**
   * Lets schedules target this function. Only the unqualified ARN is allowed (no `:*` for versions or aliases):
   * the code always targets the unqualified function.
   */
  allowInvoke(fn: lambda.IFunction): void {
    this.invokeStatement.addResources(fn.functionArn);
  }

  /**
   * Lets a function create (and, unless `cancels` is false, delete) wake-ups in the group and hand them the Scheduler
   * role, and sets the four variables the code reads: CR_SCHEDULE_GROUP, CR_WAITER_ARN, CR_SCHEDULER_ROLE_ARN,
   * CR_SCHEDULER_DLQ_ARN. Only the code that cancels a wake-up (a checkout) or withdraws a deferral needs to delete.
   */
  grantScheduling(fn: ServiceFunction, options: { readonly cancels?: boolean } = {}): void {
    const schedulesArn = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.groupName}/*`,
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageWakeUps',
        actions:
          options.cancels === false
            ? ['scheduler:CreateSchedule']
            : ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedulesArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledgeWildcardResource(
      fn,
      schedulesArn,
      'Schedule names are per cart and made at runtime (wake-/send-/defer-<cart hash>-...), ' +
        'so they cannot be listed; the wildcard ' +
        `is confined to the one schedule group "${this.groupName}".`,
    );
    // The group must exist before a function can create wake-ups in it.
    fn.function.node.addDependency(this.group);
    fn.addEnvironment('CR_SCHEDULE_GROUP', this.group.scheduleGroupName);
    fn.addEnvironment('CR_WAITER_ARN', this.waiterArn);
    fn.addEnvironment('CR_SCHEDULER_ROLE_ARN', this.role.roleArn);
    fn.addEnvironment('CR_SCHEDULER_DLQ_ARN', this.deadLetterQueue.queueArn);
  }
}
