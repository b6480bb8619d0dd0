/**
 * cdk-nag AwsSolutions over the production stack with a realistic configuration (no placeholders; alarm email,
 * Shopify, the Google docs and the export sheet on, so every optional function, the SNS topic and the second secret
 * are checked too). One synth for the file, without bundling (test/support/cdk-synth.ts): cdk-nag reads the
 * construct tree and the template, never the function code.
 *
 * cdk-nag 3 reports through CDK's validation plugins, not Annotations: `validateScope` returns exactly what
 * `npx cdk synth` would report (unacknowledged findings only).
 */
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CartRecoveryStack, HANDLER_ENTRIES } from '../../lib/cart-recovery-stack';
import { type SynthesizedStack, synthStack } from '../support/cdk-synth';

const CONTEXT = {
  senderDomain: 'ridgeandloom.example',
  fromAddress: 'hello@ridgeandloom.example',
  replyTo: 'owner@ridgeandloom.example',
  ownerEmail: 'maker@ridgeandloom-mail.example',
  rulesDocId: '1RuLeSdOcIdAbCdEfGhIjKlMnOpQrStUvWxYz012345',
  voiceDocId: '1VoIcEdOcIdAbCdEfGhIjKlMnOpQrStUvWxYz012345',
  exportSheetId: '1ExPoRtShEeTiDaBcDeFgHiJkLmNoPqRsTuVwXyZ01',
  shopifySecretParam: '/cart-recovery/shopify-secret',
  stripeSecretParam: '/cart-recovery/stripe-webhook-secret',
  stripeKeyParam: '/cart-recovery/stripe-restricted-key',
  alarmEmail: 'alerts@ridgeandloom.example',
};

let synthesized: SynthesizedStack;
let stack: CartRecoveryStack;

beforeAll(() => {
  synthesized = synthStack(CONTEXT);
  stack = synthesized.stack;
});

/** Every acknowledgement recorded with `Validations.of(x).acknowledge`, by rule ID. */
function acknowledgements(root: IConstruct): Map<string, { paths: string[]; reasons: Set<string> }> {
  const found = new Map<string, { paths: string[]; reasons: Set<string> }>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        const id = qualifiedId.replace(/^annotation::/i, '');
        const record = found.get(id) ?? { paths: [], reasons: new Set<string>() };
        record.paths.push(construct.node.path);
        record.reasons.add(reason);
        found.set(id, record);
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  it('builds every function, the alarm topic and both secrets into the stack under test', () => {
    expect(stack.rulesLoader).toBeDefined();
    expect(stack.importer).toBeDefined();
    expect(stack.alarms.topic).toBeDefined();
    synthesized.template.resourceCountIs('AWS::Lambda::Function', Object.keys(HANDLER_ENTRIES).length);
  });

  it('sends every alarm to the topic', () => {
    expect(stack.alarms.alarms.length).toBeGreaterThan(0);
    for (const alarm of Object.values(synthesized.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
    }
  });

  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    const findings = report.violations.map((violation) => {
      const paths = violation.violatingResources.map((r) => r.constructPath).join(', ');
      return `${violation.severity} ${violation.ruleName} at ${paths}`;
    });
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no AwsSolutions errors or warnings in the annotations', () => {
    const { annotations } = synthesized;
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('warns about nothing once the configuration is real and every handler exists', () => {
    const warnings = synthesized.annotations
      .findWarning('*', Match.anyValue())
      .map((warning) => String(warning.entry.data));
    expect(warnings).toEqual([]);
  });

  it('acknowledges only the expected rules, each with a specific written reason', () => {
    const found = acknowledgements(stack);
    const ids = [...found.keys()].sort();
    const expected = [
      /^AwsSolutions-L1$/,
      /^AwsSolutions-SQS3$/, // the one queue: it is itself the dead-letter destination
      /^AwsSolutions-SNS2$/,
      /^AwsSolutions-IAM5\[Resource::<DataCarts[0-9A-F]{8}\.Arn>\/index\/\*\]$/,
      new RegExp(
        /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:scheduler:/.source +
          /<AWS::Region>:<AWS::AccountId>:schedule\/cart-recovery\/\*\]$/.source,
      ),
      new RegExp(
        /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:bedrock:\*::/.source +
          /foundation-model\/anthropic\.claude-haiku-4-5-20251001-v1:0\]$/.source,
      ),
    ];
    expect(ids).toHaveLength(expected.length);
    for (const pattern of expected)
      expect(
        ids.some((id) => pattern.test(id)),
        String(pattern),
      ).toBe(true);
    for (const [id, { reasons }] of found) {
      for (const reason of reasons) expect(reason.length, `reason for ${id}`).toBeGreaterThan(60);
    }
    // The SQS3 acknowledgement is on exactly the one queue (Scheduler's dead letters go there too).
    const sqs3 = found.get('AwsSolutions-SQS3')!;
    expect(sqs3.paths).toEqual(['CartRecovery/FailedInvocations/Queue']);
    expect(sqs3.reasons.size).toBe(1);
    // Acknowledged where the resource is, never for the whole stack or app.
    for (const [id, { paths }] of found) {
      for (const path of paths) expect(path, id).not.toBe('CartRecovery');
    }
  });
});
