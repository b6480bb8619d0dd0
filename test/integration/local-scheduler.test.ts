import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { LocalScheduler, MAX_ATTEMPTS } from '../../src/adapters/local/local-scheduler';
import { silentLog } from '../../src/ports/log';
import { freshTables } from '../support/dynamo';

const T = Date.parse('2026-11-02T20:00:00Z');

describe('the local scheduler (durable, on DynamoDB Local)', () => {
  it('fires, late, a wake-up that fell due while the process was down; nothing is lost on restart', async () => {
    const { documents, names } = await freshTables();
    let time = T;
    const clock = new ControllableClock(undefined, () => time);
    const before = new LocalScheduler(documents, names.schedules, clock, silentLog);
    await before.schedule({ cartId: 'c1', seq: 1, at: new Date(T + 3_600_000) });
    await before.schedule({ cartId: 'c2', seq: 1, at: new Date(T + 5 * 3_600_000) });
    // The process stops here; two hours pass.
    time = T + 2 * 3_600_000;

    const after = new LocalScheduler(documents, names.schedules, clock, silentLog);
    const fired: unknown[] = [];
    after.register('waiter', async (payload) => void fired.push(payload));
    await after.runDue();

    expect(fired).toEqual([{ cartId: 'c1', seq: 1 }]);
    expect((await after.jobs()).map((job) => job.payload)).toEqual([{ cartId: 'c2', seq: 1 }]);
  });

  it('keeps a job whose target failed, retries it, and parks it as dead after the last attempt', async () => {
    const { documents, names } = await freshTables();
    const scheduler = new LocalScheduler(
      documents,
      names.schedules,
      new ControllableClock(undefined, () => T),
      silentLog,
    );
    await scheduler.schedule({ cartId: 'c1', seq: 1, at: new Date(T) });
    let calls = 0;
    scheduler.register('waiter', async () => {
      calls += 1;
      throw new Error('waiter down');
    });
    for (let run = 0; run < MAX_ATTEMPTS + 2; run++) await scheduler.runDue();
    expect(calls).toBe(MAX_ATTEMPTS);
    expect(await scheduler.jobs()).toEqual([expect.objectContaining({ attempts: MAX_ATTEMPTS, dead: true })]);
  });

  it('treats a second schedule of the same wake-up as already scheduled, and cancels what is pending', async () => {
    const { documents, names } = await freshTables();
    const scheduler = new LocalScheduler(
      documents,
      names.schedules,
      new ControllableClock(undefined, () => T),
      silentLog,
    );
    await scheduler.schedule({ cartId: 'c1', seq: 1, at: new Date(T + 60_000) });
    await scheduler.schedule({ cartId: 'c1', seq: 1, at: new Date(T + 120_000) });
    expect((await scheduler.jobs()).map((job) => job.dueAt)).toEqual([new Date(T + 60_000).toISOString()]);
    await scheduler.cancel('c1', 1);
    await scheduler.cancel('c1', 1);
    expect(await scheduler.jobs()).toEqual([]);
  });
});
