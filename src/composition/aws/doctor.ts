/**
 * `npm run doctor -- --aws`: the deployed stack's facts, gathered with the operator's own AWS credentials (SES,
 * Bedrock, SSM, DynamoDB) and the Google service account whose key is in SSM, then checked by the pure doctor.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStats } from '../../adapters/aws/dynamodb-stats';
import { DynamoDbReleaseQueue } from '../../adapters/aws/dynamodb-release-queue';
import { DynamoDbSendCapacity } from '../../adapters/aws/dynamodb-send-capacity';
import {
  AwsAccountLimitsReader,
  BedrockAccessProbe,
  SesAccountInspector,
  SsmSecretInspector,
} from '../../adapters/aws/setup-inspectors';
import { StripeCheckoutClient, type StripeClientOptions } from '../../adapters/stripe/stripe-checkout-client';
import { silentLog } from '../../ports/log';
import { type GoogleAuthClient, GoogleOwnerDrive, serviceAccountAuth } from '../../adapters/google/google-drive';
import { type DoctorFacts, type Finding, type StripeKeyFacts, stripeKeyFinding } from '../../domain/operations/doctor';
import { type Clock, systemClock } from '../../ports/clock';
import type { OwnerDrive } from '../../ports/google-drive';
import { diagnoseSetup } from '../../use-cases/diagnose-setup';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

/** What the doctor needs to know about the deployment: the deploy configuration (cdk.json) it was made from. */
export interface AwsDoctorConfig {
  readonly region?: string;
  readonly senderDomain: string;
  readonly bedrockModelId: string;
  readonly rulesDocId?: string;
  readonly voiceDocId?: string;
  readonly googleKeyParam: string;
  readonly webhookSecretParam: string;
  readonly unsubscribeKeyParam: string;
  readonly shopifySecretParam?: string;
  /** The Stripe lane's two parameters, when it is configured. */
  readonly stripe?: { readonly secretParam: string; readonly keyParam: string };
  readonly sendsTable: string;
  /** The sender function's name (its reserved concurrency, if any, paces the morning release). */
  readonly senderFunctionName: string;
  /** The deployment's seconds per send (senderSecondsPerSend in cdk.json). */
  readonly senderSecondsPerSend: number;
  /** Days rows are kept (retentionDays in cdk.json). */
  readonly retentionDays: number;
  /** Deploy settings found missing or still placeholders before anything was asked of AWS. */
  readonly settings?: DoctorFacts['settings'];
}

/** For tests: Google at a local fake, with an auth client that needs no token exchange. */
export interface AwsDoctorOptions {
  readonly googleRootUrl?: string;
  readonly googleAuth?: GoogleAuthClient;
  readonly clock?: Clock;
  /** For tests: Stripe's API at a stand-in. */
  readonly stripeEndpoint?: StripeClientOptions['endpoint'];
}

