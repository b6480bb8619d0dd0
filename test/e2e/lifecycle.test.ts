import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../src/local/system';
import { cartPayload } from '../support/webhooks';
import { postCartEvent, startTestSystem } from '../support/local-system';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('cart lifecycles on the local system, in simulated time', () => {
  let system: LocalSystem;
  let T: number;

  beforeAll(async () => {
    // Real time frozen under the test clock: only /_local/clock/advance moves it, so every time below is exact.
    system = await startTestSystem('e2e-life-');
  });
  afterAll(() => system.stop());

  const now = async () =>
    Date.parse(((await (await fetch(`${system.url}/_local/clock`)).json()) as { now: string }).now);
  const advance = async (by: string) => {
    const response = await fetch(`${system.url}/_local/clock/advance?by=${encodeURIComponent(by)}`, { method: 'POST' });
    expect(response.status).toBe(200);
  };
  const postEvent = (payload: object) => postCartEvent(system, payload);
  /** The waiter's moves and the intake's stops, as [action, time since T]; the sender's entries have their own test. */
  const history = async (cartId: string) =>
    (
      (await (await fetch(`${system.url}/_local/carts/${cartId}/activity`)).json()) as Array<{
        actor: string;
        action: string;
        at: string;
      }>
    )
      .filter((entry) => entry.actor !== 'sender')
      .map((entry) => [entry.action, Date.parse(entry.at) - T] as const);

  it('plays the seed story: reminder at T+1h, follow-up at T+21h, checkout stops everything, no third', async () => {
    T = await now();
    await postEvent(cartPayload({ id: 'seed-story' }, new Date(T).toISOString()));

    await advance('59 min');
    expect(await history('seed-story')).toEqual([]);
    await advance('1 min');
    expect(await history('seed-story')).toEqual([['first_reminder', 1 * HOUR]]);
    await advance('1 day'); // passes T+21h on the way
    // After each hand-off the waiter looks again five minutes on: the follow-up is timed from the email that went out.
    expect(await history('seed-story')).toEqual([
      ['first_reminder', 1 * HOUR],
      ['still_shopping', 1 * HOUR + 5 * MIN],
      ['second_reminder', 21 * HOUR],
      ['still_shopping', 21 * HOUR + 5 * MIN],
    ]);

    await postEvent({
      type: 'cart.checked_out',
      timestamp: new Date(await now()).toISOString(),
      data: { id: 'seed-story' },
    });
    await advance('10 days');

    expect(await history('seed-story')).toEqual([
      ['first_reminder', 1 * HOUR],
      ['still_shopping', 1 * HOUR + 5 * MIN],
      ['second_reminder', 21 * HOUR],
      ['still_shopping', 21 * HOUR + 5 * MIN],
      ['checked_out', 25 * HOUR],
    ]);
    const cart = (await (await fetch(`${system.url}/_local/carts/seed-story`)).json()) as Record<string, unknown>;
    expect(cart).toMatchObject({ status: 'checked_out', remindersSent: 2 });
    const jobs = (await (await fetch(`${system.url}/_local/schedules`)).json()) as Array<{
      payload: { cartId: string };
    }>;
    // Nothing is left pending for this cart: no wake-up, no reminder.
    expect(jobs.filter((job) => job.payload.cartId === 'seed-story')).toEqual([]);
  });

  it('never reminds a cart while it keeps changing, and reminds it on time once it stops', async () => {
    T = await now();
    // A small cart ($25: four-hour wait) edited every 30 minutes for six hours.
    for (let step = 0; step <= 12; step++) {
      await postEvent(
        cartPayload(
          { id: 'busy', total: '25.00', items: [{ title: 'Socks', quantity: step + 1, unitPrice: '1.00' }] },
          new Date(await now()).toISOString(),
        ),
      );
      await advance('30 min');
    }
    const lastChange = 12 * 0.5 * HOUR;
    expect((await history('busy')).filter(([action]) => action !== 'still_shopping')).toEqual([]);

    await advance('4 hours');

    const moves = await history('busy');
    expect(moves.filter(([action]) => action === 'first_reminder')).toEqual([
      ['first_reminder', lastChange + 4 * HOUR],
    ]);
    expect(moves.filter(([action]) => action === 'still_shopping').every(([, at]) => at <= lastChange + 4 * HOUR)).toBe(
      true,
    );
  });
});
