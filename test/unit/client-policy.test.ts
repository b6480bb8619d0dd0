/**
 * Every AWS client the composition root builds states its attempts and timeouts in one place
 * (src/composition/aws/policy.ts), and every stated request timeout is enforced: the request handler throws at it
 * (`throwOnRequestTimeout`) instead of only warning. What the bundled SDK then does with a hung answer is shown in
 * test/cdk/bundled-sdk-timeout.test.ts and test/integration/sender-timeouts.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AWS_CLIENT_POLICY, clientOptions } from '../../src/composition/aws/policy';

/** The policy entries each client class may be built with: its service's, never another's. */
const POLICY_ENTRIES_BY_CLIENT: Readonly<Record<string, readonly string[]>> = {
  DynamoDBClient: ['dynamodb'],
  SchedulerClient: ['scheduler'],
  LambdaClient: ['lambda'],
  SQSClient: ['sqs'],
  SESv2Client: ['ses', 'sesAccount'],
  BedrockRuntimeClient: ['bedrock'],
  CloudWatchClient: ['cloudwatch'],
  SSMClient: ['ssm'],
  StripeCheckoutClient: ['stripe'],
};

describe('the AWS client policy', () => {
  it('enforces every stated request timeout, each shorter than the shortest function timeout (10 s)', () => {
    for (const [name, policy] of Object.entries(AWS_CLIENT_POLICY)) {
      if (!('maxAttempts' in policy) || !('requestTimeoutMs' in policy)) continue;
      const options = clientOptions(policy);
      expect(options.requestHandler, name).toEqual({
        connectionTimeout: policy.connectionTimeoutMs,
        requestTimeout: policy.requestTimeoutMs,
        throwOnRequestTimeout: true,
      });
      // The request timer runs from the request's start, so it bounds one attempt, connecting included.
      expect(policy.connectionTimeoutMs, name).toBeLessThan(policy.requestTimeoutMs);
      expect(policy.requestTimeoutMs, name).toBeLessThan(10_000);
    }
  });

  it('is the only source of options of the AWS clients the composition root builds', () => {
    const dir = new URL('../../src/composition/aws/', import.meta.url);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      // The AWS SDK's clients take the SDK options the policy makes; other clients (Stripe's) their own policy entry.
      const sdkClients = new Set(
        [...source.matchAll(/import \{([^}]*)\} from '@aws-sdk\/[^']+'/g)].flatMap((m) =>
          (m[1] ?? '').split(',').map((name) => name.trim()),
        ),
      );
      for (const match of source.matchAll(/new (\w+Client)\(/g)) {
        const expected = sdkClients.has(match[1] ?? '') ? 'clientOptions(AWS_CLIENT_POLICY.' : 'AWS_CLIENT_POLICY.';
        const args = callArguments(source, (match.index ?? 0) + match[0].length);
        expect(args, `${file}: new ${match[1]}(...)`).toContain(expected);
        // ... and the entry meant for that service, not a neighbour's (an SES client on DynamoDB's retries).
        const entry = /AWS_CLIENT_POLICY\.(\w+)/.exec(args)?.[1];
        expect(
          POLICY_ENTRIES_BY_CLIENT[match[1] ?? ''],
          `${file}: new ${match[1]}: which policy entries may it use?`,
        ).toContain(entry);
      }
    }
  });
});

/** A call's arguments: the text from just after its `(` to the matching `)`, however the call is wrapped. */
function callArguments(source: string, start: number): string {
  let depth = 1;
  for (let at = start; at < source.length; at++) {
    if (source[at] === '(') depth++;
    else if (source[at] === ')' && --depth === 0) return source.slice(start, at);
  }
  return source.slice(start);
}