/** Runs every check against the deployed stack; each client is made here and destroyed before returning. */
export async function awsDoctor(
  config: AwsDoctorConfig,
  options: AwsDoctorOptions = {},
): Promise<{ facts: DoctorFacts; findings: Finding[] }> {
  const region = config.region ? { region: config.region } : {};
  const ses = new SESv2Client({ ...region, ...clientOptions(AWS_CLIENT_POLICY.sesAccount) });
  const bedrock = new BedrockRuntimeClient({ ...region, ...clientOptions(AWS_CLIENT_POLICY.bedrock) });
  const ssm = new SSMClient({ ...region, ...clientOptions(AWS_CLIENT_POLICY.ssm) });
  const dynamodb = new DynamoDBClient({ ...region, ...clientOptions(AWS_CLIENT_POLICY.dynamodb) });
  const lambda = new LambdaClient({ ...region, ...clientOptions(AWS_CLIENT_POLICY.lambda) });
  const cloudwatch = new CloudWatchClient({ ...region, ...clientOptions(AWS_CLIENT_POLICY.cloudwatch) });
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const clock = options.clock ?? systemClock;
  try {
    const google = await googleDrive(ssm, config.googleKeyParam, options);
    const stripe = config.stripe
      ? stripeKeyFinding(config.stripe.keyParam, await stripeKeyFacts(ssm, config.stripe.keyParam, options))
      : undefined;
    const diagnosis = await diagnoseSetup({
      where: 'aws',
      clock,
      region: config.region ?? (await ses.config.region()),
      email: { inspector: new SesAccountInspector(ses), senderDomain: config.senderDomain },
      model: { probe: new BedrockAccessProbe(bedrock), modelId: config.bedrockModelId },
      secrets: {
        inspector: new SsmSecretInspector(ssm),
        wanted: [
          { name: config.webhookSecretParam, purpose: "checks the signature on the storefront's cart events" },
          { name: config.unsubscribeKeyParam, purpose: 'signs and seals the unsubscribe links' },
          { name: config.googleKeyParam, purpose: "lets the rules loader read the owner's Google docs" },
          ...(config.shopifySecretParam
            ? [{ name: config.shopifySecretParam, purpose: "checks Shopify's webhook signatures" }]
            : []),
          ...(config.stripe
            ? [
                { name: config.stripe.secretParam, purpose: "checks Stripe's webhook signatures" },
                { name: config.stripe.keyParam, purpose: "reads a Stripe Checkout Session's line items" },
              ]
            : []),
        ],
      },
      drive: google.drive,
      ...(google.serviceAccountEmail ? { serviceAccountEmail: google.serviceAccountEmail } : {}),
      docIds: {
        ...(config.rulesDocId ? { rules: config.rulesDocId } : {}),
        ...(config.voiceDocId ? { voice: config.voiceDocId } : {}),
      },
      stats: new DynamoDbStats(documents, config.sendsTable, async () => 'UTC'),
      release: {
        reader: new AwsAccountLimitsReader(ses, lambda, cloudwatch, config.senderFunctionName, () => clock.now()),
        store: new DynamoDbSendCapacity(documents, config.sendsTable, config.senderSecondsPerSend, clock, silentLog),
        queue: new DynamoDbReleaseQueue(documents, config.sendsTable, config.retentionDays),
        secondsPerSend: config.senderSecondsPerSend,
      },
      ...(config.settings ? { settings: config.settings } : {}),
    });
    return stripe ? { ...diagnosis, findings: [...diagnosis.findings, stripe] } : diagnosis;
  } finally {
    for (const client of [ses, bedrock, ssm, dynamodb, lambda, cloudwatch]) client.destroy();
  }
}

/** Reads the restricted key from SSM and tries it as intake would (the official client, the intake's policy). */
async function stripeKeyFacts(ssm: SSMClient, keyParam: string, options: AwsDoctorOptions): Promise<StripeKeyFacts> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: keyParam, WithDecryption: true }));
    const client = new StripeCheckoutClient(Parameter?.Value ?? '', {
      ...AWS_CLIENT_POLICY.stripe,
      ...(options.stripeEndpoint ? { endpoint: options.stripeEndpoint } : {}),
    });
    return { read: true, sessionId: await client.probeLineItems() };
  } catch (error) {
    const named = error as { name?: string; type?: string; message?: string };
    return { read: false, code: named.type ?? named.name ?? 'Error', message: named.message ?? String(error) };
  }
}

/** The Drive as the service account sees it, or why it cannot be reached (its key missing or malformed). */
async function googleDrive(
  ssm: SSMClient,
  keyParam: string,
  options: AwsDoctorOptions,
): Promise<{ drive: OwnerDrive | Error; serviceAccountEmail?: string }> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: keyParam, WithDecryption: true }));
    const jwt = serviceAccountAuth(Parameter?.Value ?? '');
    const serviceAccountEmail = jwt.email;
    const drive = new GoogleOwnerDrive({
      auth: options.googleAuth ?? jwt,
      timeoutMs: AWS_CLIENT_POLICY.google.timeoutMs,
      ...(options.googleRootUrl ? { rootUrl: options.googleRootUrl } : {}),
      ...(serviceAccountEmail ? { serviceAccountEmail } : {}),
    });
    return { drive, ...(serviceAccountEmail ? { serviceAccountEmail } : {}) };
  } catch (error) {
    const reason =
      error instanceof Error
        ? `${error.name === 'ParameterNotFound' ? `SSM parameter ${keyParam} does not exist` : error.message}`
        : String(error);
    return { drive: new Error(`the Google key cannot be used (${reason})`) };
  }
}
