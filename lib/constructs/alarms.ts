import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SECOND_COPY_LOG_MESSAGE } from '../../src/resources/log-signals';
import { METRIC_NAMESPACE } from './rules-loader';
import type { ServiceFunction } from './service-function';

/**
 * SES account reputation thresholds (fractions). SES puts an account under review at a 5% bounce rate and may pause
 * sending at 10%; for complaints, review at 0.1% and pause at 0.5%. The alarms fire at the review level, which
 * leaves room to act before a pause.
 */
export const SES_REPUTATION_ALARM_THRESHOLDS = { bounceRate: 0.05, complaintRate: 0.001 } as const;

/** Requests in 5 minutes to one public URL that raise its request-rate alarm, unless `publicUrlRequestAlarm` says. */
export const DEFAULT_URL_REQUEST_ALARM = 1000;

/** What a standard-resolution alarm costs per month beyond the 10 in the always-free tier (USD). */
export const ALARM_MONTHLY_USD = 0.1;
export const FREE_ALARMS = 10;

export interface AlarmsProps {
  /**
   * Functions invoked asynchronously, by a schedule or by a stream mapping, by a short name used in the alarm name:
   * alarmed on Errors.
   */
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  /**
   * Functions behind a public Function URL, alarmed on `Url5xxCount` instead of Errors: their handlers catch
   * failures and answer 500/503 themselves (which Lambda counts as a success), and a crash or timeout is a 5xx too.
   */
  readonly urlFunctions: Readonly<Record<string, ServiceFunction>>;
  /**
   * With the full set: alarm when one public URL gets at least this many requests in 5 minutes (a flood of junk, or a
   * storefront gone wild), whatever the answers were.
   * @default 1000
   */
  readonly urlRequestAlarm?: number;
  /** The Scheduler dead-letter queue: any visible message is a wake-up or job tick that never arrived. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Failed asynchronous invocations, failed cart-stream batches and undeliverable SES feedback events. */
  readonly failedInvocationsQueue: sqs.IQueue;
  /**
   * Count of "doc unavailable" warnings from the rules loader, and the loader's interval.
   * @default - no such alarm (no rules loader)
   */
  readonly docsUnavailable?: { readonly metric: cloudwatch.Metric; readonly refreshEvery: Duration };
  /**
   * Log groups of the functions that record a second copy of a reminder (the sender, SES feedback): with the full set,
   * a metric filter on each counts the {@link SECOND_COPY_LOG_MESSAGE} lines into one metric, alarmed at the first.
   * @default - no such alarm
   */
  readonly secondCopyLogs?: readonly logs.ILogGroup[];
  /**
   * Address that receives alarm notifications (an SNS topic with an email subscription, confirmed by mail).
   * @default - alarms without actions (visible in the CloudWatch console only)
   */
  readonly alarmEmail?: string;
  /**
   * `essential`: the failed-invocations queue and SES's bounce and complaint rates. `full`: every alarm.
   * @default 'essential'
   */
  readonly set?: 'essential' | 'full';
}

