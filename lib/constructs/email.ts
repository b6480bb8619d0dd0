import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { ServiceFunction } from './service-function';

export interface EmailProps {
  /** Domain reminders are sent from; verified with Easy DKIM (three CNAME records to publish). */
  readonly senderDomain: string;
}

export interface GrantSendOptions {
  /**
   * Statement ID, so each sender's purpose reads in its policy.
   * @default 'SendReminders'
   */
  readonly sid?: string;
  /**
   * Fixed recipient addresses this function mails (the owner's, for notices). In the SES sandbox SES also
   * authorizes `ses:SendEmail` against each recipient's identity, so the identity ARN of each address outside the
   * sender domain is added (the domain identity already covers addresses at the domain); once the account has
   * production access those ARNs are simply never checked.
   * @default - none (shoppers' addresses are never known in advance)
   */
  readonly recipients?: readonly string[];
}

/**
 * SES for outgoing mail: the sender domain as an email identity (Easy DKIM, 2048-bit, the default) and a
 * configuration set every send names, with reputation metrics on. Bounce and complaint events leave the
 * configuration set for EventBridge in `SesFeedback` (ses-feedback.ts); the account-level suppression list (set
 * below as well) keeps SES itself from mailing those addresses again.
 */
export class Email extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** `arn:…:ses:<region>:<account>:configuration-set/<name>`; ses:SendEmail is authorized against it. */
  readonly configurationSetArn: string;
  /** The verified domain; addresses at it need no identity of their own. */
  readonly senderDomain: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.senderDomain = props.senderDomain;
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

  /**
   * `ses:SendEmail` on this identity and configuration set (plus the identities of any named recipients outside
   * the sender domain, see {@link GrantSendOptions.recipients}), and CR_SES_CONFIGURATION_SET.
   */
  grantSend(fn: ServiceFunction, options: GrantSendOptions = {}): void {
    const stack = Stack.of(this);
    const outsideDomain = (options.recipients ?? []).filter(
      (address) => address.split('@').pop()?.toLowerCase() !== this.senderDomain.toLowerCase(),
    );
    const recipientIdentities = outsideDomain.map((address) =>
      stack.formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: address,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: options.sid ?? 'SendReminders',
        actions: ['ses:SendEmail'],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn, ...recipientIdentities],
      }),
    );
    fn.addEnvironment('CR_SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
  }
}
