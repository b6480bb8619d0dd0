import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceFunction } from './service-function';

export interface AlarmsProps {
  /** Functions whose Errors metric is watched, by a short name used in the alarm name. */
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  /** The Scheduler dead-letter queue: any visible message is a wake-up that never arrived. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Address that receives alarm notifications (an SNS topic with an email subscription, confirmed by mail).
   * @default - alarms without actions (visible in the CloudWatch console only)
   */
  readonly alarmEmail?: string;
}

/**
 * A deliberately small set of alarms: one per function on Errors, one on the Scheduler dead-letter queue. Standard
 * alarms cost $0.10 a month each beyond the 10 in the always-free tier; this set stays inside it.
 */
export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic?: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);

    if (props.alarmEmail) {
      this.topic = new sns.Topic(this, 'Topic', { displayName: 'cart-recovery alarms', enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and metric values, no shopper data. CloudWatch cannot publish to a ' +
          'topic under the AWS-managed aws/sns key, and a customer-managed key costs $1/month, as much as the whole app.',
      });
    }

    this.alarms.push(
      new cloudwatch.Alarm(this, 'DeadLetters', {
        alarmDescription:
          'EventBridge Scheduler could not deliver a wake-up after all retries; the message in the dead-letter queue names the cart.',
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    for (const [name, service] of Object.entries(props.functions)) {
      this.alarms.push(
        new cloudwatch.Alarm(this, `${name}Errors`, {
          alarmDescription: `The ${name} function failed (threw or timed out) at least once in 5 minutes.`,
          metric: service.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    if (this.topic) {
      const action = new actions.SnsAction(this.topic);
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }
  }
}
