import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { startLocalSystem } from '../../src/local/system';
import { silentLog } from '../../src/ports/log';
import { FROZEN_AT, postCartEvent } from '../support/local-system';

const MINUTE = 60_000;

describe('the cart counter across a restart of the local system (data kept on disk)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = () => startLocalSystem({ port: 0, dataDir, log: silentLog, realNow: () => FROZEN_AT });
  const cart = (id: string, timestamp: string, email?: string) => ({
    type: 'cart.updated',
    timestamp,
    data: {
      id,
      ...(email ? { email } : {}),
      items: [{ title: 'Linen shirt', quantity: 1, unitPrice: '45.00' }],
      total: '45.00',
      currency: 'USD',
    },
  });

  it(
    'counts what came before and after the restart once each, ' + 'including what was still waiting in the stream',
    async () => {
      const first = await start();
      await postCartEvent(first, cart('r-1', first.clock.now().toISOString(), 'one@example.com'));
      await first.advance(2 * MINUTE); // delivered: the batching window has passed
      await postCartEvent(first, cart('r-2', first.clock.now().toISOString()));
      await first.stop(); // r-2 is still inside its window: stopping delivers it

      const second = await start();
      try {
        await postCartEvent(second, cart('r-3', second.clock.now().toISOString()));
        // A minute later than r-2's first event (the frozen clock did not move across the restart), so it is newer.
        await second.advance(MINUTE);
        // r-2 gives its email.
        await postCartEvent(second, cart('r-2', second.clock.now().toISOString(), 'two@example.com'));
        await second.advance(2 * MINUTE);
        const stats = new DynamoDbStats(second.documents, second.tables.sends, async () => 'America/New_York');
        expect(await stats.month('2026-11')).toMatchObject({ cartsSeen: 3, cartsWithAddress: 2 });
      } finally {
        await second.stop();
      }
    },
  );
});
