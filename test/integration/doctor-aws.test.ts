/**
 * `npm run doctor -- --aws` against aws-sdk-client-mock (SES v2, Bedrock, SSM, DynamoDB) and the Google fake: each
 * thing that stops reminders from going out gives its own plain next step, and a ready account gives none.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AccessDeniedException, BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { docs_v1 } from '@googleapis/docs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsDoctor, type AwsDoctorConfig } from '../../src/composition/aws/doctor';
import { renderDoctorReport } from '../../src/domain/operations/doctor';
import { startGoogleFake, type GoogleFake } from '../support/google-fake';
import type { Server } from 'node:http';
import { startHttpServer } from '../../src/local/http-server';
import { StripeStandIn } from '../../src/local/stripe-stand-in';

const ses = mockClient(SESv2Client);
const bedrock = mockClient(BedrockRuntimeClient);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const lambda = mockClient(LambdaClient);
const cloudwatch = mockClient(CloudWatchClient);

const SERVICE_ACCOUNT = 'cart-recovery@store-project.iam.gserviceaccount.com';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const config: AwsDoctorConfig = {
  region: 'us-east-1',
  senderDomain: 'mail.store.example',
  bedrockModelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  rulesDocId: 'rules-doc-0000000001',
  voiceDocId: 'voice-doc-0000000001',
  googleKeyParam: '/cart-recovery/google-service-account',
  webhookSecretParam: '/cart-recovery/webhook-secret',
  unsubscribeKeyParam: '/cart-recovery/unsubscribe-key',
  sendsTable: 'cr-sends',
  senderFunctionName: 'cart-recovery-sender',
  senderSecondsPerSend: 1,
  retentionDays: 90,
};

/** A Google Doc whose paragraphs are the lines of `text`. */
function googleDoc(text: string): docs_v1.Schema$Document {
  return {
    body: {
      content: text.split('\n').map((line) => ({ paragraph: { elements: [{ textRun: { content: `${line}\n` } }] } })),
    },
  };
}

let fake: GoogleFake;
const run = async () => {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test' });
  const result = await awsDoctor(config, {
    googleRootUrl: fake.url,
    googleAuth: auth,
    clock: { now: () => new Date('2026-11-20T12:00:00Z') },
  });
  return { ...result, report: renderDoctorReport(result.findings, 'aws') };
};
const finding = (findings: Awaited<ReturnType<typeof run>>['findings'], check: string) =>
  findings.find((f) => f.check.startsWith(check));

beforeAll(async () => {
  fake = await startGoogleFake();
});
afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
  for (const mock of [ses, bedrock, ssm, dynamo, lambda, cloudwatch]) mock.reset();
  // A ready account: production access, DKIM verified,
  // the model answers, every secret set, both docs shared, carts arriving.
  ses.on(GetAccountCommand).resolves({
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    EnforcementStatus: 'HEALTHY',
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 120 },
  });
  ses.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS' } });
  bedrock.on(ConverseCommand).resolves({
    output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
    stopReason: 'max_tokens',
  } as never);
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'AQICAH...ciphertext' } });
  ssm.on(GetParameterCommand, { Name: config.googleKeyParam, WithDecryption: true }).resolves({
    Parameter: {
      Value: JSON.stringify({ type: 'service_account', client_email: SERVICE_ACCOUNT, private_key: privateKey }),
    },
  });
  dynamo.on(GetCommand).resolves({ Item: { cartId: '#stats', sk: 'month#2026-11', cartsSeen: 42 } });
  dynamo.on(PutCommand).resolves({});
  // A new account: no reservation for the sender, 10 unreserved executions.
  lambda.on(GetFunctionConcurrencyCommand).resolves({});
  lambda
    .on(GetAccountSettingsCommand)
    .resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
  // A sender that has not run yet: no duration to measure.
  cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
  fake.docs.set('rules-doc-0000000001', googleDoc(readFileSync('docs/examples/rules-doc.md', 'utf8')));
  fake.docs.set('voice-doc-0000000001', googleDoc(readFileSync('docs/examples/voice-doc.md', 'utf8')));
});

