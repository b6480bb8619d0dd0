import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { Email } from './email';
import { RecurringJob } from './recurring-job';
import type { Scheduling } from './scheduling';
import { functionDefaults, type FunctionConstructProps } from './function-props';
import { grantReadParameters, ServiceFunction } from './service-function';

/**
 * Words of the loader's warning when Google would not hand over a doc (not shared, key revoked, Google down):
 * `"<kind> doc unavailable; the last good one stays in force"` in src/use-cases/load-owner-docs.ts. The loader does
 * not fail then (the last good doc stays in force), so a log metric filter counts these lines instead.
 * test/cdk/stack.test.ts checks the phrase is still in that file.
 */
export const DOC_UNAVAILABLE_PHRASE = 'doc unavailable';

/** Namespace of the one custom metric this app has (from a log metric filter). */
export const METRIC_NAMESPACE = 'CartRecovery';

export interface RulesLoaderProps extends FunctionConstructProps {
  readonly scheduling: Scheduling;
  readonly email: Email;
  /** Google Doc IDs of the owner's rules and voice docs (CR_RULES_DOC_ID, CR_VOICE_DOC_ID). */
  readonly rulesDocId: string;
  readonly voiceDocId: string;
  /** SSM SecureString name of the Google service-account key, JSON (CR_GOOGLE_KEY_PARAM). */
  readonly googleKeyParam: string;
  /** Who hears about problems in the docs (CR_OWNER_EMAIL). */
  readonly ownerEmail: string;
  /** From address of those notices, at the verified sender domain (CR_FROM_ADDRESS). */
  readonly fromAddress: string;
  /**
   * How often the docs are read.
   * @default Duration.minutes(5)
   */
  readonly refreshEvery?: Duration;
  /**
   * Count failed doc reads as a custom metric (for the `OwnerDocsUnavailable` alarm).
   * @default true
   */
  readonly watchDocs?: boolean;
}

/**
 * The rules loader: every few minutes (an EventBridge Scheduler `rate` schedule) it reads the owner's rules and
 * voice Google Docs, keeps the last good copies in cr-sends (partition `#owner`), emails the owner once per distinct
 * problem, and lifts owner stops that were removed (reopening carts and creating their wake-ups).
 *
 * Nothing is sent before it has accepted both docs once: the intake, waiter and sender read only its stored copies.
 *
 * 60 s timeout: two Docs reads (5 s limit each), the DynamoDB writes, and for a lifted stop one update and one
 * schedule per reopened cart. Lambda's async retries are off (`retryAttempts: 0`): the next tick is the retry, and
 * a retry overlapping the next tick would only do the same work twice.
 */
export class RulesLoader extends Construct {
  readonly service: ServiceFunction;
  readonly job: RecurringJob;
  /** Count of "doc unavailable" warnings (a log metric filter on the loader's log group). */
  /** Failed doc reads, when `watchDocs` built the metric filter. */
  readonly docsUnavailable?: cloudwatch.Metric;
  readonly refreshEvery: Duration;

  constructor(scope: Construct, id: string, props: RulesLoaderProps) {
    super(scope, id);
    this.refreshEvery = props.refreshEvery ?? Duration.minutes(5);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('rulesLoader', props, {
        CR_RULES_DOC_ID: props.rulesDocId,
        CR_VOICE_DOC_ID: props.voiceDocId,
        CR_GOOGLE_KEY_PARAM: props.googleKeyParam,
        CR_OWNER_EMAIL: props.ownerEmail,
        CR_FROM_ADDRESS: props.fromAddress,
      }),
      description: "cart-recovery: reads the owner's rules and voice docs and keeps the last good copies",
      timeout: Duration.seconds(60),
    });
    // Reopens carts whose stop was lifted (by cart id, or by email through byEmail).
    props.tables.grant(this.service, 'carts', ['GetItem', 'QueryIndex', 'UpdateItem']);
    // The stored docs, the applied stops, the notice de-duplication and the activity log all live in cr-sends.
    // DeleteItem: a doc's problem record goes once the doc parses again.
    props.tables.grant(this.service, 'sends', ['GetItem', 'PutItem', 'DeleteItem']);
    // Creates the wake-ups of the carts a lifted stop reopens; cancels none.
    props.scheduling.grantScheduling(this.service, { cancels: false });
    grantReadParameters(this.service, [props.googleKeyParam]);
    props.email.grantSend(this.service, { sid: 'SendOwnerNotices', recipients: [props.ownerEmail] });
    this.service.function.configureAsyncInvoke({ retryAttempts: 0 });

    this.job = new RecurringJob(this, 'Every', {
      target: this.service.function,
      expression: scheduler.ScheduleExpression.rate(this.refreshEvery),
      scheduleName: 'cart-recovery-rules-loader',
      description: `cart-recovery: reload the rules and voice docs every ${this.refreshEvery.toMinutes()} min`,
      // A tick Scheduler cannot deliver within one interval is superseded by the next one.
      maxEventAge: Duration.seconds(Math.max(60, this.refreshEvery.toSeconds())),
      retryAttempts: 3,
      deadLetterQueue: props.scheduling.deadLetterQueue,
    });

    // A custom metric costs $0.30 a month beyond the free ten: only built when an alarm watches it.
    if (props.watchDocs ?? true) {
      const filter = new logs.MetricFilter(this, 'DocsUnavailable', {
        logGroup: this.service.logGroup,
        filterPattern: logs.FilterPattern.literal(`"${DOC_UNAVAILABLE_PHRASE}"`),
        metricNamespace: METRIC_NAMESPACE,
        metricName: 'OwnerDocsUnavailable',
        metricValue: '1',
      });
      this.docsUnavailable = filter.metric({ statistic: cloudwatch.Stats.SUM });
    }
  }
}
