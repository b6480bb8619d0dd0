/**
 * The stated timeouts hold: an SES answer that never comes ends the sender's call at the client's request timeout
 * (src/composition/aws/policy.ts), in its "unknown outcome" branch, with its activity entry written, well inside the
 * sender function's own timeout. Real SESv2Client (the SDK the bundles carry) against an SES stand-in that reads the
 * request and never answers; the real Powertools logger, whose output is read back.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { powertoolsLog } from '../../src/adapters/aws/powertools-log';
import { AWS_CLIENT_POLICY } from '../../src/composition/aws/policy';
import type { TableNames } from '../../src/resources/tables';
import { freshTables } from '../support/dynamo';
import { type SesStandIn, startSesStandIn } from '../../bench/ses-stand-in';
import { SendWorld } from '../../bench/send-world';

const T = Date.parse('2026-11-02T20:00:00Z');
/** The sender function's timeout (lib/constructs/sender.ts): Lambda ends the invocation there. */
const SENDER_FUNCTION_TIMEOUT_MS = 30_000;

describe('a hung SES answer', () => {
  let documents: DynamoDBDocumentClient;
  let tables: TableNames;
  let standIn: SesStandIn;
  const clock = { now: T };

  beforeAll(async () => {
    ({ documents, names: tables } = await freshTables());
    standIn = await startSesStandIn(() => clock.now);
  });
  afterAll(() => standIn.close());

  it(
    'ends in the "unknown outcome" branch at the request timeout, ' +
      "logged with SES's error text, inside the function timeout",
    async () => {
      standIn.decide = () => 'hang';
      // Powertools writes warnings to stderr and the rest to stdout, one JSON object a line.
      const lines: string[] = [];
      const spies = [process.stdout, process.stderr].map((stream) => {
        const write = stream.write.bind(stream);
        return vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
          const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
          if (text.startsWith('{') && text.includes('"level"')) lines.push(text);
          return write(chunk as string, ...(rest as []));
        });
      });
      try {
        const world = new SendWorld({ documents, tables, standIn, clock, log: powertoolsLog('cart-recovery-sender') });
        await world.addCart('hung-1', 'hung@example.com');
        const started = Date.now();
        // The invocation itself, as Lambda would end it at its timeout: whichever comes first.
        const ended = await Promise.race([
          world.handOff({ cartId: 'hung-1', step: 'first' }).then(() => 'returned' as const),
          new Promise<'function timed out'>((resolve) =>
            setTimeout(() => resolve('function timed out'), SENDER_FUNCTION_TIMEOUT_MS).unref(),
          ),
        ]);
        const elapsed = Date.now() - started;

        expect(ended).toBe('returned');
        expect(standIn.requests).toBe(1);
        expect(world.results).toEqual([{ outcome: 'unknown', settleAt: new Date(T + 15 * 60_000) }]);
        // At the stated timeout, not at the function's: the client gave up, nothing else did.
        expect(elapsed).toBeGreaterThanOrEqual(AWS_CLIENT_POLICY.ses.requestTimeoutMs - 100);
        expect(elapsed).toBeLessThan(SENDER_FUNCTION_TIMEOUT_MS);
        const history = await world.activity.history('hung-1');
        const unknown = history.find((entry) => entry.action === 'unknown');
        expect(unknown?.reason).toMatch(/TimeoutError.*requestTimeout/);
        expect((await world.ledger.find('hung-1', 'first'))?.status).toBe('claimed');

        // The warning keeps SES's (here: the client's) error text in a field the logger keeps.
        const warning = lines
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.message === 'SES did not accept the reminder');
        expect(warning).toMatchObject({ level: 'WARN', kind: 'unknown', code: 'TimeoutError' });
        expect(String(warning?.sesError)).toMatch(/exceeded the configured 5000 ms requestTimeout/);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    },
  );
});
