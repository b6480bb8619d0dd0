/**
 * The production stack for the CDK tests that read its template, annotations or cdk-nag findings: synthesized once
 * per context (memoised per test file), in about a second, whatever the machine.
 *
 * Two things `npx cdk synth` does are left out, because no test reads their output and each costs seconds:
 *
 * - Bundling. NodejsFunction runs esbuild only for the stacks the `aws:cdk:bundling-stacks` context matches; with
 *   `[]` it skips it and the function code points at an unbundled asset (its hash and path differ from a real
 *   synth, which no test checks). The entry files must still exist: NodejsFunction checks that either way. The
 *   bundles themselves are built and checked in test/cdk/bundles.test.ts, with the options the construct uses.
 * - CDK's built-in CloudFormation validation (a WebAssembly linter whose engine takes several seconds to start in each
 *   test process). It only reports warnings here (`@aws-cdk/core:validateAgainstDefaultRules` is not set), which
 *   no assertion reads; `npx cdk synth` still runs it.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import { CartRecoveryStack } from '../../lib/cart-recovery-stack';
import { readDeployConfig } from '../../src/composition/aws/deploy-config';

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template, read by path
type Json = Record<string, any>;

/** cdk.json's context: what `npx cdk synth` starts from. */
export const CDK_JSON_CONTEXT: Readonly<Json> = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Json }
).context;

/** Context that turns bundling off for every stack of the app (NodejsFunction then never runs esbuild). */
export const NO_BUNDLING: Readonly<Json> = { 'aws:cdk:bundling-stacks': [] };

export interface SynthesizedStack {
  readonly stack: CartRecoveryStack;
  readonly template: Template;
  /** The template's resources by logical ID. */
  readonly resources: Record<string, Json>;
  /**
   * The stack's annotations, read once: `Annotations.fromStack` synthesizes the whole app again on every call.
   */
  readonly annotations: Annotations;
}

const synthesized = new Map<string, SynthesizedStack>();

/** JSON with object keys sorted, so the same context written in another order is the same synthesis. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/**
 * The `CartRecovery` stack as `npx cdk synth` builds it from cdk.json's context plus `context` (deploy configuration
 * keys, as `-c key=value` would give them; the environment is not read), without bundling or built-in validation.
 * Synthesized on first use; later calls with the same context return the same stack, template and annotations.
 */
export function synthStack(context: Readonly<Json> = {}): SynthesizedStack {
  const key = canonical(context);
  const found = synthesized.get(key);
  if (found) return found;

  const app = new App({
    builtinCloudFormationValidation: false,
    context: { ...CDK_JSON_CONTEXT, ...context, ...NO_BUNDLING },
  });
  const stack = new CartRecoveryStack(app, 'CartRecovery', { config: readDeployConfig(app, {}) });
  const template = Template.fromStack(stack); // synthesizes, so synthesis-time annotations are present too
  let annotations: Annotations | undefined;
  const result: SynthesizedStack = {
    stack,
    template,
    resources: template.toJSON().Resources as Record<string, Json>,
    get annotations() {
      return (annotations ??= Annotations.fromStack(stack));
    },
  };
  synthesized.set(key, result);
  return result;
}
