/**
 * `npm run doctor`: checks everything that stops reminders from going out and says what to do next.
 *
 *   npm run doctor                 the local system: both owner docs parse, and carts are arriving (needs npm start)
 *   npm run doctor -- --aws        a deployed stack, with your AWS credentials and region: SES identity and DKIM,
 *                                  production access and quota, Bedrock model access, the secrets in SSM, the
 *                                  Google docs as the service account sees them, the Stripe restricted key reading
 *                                  line items (when the Stripe lane is configured), carts arriving, the morning
 *                                  release (it reads the account's sending limits and stores them for the sender),
 *                                  and the settings
 *                                  in cdk.json (the same context you deployed with; -c is not read, CART_RECOVERY_*
 *                                  environment variables are)
 * Options: --rules <file> --voice <file> (local), --table cr-sends. Exits 1 when something must be fixed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStats } from '../src/adapters/aws/dynamodb-stats';
import { FileOwnerDrive } from '../src/adapters/local/file-owner-drive';
import { awsDoctor } from '../src/composition/aws/doctor';
import { renderDoctorReport, type DoctorFacts, type Finding } from '../src/domain/operations/doctor';
import { systemClock } from '../src/ports/clock';
import { LOCAL_AWS } from '../src/local/dynamodb-local';
import { EXAMPLE_DOCS, localEndpointFile } from '../src/local/system';
import { SENDS_TABLE } from '../src/resources/tables';
import { diagnoseSetup } from '../src/use-cases/diagnose-setup';
import { CONTEXT_KEYS, environmentVariableFor, parseDeployConfig, type DeployConfig } from '../lib/deploy-config';
import { FUNCTION_NAMES } from '../lib/constructs/service-function';

const { values } = parseArgs({
  options: { aws: { type: 'boolean', default: false }, table: { type: 'string' }, rules: { type: 'string' }, voice: { type: 'string' } },
});

/** cdk.json's context, then CART_RECOVERY_* variables, validated as at synth. */
function deployConfig(): DeployConfig {
  const context = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = context[key] ?? process.env[environmentVariableFor(key)];
    if (value !== undefined) raw[key] = value;
  }
  return parseDeployConfig(raw);
}

/** Settings a working deployment needs that the configuration lacks. */
function settingsFacts(config: DeployConfig): NonNullable<DoctorFacts['settings']> {
  return config.placeholders.map((key) => ({
    key,
    problem: `still the demo placeholder "${String(config[key])}": the stack was built for example.com.`,
    next: `set ${key} in cdk.json (docs/deploy.md, step 6) and deploy.`,
  }));
}

async function localDoctor(): Promise<{ findings: Finding[] }> {
  let endpoint: string | undefined;
  try {
    ({ endpoint } = JSON.parse(readFileSync(localEndpointFile(), 'utf8')) as { endpoint: string });
  } catch {
    endpoint = undefined;
  }
  const client = endpoint ? new DynamoDBClient({ endpoint, ...LOCAL_AWS }) : undefined;
  try {
    const { findings } = await diagnoseSetup({
      where: 'local',
      clock: systemClock,
      drive: new FileOwnerDrive(),
      docIds: { rules: values.rules ?? EXAMPLE_DOCS.rules, voice: values.voice ?? EXAMPLE_DOCS.voice },
      ...(client ? { stats: new DynamoDbStats(DynamoDBDocumentClient.from(client), values.table ?? SENDS_TABLE.name, async () => 'UTC') } : {}),
    });
    const running: Finding = endpoint
      ? { check: 'Local system', status: 'ok', said: `DynamoDB Local at ${endpoint}.` }
      : { check: 'Local system', status: 'fail', said: 'not running.', next: 'start it with npm start (in another terminal), then run the doctor again.' };
    return { findings: [running, ...findings] };
  } finally {
    client?.destroy();
  }
}

try {
  let findings: Finding[];
  if (values.aws) {
    const config = deployConfig();
    ({ findings } = await awsDoctor({
      ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
      senderDomain: config.senderDomain,
      bedrockModelId: config.bedrockModelId,
      ...(config.rulesDocId ? { rulesDocId: config.rulesDocId } : {}),
      ...(config.voiceDocId ? { voiceDocId: config.voiceDocId } : {}),
      googleKeyParam: config.googleKeyParam,
      webhookSecretParam: config.webhookSecretParam,
      unsubscribeKeyParam: config.unsubscribeKeyParam,
      ...(config.shopifySecretParam ? { shopifySecretParam: config.shopifySecretParam } : {}),
      ...(config.stripeSecretParam && config.stripeKeyParam ? { stripe: { secretParam: config.stripeSecretParam, keyParam: config.stripeKeyParam } } : {}),
      sendsTable: values.table ?? SENDS_TABLE.name,
      senderFunctionName: FUNCTION_NAMES.sender,
      senderSecondsPerSend: config.senderSecondsPerSend,
      retentionDays: config.retentionDays,
      settings: settingsFacts(config),
    }));
  } else {
    ({ findings } = await localDoctor());
  }
  console.log(renderDoctorReport(findings, values.aws ? 'aws' : 'local'));
  process.exitCode = findings.some((f) => f.status === 'fail') ? 1 : 0;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
