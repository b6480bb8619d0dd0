/**
 * `npm run carts`: a cart's story, the failure queue in plain words, and replay. The local path runs on DynamoDB
 * Local (the local system's own tables and job table); the --aws path is test/unit/operator-carts-aws.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { LocalScheduler, MAX_ATTEMPTS } from '../../src/adapters/local/local-scheduler';
import { silentLog } from '../../src/ports/log';
import { runCartsCommand } from '../../src/use-cases/operator-carts';
import { freshTables } from '../support/dynamo';

const T = Date.parse('2026-11-02T20:00:00Z');
const zone = async () => 'America/New_York';

describe('npm run carts, locally (DynamoDB Local)', () => {
  it(
    'lists a sender job that died in plain words, replays it, ' + 'and the replayed job runs with its original event',
    async () => {
      const { documents, names } = await freshTables();
      const scheduler = new LocalScheduler(
        documents,
        names.schedules,
        new ControllableClock(undefined, () => T),
        silentLog,
      );
      await scheduler.handOff({ cartId: 'cart-7', step: 'first' });
      await scheduler.schedule({ cartId: 'cart-8', seq: 2, at: new Date(T + 86_400_000) }); // pending, not failed
      let senderUp = false;
      const delivered: unknown[] = [];
      scheduler.register('sender', async (payload) => {
        if (!senderUp) throw new Error('SSM parameter /cart-recovery/unsubscribe-key is empty');
        delivered.push(payload);
      });
      for (let run = 0; run < MAX_ATTEMPTS; run++) await scheduler.runDue();
      const deps = {
        carts: new DynamoDbCartStore(documents, names.carts),
        activity: new DynamoDbActivityLog(documents, names.sends, 90),
        failures: scheduler,
        zone,
      };

      const listed = await runCartsCommand(['failures'], deps);
      expect(listed).toMatch(/^1 piece of work failed after every retry \(times in America\/New_York\):/);
      expect(listed).toContain(
        `the sender failed ${MAX_ATTEMPTS} times on the first reminder of cart cart-7, due Mon 2 Nov 2026 15:00; ` +
          'last error: Error: SSM parameter /cart-recovery/unsubscribe-key is empty.',
      );
      expect(listed).not.toContain('cart-8');

      senderUp = true;
      const [failed] = await scheduler.list();
      expect(await runCartsCommand(['replay', 'all'], deps)).toMatch(new RegExp(`^Replayed 1: ${failed?.id}\\.`));
      expect(await runCartsCommand(['failures'], deps)).toBe('The failure queue is empty: nothing was lost.');
      await scheduler.runDue();
      expect(delivered).toEqual([{ cartId: 'cart-7', step: 'first' }]);
      expect(await runCartsCommand(['replay', failed?.id ?? ''], deps)).toMatch(/^Not in the failure queue/);
    },
  );

  it("tells a cart's story from its row and activity log, in time order, with each reason", async () => {
    const { documents, names } = await freshTables();
    const activity = new DynamoDbActivityLog(documents, names.sends, 90);
    await activity.record({
      cartId: 'c1',
      at: new Date(T + 3_600_000),
      actor: 'sender',
      action: 'sent',
      reason: 'first reminder sent (plain opening line: no model configured)',
      details: { step: 'first' },
    });
    await activity.record({
      cartId: 'c1',
      at: new Date(T),
      actor: 'waiter',
      action: 'still_shopping',
      reason: 'changed 10 min ago; first reminder due at 16:00',
    });
    const story = await runCartsCommand(['story', 'c1'], {
      carts: new DynamoDbCartStore(documents, names.carts),
      activity,
      zone,
    });
    expect(story.split('\n')).toEqual([
      'Cart c1: no row (never seen, or expired after the retention period).',
      '',
      'What happened (times in America/New_York):',
      '  Mon 2 Nov 2026 15:00  The waiter: still shopping. changed 10 min ago; first reminder due at 16:00',
      '  Mon 2 Nov 2026 16:00  The sender: sent (first reminder). ' +
        'first reminder sent (plain opening line: no model configured)',
    ]);
  });
});
