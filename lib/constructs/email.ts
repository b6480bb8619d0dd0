import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { ServiceFunction } from './service-function';

export interface EmailProps {
  /** Domain reminders are sent from; verified with Easy DKIM (three CNAME records to publish). */
  readonly senderDomain: string;
}

/**
 * SES for outgoing reminders: the sender domain as an email identity (Easy DKIM, 2048-bit, the default) and a
 * configuration set every send names, with reputation metrics on.
 *
 * Not built yet (a later issue): an event destination on the configuration set that turns bounces and complaints
 * into opt-outs (SES → SNS or EventBridge → a small function writing cr-optouts). Until then the account-level SES
 * suppression list (BOUNCE and COMPLAINT, set below) keeps SES from mailing those addresses again.
 */
export class Email extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** `arn:…:ses:<region>:<account>:configuration-set/<name>`; ses:SendEmail is authorized against it. */
  readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.senderDomain),
      configurationSet: this.configurationSet,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** `ses:SendEmail` on this identity and configuration set only, and CR_SES_CONFIGURATION_SET. */
  grantSend(fn: ServiceFunction): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SendReminders',
        actions: ['ses:SendEmail'],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn],
      }),
    );
    fn.addEnvironment('CR_SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
  }
}
