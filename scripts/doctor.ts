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
import { parseArgs } from 'node:util';
import { awsDoctor } from '../src/composition/aws/doctor';
import { localDoctor } from '../src/local/operator';
import { renderDoctorReport, type DoctorFacts, type Finding } from '../src/domain/operations/doctor';
import { EXAMPLE_DOCS } from '../src/local/system';
import { SENDS_TABLE } from '../src/resources/tables';
import { readCheckoutDeployConfig, type DeployConfig } from '../src/composition/aws/deploy-config';
import { FUNCTION_NAMES } from '../lib/constructs/service-function';

const { values } = parseArgs({
  options: {
    aws: { type: 'boolean', default: false },
    table: { type: 'string' },
    rules: { type: 'string' },
    voice: { type: 'string' },
  },
});

/** Settings a working deployment needs that the configuration lacks. */
function settingsFacts(config: DeployConfig): NonNullable<DoctorFacts['settings']> {
  return config.placeholders.map((key) => ({
    key,
    problem: `still the demo placeholder "${String(config[key])}": the stack was built for example.com.`,
    next: `set ${key} in cdk.json (docs/deploy.md, step 6) and deploy.`,
  }));
}

try {
  let findings: Finding[];
  if (values.aws) {
    const config = readCheckoutDeployConfig();
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
      ...(config.stripeSecretParam && config.stripeKeyParam
        ? { stripe: { secretParam: config.stripeSecretParam, keyParam: config.stripeKeyParam } }
        : {}),
      sendsTable: values.table ?? SENDS_TABLE.name,
      senderFunctionName: FUNCTION_NAMES.sender,
      senderSecondsPerSend: config.senderSecondsPerSend,
      retentionDays: config.retentionDays,
      settings: settingsFacts(config),
    }));
  } else {
    ({ findings } = await localDoctor({
      docIds: { rules: values.rules ?? EXAMPLE_DOCS.rules, voice: values.voice ?? EXAMPLE_DOCS.voice },
      tables: { sends: values.table },
    }));
  }
  console.log(renderDoctorReport(findings, values.aws ? 'aws' : 'local'));
  process.exitCode = findings.some((f) => f.status === 'fail') ? 1 : 0;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
