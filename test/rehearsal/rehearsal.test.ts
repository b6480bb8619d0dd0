/**
 * The short rehearsal (one cart's story through every function, from the synthesized bundles on Lambda's Node 22),
 * and three ways the deployed wiring can drift that it must catch and name: a permission gone from a role, a variable
 * the stack no longer writes, a bundle that throws while it loads. Timeouts are scaled up (×10): a busy machine must
 * not be mistaken for a function that overran; the full `npm run rehearse` keeps the template's own. The last test
 * shows an overrun is caught: a handler that never answers is ended at its (scaled) timeout.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { renderReport, runRehearsal } from '../../rehearsal/run';

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template, read and edited by path
type Json = Record<string, any>;

const short = (extra: Parameters<typeof runRehearsal>[0] = {}) =>
  runRehearsal({ short: true, dynamoEndpoint: inject('dynamoEndpoint'), timeoutScale: 10, ...extra });

/** The template's function resource with this physical name. */
function functionResource(template: Json, name: string): Json {
  const found = Object.values(template.Resources as Record<string, Json>).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === name,
  );
  if (!found) throw new Error(`no function ${name} in the template`);
  return found;
}

describe('the rehearsal', () => {
  it('plays one cart through every function of the synthesized stack, every call allowed by its role', async () => {
    const outcome = await short();
    const report = await renderReport(outcome);
    expect(outcome.failures, report).toEqual([]);
    expect(
      outcome.scenarios.map((s) => s.ok),
      report,
    ).toEqual([true, true, true, true]);
    expect(outcome.ok, report).toBe(true);
    const byName = new Map(outcome.functions.map((f) => [f.name, f]));
    // Every function the story touches ran from its bundle on Node 22 with a cold start, and made checked calls.
    for (const name of [
      'intake',
      'waiter',
      'sender',
      'unsubscribe',
      'ses-events',
      'rules-loader',
      'summary',
      'cart-counter',
    ]) {
      const fn = byName.get(`cart-recovery-${name}`);
      expect(fn, name).toBeDefined();
      expect(fn!.coldStarts, name).toBeGreaterThanOrEqual(1);
      expect(fn!.node, name).toMatch(/^v22\./);
      expect(Object.keys(fn!.calls).length, name).toBeGreaterThan(0);
    }
    expect(byName.get('cart-recovery-sender')!.calls['ses:SendEmail']).toBeGreaterThanOrEqual(1);
    expect(byName.get('cart-recovery-waiter')!.calls['lambda:InvokeFunction']).toBeGreaterThanOrEqual(1);
    expect(byName.get('cart-recovery-cart-counter')!.calls['dynamodb:GetRecords']).toBeGreaterThanOrEqual(1);
  });

  it('fails, naming function, action and resource, when a role lacks a permission its function uses', async () => {
    const outcome = await short({
      editTemplate: (template) => {
        // The sender's role without its SES grant (what deleting `email.grantSend` from lib/constructs/sender.ts does).
        for (const r of Object.values(template.Resources as Record<string, Json>)) {
          if (r.Type !== 'AWS::IAM::Policy') continue;
          r.Properties.PolicyDocument.Statement = (r.Properties.PolicyDocument.Statement as Json[]).filter(
            (s) => s.Sid !== 'SendReminders',
          );
        }
      },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.failures.join('\n')).toMatch(
      new RegExp(
        /cart-recovery-sender may not ses:SendEmail on /.source +
          /arn:aws:ses:us-east-1:123456789012:identity\/linenandlarch\.example/.source,
      ),
    );
  });

  it(
    'fails, naming the function and the variable, ' + 'when the stack stops writing a variable a function reads',
    async () => {
      const outcome = await short({
        editTemplate: (template) => {
          delete functionResource(template, 'cart-recovery-waiter').Properties.Environment.Variables.CR_SENDER_ARN;
        },
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.failures.join('\n')).toMatch(/cart-recovery-waiter failed to start[\s\S]*CR_SENDER_ARN/);
    },
  );

  it('fails, naming the function, when its bundle throws while it loads', async () => {
    const outcome = await short({
      entries: { intake: fileURLToPath(new URL('../fixtures/rehearsal/throws-on-load.ts', import.meta.url)) },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.failures.join('\n')).toMatch(
      /cart-recovery-intake failed to start[\s\S]*this bundle throws on load/,
    );
  });

  it('ends a function that overruns its timeout by ending its process, and names it', async () => {
    // The handler never answers, so it overruns whatever the timeout (scaled down here to keep the test short).
    const outcome = await short({
      timeoutScale: 0.05,
      entries: { rulesLoader: fileURLToPath(new URL('../fixtures/rehearsal/never-answers.ts', import.meta.url)) },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.failures.join('\n')).toMatch(
      new RegExp(
        /cart-recovery-rules-loader failed on an asynchronous invoke after 1 attempts: /.source +
          /Sandbox\.Timedout: Task timed out after 3\.00 seconds/.source,
      ),
    );
  });
});
