import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { Email } from './email';
import type { FailedInvocations } from './failed-invocations';
import { functionDefaults, type ReadsOwnerDocsProps } from './function-props';
import { ServiceFunction } from './service-function';

/**
 * The SES events the feedback function reads, as EventBridge names them (`detail-type`): sends (SES's own record
 * that it accepted a message, which settles a reminder whose answer was lost), bounces and complaints (permanent
 * opt-outs).
 */
export const SES_FEEDBACK_DETAIL_TYPES = ['Email Sent', 'Email Bounced', 'Email Complaint Received'] as const;

export interface SesFeedbackProps extends ReadsOwnerDocsProps {
  /** Its configuration set gets the event destination. */
  readonly email: Email;
  /** Catches events the rule could not deliver and invocations that failed after Lambda's retries. */
  readonly failedInvocations: FailedInvocations;
}

/**
 * SES's record of what happened to each message: the configuration set publishes SEND, BOUNCE and COMPLAINT events to
 * the default EventBridge bus (the only bus SES can publish to), and a rule on that bus sends them to a small
 * function. A SEND event of a reminder marks its claim sent (the sender's way to settle a send whose answer was lost;
 * for every other send it changes nothing). A hard bounce or a complaint writes `all` to cr-optouts, stops the
 * address's open carts and logs it (transient bounces are only logged), which keeps the bounce and complaint rates,
 * which can get the SES account reviewed or paused, near zero. SES publishes events to EventBridge at no charge; each
 * costs one short invocation.
 *
 * Delivery is at least once end to end: the rule target retries for up to 24 h and dead-letters into the
 * failed-invocations queue; the function's own failures go there too after Lambda's two retries.
 */
export class SesFeedback extends Construct {
  readonly service: ServiceFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SesFeedbackProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('sesEvents', props, {}),
      description: 'cart-recovery: SES sends settle reminders; bounces and complaints become opt-outs',
    });
    // No GetItem: it finds an address's open carts through byEmail and stops them with conditional updates.
    props.tables.grant(this.service, 'carts', ['QueryIndex', 'UpdateItem']);
    props.tables.grant(this.service, 'optouts', ['PutItem']);
    // Marks send records sent, writes the activity log and the monthly counters; reads the stored rules (time zone).
    props.tables.grant(this.service, 'sends', ['GetItem', 'PutItem', 'UpdateItem']);
    props.failedInvocations.capture(this.service);

    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    props.email.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [ses.EmailSendingEvent.SEND, ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'cart-recovery: SES sends, bounces and complaints to the feedback function',
      eventPattern: { source: ['aws.ses'], detailType: [...SES_FEEDBACK_DETAIL_TYPES] },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.service.function, {
        deadLetterQueue: props.failedInvocations.queue,
        maxEventAge: Duration.hours(24),
        retryAttempts: 185,
      }),
    );
  }
}
