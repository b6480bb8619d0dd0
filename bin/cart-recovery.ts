#!/usr/bin/env node
/**
 * CDK app entry (`cdk.json`: `npx tsx bin/cart-recovery.ts`). Synthesizes offline with no AWS credentials; the
 * deploy configuration comes from context or CART_RECOVERY_* variables (src/composition/aws/deploy-config.ts,
 * docs/deploy.md).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CartRecoveryStack } from '../lib/cart-recovery-stack';
import { type DeployConfig, DeployConfigError, readDeployConfig } from '../src/composition/aws/deploy-config';

const app = new App();
const { CDK_DEFAULT_ACCOUNT: account, CDK_DEFAULT_REGION: region } = process.env;

let config: DeployConfig;
try {
  config = readDeployConfig(app);
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  console.error(`${error.message}\nSee docs/deploy.md for every key and its default.`);
  process.exit(1);
}

new CartRecoveryStack(app, 'CartRecovery', {
  config,
  // Bound only when the CLI resolved both (i.e. credentials are present); offline it stays environment-agnostic
  // (Aws.ACCOUNT_ID / Aws.REGION tokens), even though the CLI always supplies a default Region.
  ...(account && region ? { env: { account, region } } : {}),
});

// cdk-nag 3 runs as a CDK validation plugin (it replaced `Aspects.of(app).add(...)` of cdk-nag 2): unacknowledged
// AwsSolutions errors fail the synth. Acknowledgements live next to the resource they concern, with their reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