describe('npm run doctor -- --aws', () => {
  it('passes a ready account with no next step, having asked SES, Bedrock, SSM and Google', async () => {
    const { findings, report } = await run();
    expect(findings.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(report).toMatch(/Everything checked is ready: reminders can go out\.$/);
    expect(ses).toHaveReceivedCommandWith(GetEmailIdentityCommand, { EmailIdentity: 'mail.store.example' });
    expect(bedrock).toHaveReceivedCommandWith(ConverseCommand, {
      modelId: config.bedrockModelId,
      inferenceConfig: { maxTokens: 1 },
    });
    // Secrets are checked for existence without decrypting them.
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/cart-recovery/webhook-secret',
      WithDecryption: false,
    });
    expect(fake.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/v1/documents/rules-doc-0000000001', '/v1/documents/voice-doc-0000000001']),
    );
  });

  it(
    'a sandboxed account: says reminders are held, ' +
      'and to request production access before connecting the storefront',
    async () => {
      ses.on(GetAccountCommand).resolves({
        ProductionAccessEnabled: false,
        SendingEnabled: true,
        SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
      });
      const { findings, report } = await run();
      const sandbox = finding(findings, 'SES account');
      expect(sandbox).toMatchObject({ status: 'fail', said: expect.stringContaining('still in the sandbox') });
      expect(sandbox?.next).toMatch(
        /request production access: SES console \(us-east-1\) > Account dashboard > Request production access/,
      );
      expect(sandbox?.next).toMatch(/Do not connect the storefront until it is granted/);
      expect(report).toMatch(/^FIX {2}SES account: SES is still in the sandbox/m);
      expect(report).toMatch(/1 thing to fix before reminders can go out/);
    },
  );

  it('an unverified DKIM: says to add the DKIM CNAME records and wait', async () => {
    ses
      .on(GetEmailIdentityCommand)
      .resolves({ VerifiedForSendingStatus: false, DkimAttributes: { Status: 'PENDING' } });
    const { findings } = await run();
    expect(finding(findings, 'Sending domain')).toMatchObject({
      status: 'fail',
      said: 'DKIM is not verified yet (PENDING): nothing can be sent from mail.store.example.',
      next: expect.stringMatching(
        new RegExp(
          /^add the three CNAME records from the stack's DkimRecord1 to DkimRecord3 outputs /.source +
            /at your DNS host \(docs\/deploy\.md, step 8\)/.source,
        ),
      ),
    });
  });

  it(
    'no Bedrock access: a warning (reminders still go out with the plain line) ' + 'and where to enable the model',
    async () => {
      bedrock.on(ConverseCommand).rejects(
        new AccessDeniedException({
          message: "You don't have access to the model with the specified model ID.",
          $metadata: { httpStatusCode: 403 },
        }),
      );
      const { findings, report } = await run();
      expect(finding(findings, 'Bedrock model')).toMatchObject({
        status: 'warn',
        said: expect.stringContaining("reminders still go out, with the voice doc's own opening line"),
        next: expect.stringMatching(
          /^Bedrock console \(us-east-1\) > Model access: enable Anthropic Claude Haiku 4\.5/,
        ),
      });
      expect(report).toMatch(/Reminders can go out; 1 thing worth a look\./);
    },
  );

  it('an unshared doc: names the service account to share it with', async () => {
    fake.failNext('/v1/documents/rules-doc-0000000001', 403);
    const { findings } = await run();
    expect(finding(findings, 'Rules doc')).toMatchObject({
      status: 'fail',
      said: expect.stringContaining('the service account cannot open it (not shared)'),
      next:
        `in Google Docs, open the doc, Share, add ${SERVICE_ACCOUNT} as a Viewer; ` +
        `if it is shared, check rulesDocId is the id in the doc's URL.`,
    });
    expect(finding(findings, 'Voice doc')?.status).toBe('ok');
  });

  it('a missing secret and a doc the parser refuses: each named, with the command or the line to fix', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/cart-recovery/unsubscribe-key', WithDecryption: false })
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: { httpStatusCode: 400 } }));
    fake.docs.set('rules-doc-0000000001', googleDoc('# Rules\nQuiet hours: 25:00 to 07:00'));
    const { findings } = await run();
    expect(finding(findings, 'Secret /cart-recovery/unsubscribe-key')).toMatchObject({
      status: 'fail',
      next: expect.stringContaining('aws ssm put-parameter --type SecureString --name /cart-recovery/unsubscribe-key'),
    });
    expect(finding(findings, 'Rules doc')).toMatchObject({
      status: 'fail',
      said: expect.stringMatching(/last good copy stays in force \(line 2: /),
    });
  });

  it(
    "reads the account's sending limits, stores them for the sender, " +
      "and says how long the next morning's release takes",
    async () => {
      dynamo
        .on(GetCommand, { Key: { cartId: '#release', sk: 'at#2026-11-20T13:00:00.000Z' } })
        .resolves({ Item: { places: 2_000 } });
      const { findings } = await run();
      expect(finding(findings, 'Morning release')).toMatchObject({
        status: 'ok',
        said: expect.stringMatching(
          new RegExp(
            /^held reminders go out at 9\.0 a second /.source +
              /\(90% of 10 unreserved Lambda executions at 1 s a send, as stated; stored for the sender\);/.source +
              / 2000 reminders are held for 08:00 \(America\/New_York\), done by 08:03/.source,
          ),
        ),
      });
      expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
        TableName: 'cr-sends',
        Item: {
          cartId: '#owner',
          sk: 'account-limits',
          sesMaxSendRate: 14,
          sesMax24HourSend: 50_000,
          senderConcurrency: 10,
          concurrencyFrom: 'unreserved',
          readAt: '2026-11-20T12:00:00.000Z',
        },
      });
      expect(lambda).toHaveReceivedCommandWith(GetFunctionConcurrencyCommand, { FunctionName: 'cart-recovery-sender' });
    },
  );

  it(
    "paces by the sender's measured duration once it has run: " +
      'its p90 over the last 7 days, stored with the limits',
    async () => {
      cloudwatch
        .on(GetMetricStatisticsCommand)
        .resolves({ Datapoints: [{ ExtendedStatistics: { p90: 1_800 }, Unit: 'Milliseconds' }] });
      const { findings } = await run();
      // 10 executions of 1.8 s carry 5.6 a second; 90% of that is 5.0.
      expect(finding(findings, 'Morning release')?.said).toMatch(
        new RegExp(
          /^held reminders go out at 5\.0 a second \(90% of 10 unreserved Lambda executions at 1\.8 s a send,/.source +
            / the sender's p90 over 7 days; stored for the sender\)/.source,
        ),
      );
      expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
        Item: expect.objectContaining({ sk: 'account-limits', senderSecondsPerSend: 1.8 }),
      });
      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        Dimensions: [{ Name: 'FunctionName', Value: 'cart-recovery-sender' }],
        ExtendedStatistics: ['p90'],
        EndTime: new Date('2026-11-20T12:00:00Z'),
      });
    },
  );

  it(
    'a morning too big for the account: ' + 'says the last reminder goes out past noon, and which limit to raise',
    async () => {
      lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 50 });
      ses.on(GetAccountCommand).resolves({
        ProductionAccessEnabled: true,
        SendingEnabled: true,
        SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: 14, SentLast24Hours: 0 },
      });
      dynamo
        .on(GetCommand, { Key: { cartId: '#release', sk: 'at#2026-11-20T13:00:00.000Z' } })
        .resolves({ Item: { places: 200_000 } });
      const { findings } = await run();
      expect(finding(findings, 'Morning release')).toMatchObject({
        status: 'warn',
        said: expect.stringMatching(
          new RegExp(
            /at 12\.6 a second \(90% of SES's 14 a second.*/.source +
              /200000 reminders are held for 08:00 \(America\/New_York\) /.source +
              /and the last goes out at 12:24: .*past noon/.source,
          ),
        ),
        next: expect.stringMatching(/^ask AWS for a higher SES sending rate/),
      });
    },
  );

  it('no carts this month or last: says the storefront is not connected yet', async () => {
    dynamo.on(GetCommand).resolves({});
    const { findings } = await run();
    expect(finding(findings, 'Carts from the storefront')).toMatchObject({
      status: 'warn',
      next: expect.stringContaining('connect the storefront (docs/webhooks.md'),
    });
  });
});

