/** SES, for the functions that send email (reminders, owner notices, the monthly summary). */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../../adapters/aws/ses-mailer';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

/** Email through SES v2, tagged with the configuration set that publishes delivery feedback. */
export function sesMailer(env: { readonly CR_SES_CONFIGURATION_SET: string }): SesMailer {
  return new SesMailer(new SESv2Client(clientOptions(AWS_CLIENT_POLICY.ses)), {
    configurationSetName: env.CR_SES_CONFIGURATION_SET,
  });
}
