import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { Email } from './email';
import type { FailedInvocations } from './failed-invocations';
import { ownerDocsEnvironment, type ReadsOwnerDocsProps } from './function-props';
import { FUNCTION_NAMES, ServiceFunction } from './service-function';

/** The SES events that become permanent opt-outs, as EventBridge names them (`detail-type`). */
export const SES_FEEDBACK_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'] as const;

export interface SesFeedbackProps extends ReadsOwnerDocsProps {
  /** Its configuration set gets the event destination. */
  readonly email: Email;
  /** Catches events the rule could not deliver and invocations that failed after Lambda's retries. */
  readonly failedInvocations: FailedInvocations;
}

/**
 * Bounces and complaints become permanent opt-outs: the configuration set publishes BOUNCE and COMPLAINT events to
 * the default EventBridge bus (the only bus SES can publish to), a rule on that bus sends them to a small function,
 * and the function writes `all` to cr-optouts for a hard bounce or a complaint, stops the address's open carts and
 * logs it (transient bounces are only logged). This keeps the bounce and complaint rates, which can get the SES
 * account reviewed or paused, near zero.
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
      entry: props.entry,
      functionName: FUNCTION_NAMES.sesEvents,
      description: 'cart-recovery: SES bounces and complaints become opt-outs',
      environment: { CR_RETENTION_DAYS: String(props.retentionDays), ...ownerDocsEnvironment(props) },
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    // Finds the address's open carts through byEmail and stops them.
    props.tables.grant(this.service, 'carts', 'readWrite');
    props.tables.grant(this.service, 'optouts', 'write');
    // Writes the activity log and the monthly opt-out counter; reads the stored rules for the store's time zone.
    props.tables.grant(this.service, 'sends', 'readWrite');
    props.failedInvocations.capture(this.service);

    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    props.email.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'cart-recovery: SES bounces and complaints to the feedback function',
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
