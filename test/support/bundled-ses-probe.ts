/**
 * Entry bundled by test/cdk/bundled-sdk-timeout.test.ts exactly as ServiceFunction bundles a Lambda entry: one SES v2
 * call with production's client policy against `PROBE_ENDPOINT`, printing how it ended. Run from a folder with no
 * node_modules, so the SDK it uses is the one inside the bundle.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { AWS_CLIENT_POLICY, clientOptions } from '../../src/composition/aws/policy';

const client = new SESv2Client({
  ...clientOptions(AWS_CLIENT_POLICY.ses),
  endpoint: process.env.PROBE_ENDPOINT,
  region: 'us-east-1',
  credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' },
});
const started = Date.now();
const report = (outcome: Record<string, unknown>) => {
  process.stdout.write(JSON.stringify({ ...outcome, ms: Date.now() - started }));
  process.exit(0);
};
client
  .send(
    new SendEmailCommand({
      FromEmailAddress: 'reminders@store.example',
      Destination: { ToAddresses: ['sam@example.com'] },
      Content: { Simple: { Subject: { Data: 'probe' }, Body: { Text: { Data: 'probe' } } } },
    }),
  )
  .then(
    () => report({ outcome: 'answered' }),
    (error: unknown) =>
      report({
        outcome: 'failed',
        name: error instanceof Error ? error.name : 'unknown',
        message: error instanceof Error ? error.message : String(error),
      }),
  );