describe('npm run doctor -- --aws, with the Stripe lane (the official client against a Stripe stand-in)', () => {
  const standIn = new StripeStandIn();
  let server: Server;
  let port = 0;
  const stripe = {
    secretParam: '/cart-recovery/stripe-webhook-secret',
    keyParam: '/cart-recovery/stripe-restricted-key',
  };
  beforeAll(async () => {
    server = await startHttpServer([{ prefix: '/', handler: standIn.handler }], 0);
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });
  beforeEach(() => {
    standIn.failWith = 0;
    standIn.requests.length = 0;
    ssm
      .on(GetParameterCommand, { Name: stripe.keyParam, WithDecryption: true })
      .resolves({ Parameter: { Value: 'rk_test_doctor' } });
  });
  const runWithStripe = async () => {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'test' });
    return awsDoctor(
      { ...config, stripe },
      { googleRootUrl: fake.url, googleAuth: auth, stripeEndpoint: { host: '127.0.0.1', port, protocol: 'http' } },
    );
  };

  it('reads a session and its line items with the restricted key, and checks both parameters exist', async () => {
    standIn.setLineItems('cs_test_doctor1', [
      {
        id: 'li_1',
        object: 'item',
        description: 'Tote',
        quantity: 1,
        amount_subtotal: 2000,
        amount_total: 2000,
        currency: 'usd',
        price: null,
      },
    ]);
    const { findings } = await runWithStripe();
    expect(finding(findings, 'Stripe restricted key')).toMatchObject({
      status: 'ok',
      said: expect.stringContaining('cs_test_doctor1'),
    });
    expect(standIn.requests).toEqual(['/v1/checkout/sessions', '/v1/checkout/sessions/cs_test_doctor1/line_items']);
    for (const name of [stripe.secretParam, stripe.keyParam])
      expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: name, WithDecryption: false });
  });

  it('a key without the Checkout Sessions permission: fails with the permission to give it', async () => {
    standIn.failWith = 403;
    const { findings } = await runWithStripe();
    expect(finding(findings, 'Stripe restricted key')).toMatchObject({
      status: 'fail',
      said: expect.stringContaining('may not read'),
      next: expect.stringContaining('Read on Checkout Sessions'),
    });
  });

  it('no key stored yet: says which parameter to create', async () => {
    ssm
      .on(GetParameterCommand, { Name: stripe.keyParam, WithDecryption: true })
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: { httpStatusCode: 400 } }));
    const { findings } = await runWithStripe();
    expect(finding(findings, 'Stripe restricted key')).toMatchObject({
      status: 'fail',
      said: `SSM parameter ${stripe.keyParam} does not exist.`,
    });
    expect(standIn.requests).toEqual([]);
  });
});