/**
 * One alarm per distinct thing an operator must act on (docs/operations.md explains each): both queues not empty,
 * each function failing, the SES account's bounce and complaint rates approaching the review level, and the rules
 * loader unable to read the owner's docs. Every alarm fires on the first occurrence and treats missing data as fine.
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
          'topic under the AWS-managed aws/sns key, and a customer-managed key costs $1/month, ' +
          'as much as the whole app.',
      });
    }

    const fiveMinutes = Duration.minutes(5);
    const atLeast = (id: string, metric: cloudwatch.IMetric, threshold: number, alarmDescription: string) =>
      this.alarms.push(
        new cloudwatch.Alarm(this, id, {
          alarmDescription,
          metric,
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    const queueNotEmpty = (queue: sqs.IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM });

    if (props.deadLetterQueue !== props.failedInvocationsQueue) {
      atLeast(
        'DeadLetters',
        queueNotEmpty(props.deadLetterQueue),
        1,
        'EventBridge Scheduler could not deliver a wake-up or a job tick after all retries; each message names the ' +
          'cart or the job. See docs/operations.md#scheduler-dead-letters.',
      );
    }
    atLeast(
      'FailedInvocations',
      queueNotEmpty(props.failedInvocationsQueue),
      1,
      'Something got lost and is waiting in the failed-invocations queue: a waiter, sender, SES-feedback or summary ' +
        'invocation that failed after its retries, a cart-stream batch the cart counter could not count, a wake-up ' +
        'or job tick Scheduler could not deliver, or an SES bounce/complaint EventBridge could not deliver. ' +
        'See docs/operations.md#failed-invocations.',
    );
    // Bounces and complaints are what get an SES account paused: watched by default (three alarms stay inside the
    // ten free ones).
    const reputation = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        period: Duration.hours(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      });
    atLeast(
      'SesBounceRate',
      reputation('Reputation.BounceRate'),
      SES_REPUTATION_ALARM_THRESHOLDS.bounceRate,
      'The SES account bounce rate reached 5%: SES reviews accounts from 5% and may pause sending at 10%. ' +
        'See docs/operations.md#ses-bounce-rate.',
    );
    atLeast(
      'SesComplaintRate',
      reputation('Reputation.ComplaintRate'),
      SES_REPUTATION_ALARM_THRESHOLDS.complaintRate,
      'The SES account complaint rate reached 0.1%: SES reviews accounts from 0.1% and may pause sending at 0.5%. ' +
        'See docs/operations.md#ses-complaint-rate.',
    );

    // The rest costs $0.10 a month per alarm beyond the free ten: only with alarmSet=full.
    if (props.set === 'full') {
      for (const [name, service] of Object.entries(props.functions)) {
        atLeast(
          `${name}Errors`,
          service.function.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
          1,
          `The ${name} function failed (threw or timed out) at least once in 5 minutes. ` +
            `See docs/operations.md#function-errors.`,
        );
      }
      for (const [name, service] of Object.entries(props.urlFunctions)) {
        atLeast(
          `${name}Errors`,
          service.function.metric('Url5xxCount', { period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
          1,
          `The ${name} Function URL answered 5xx (our fault: an error, a timeout, or not ready) ` +
            `at least once in 5 minutes. ` +
            'See docs/operations.md#function-errors.',
        );
        const requests = props.urlRequestAlarm ?? DEFAULT_URL_REQUEST_ALARM;
        atLeast(
          `${name}RequestRate`,
          service.function.metric('UrlRequestCount', { period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
          requests,
          `The ${name} Function URL got ${requests} or more requests in 5 minutes, ` +
            `far above a small store's traffic: ` +
            'a flood of junk, a replayed link, or a storefront retrying in a loop. ' +
            'See docs/operations.md#floods-of-requests.',
        );
      }

      if (props.secondCopyLogs && props.secondCopyLogs.length > 0) {
        // A custom metric costs $0.30 a month beyond the free ten: only with the full set. (With `essential`, the
        // same lines are in the logs, each cart's story and the summary's counter.)
        const metric = props.secondCopyLogs
          .map(
            (logGroup, index) =>
              new logs.MetricFilter(this, `SecondCopyLines${index}`, {
                logGroup,
                filterPattern: logs.FilterPattern.stringValue('$.message', '=', SECOND_COPY_LOG_MESSAGE),
                metricNamespace: METRIC_NAMESPACE,
                metricName: 'SecondCopies',
                metricValue: '1',
              }),
          )[0]!
          .metric({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
        atLeast(
          'SecondCopies',
          metric,
          1,
          'A shopper got a second copy of a reminder (an SES answer was lost and its SEND event came after the ' +
            '15-minute lease): it is on the cart story and counted in the summary. ' +
            'See docs/operations.md#second-copies.',
        );
      }

      if (props.docsUnavailable) {
        // Three failed reads in a window of three loader runs (at least 15 minutes): a Google blip stays quiet, a doc
        // that was unshared or a key that was revoked does not.
        const window = Duration.minutes(Math.max(15, 3 * props.docsUnavailable.refreshEvery.toMinutes()));
        atLeast(
          'OwnerDocsUnavailable',
          props.docsUnavailable.metric.with({ period: window, statistic: cloudwatch.Stats.SUM }),
          3,
          "The rules loader could not read the owner's rules or voice doc for several runs (not shared with the " +
            'service account, key revoked, Google down); the last good docs stay in force. ' +
            'See docs/operations.md#owner-docs-unavailable.',
        );
      }
    }

    if (this.topic) {
      const action = new actions.SnsAction(this.topic);
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }
  }

  /** Monthly cost of these alarms in USD, if the account has no other alarms (the first 10 are free). */
  get monthlyCostUsd(): number {
    return Math.max(0, this.alarms.length - FREE_ALARMS) * ALARM_MONTHLY_USD;
  }
}
