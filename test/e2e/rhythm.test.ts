/**
 * The issue-20 timelines on the local system, as a shopper meets them (store in New York, quiet hours 21:00-08:00, the
 * example rules doc): webhooks over HTTP, the local scheduler and job table, the outbox. The follow-up comes the second
 * wait after the email the shopper got, and a reminder held for the morning decides again when it is released.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import type { LocalSystem } from '../../src/local/system';
import { postCartEvent, startTestSystem } from '../support/local-system';
import { cartPayload } from '../support/webhooks';
import type { StandardCartData } from '../../src/adapters/webhooks/standard-webhook';
import { decimalOf, seedCartData, seedCartTotal } from '../../src/local/seed-cart';

const ZONE = 'America/New_York';
const HOUR = 3_600_000;

describe('the rhythm on the local system', () => {
  let system: LocalSystem;
  beforeAll(async () => {
    system = await startTestSystem('e2e-rhythm-');
  });
  afterAll(() => system.stop());

  const advanceTo = (local: DateTime) => system.advance(Math.max(0, local.toMillis() - system.clock.now().getTime()));
  const post = (id: string, items: StandardCartData['items'], total: StandardCartData['total']) =>
    postCartEvent(
      system,
      cartPayload(
        { id, email: `${id}@example.com`, items, total, returnUrl: `https://shop.example.com/cart/${id}` },
        system.clock.now().toISOString(),
      ),
    );
  const emailsOf = (id: string) =>
    listOutbox(system.outboxDir)
      .filter((email) => email.tags.cart === id)
      .map((email) => ({ step: email.tags.step, at: DateTime.fromISO(email.sentAt, { zone: ZONE }) }))
      .sort((a, b) => a.at.toMillis() - b.at.toMillis());
  /** The seed's $120 cart (src/local/seed-cart.ts), in our format. */
  const seed = seedCartData();

  it(
    'a $120 cart left at 23:30: first email at 08:0x, ' +
      'the follow-up 20 h after it (held to the next morning), not at 20:30',
    async () => {
      const left = DateTime.fromObject({ year: 2026, month: 11, day: 3, hour: 23, minute: 30 }, { zone: ZONE });
      await advanceTo(left);
      await post('evening', seed.items, seed.total);
      await advanceTo(left.plus({ days: 10 }));
      const [first, second, ...more] = emailsOf('evening');
      expect(more).toEqual([]);
      expect(first?.step).toBe('first');
      expect((first?.at.toFormat('yyyy-MM-dd HH:mm') ?? '') < '2026-11-04 08:03').toBe(true);
      expect(first?.at.toFormat('yyyy-MM-dd HH')).toBe('2026-11-04 08');
      expect(second?.step).toBe('second');
      expect((second?.at.toMillis() ?? 0) - (first?.at.toMillis() ?? 0)).toBeGreaterThanOrEqual(20 * HOUR);
      // 20 h after 08:0x is 04:0x, quiet: the follow-up waits for the next morning's release.
      expect(second?.at.toFormat('yyyy-MM-dd HH')).toBe('2026-11-05 08');
    },
  );

  it('held for 08:00, the shopper adds an item at 07:40: nothing at 08:02, the reminder at 08:40', async () => {
    const left = DateTime.fromObject({ year: 2026, month: 11, day: 16, hour: 23 }, { zone: ZONE });
    await advanceTo(left);
    await post('morning-edit', seed.items, seed.total);
    const edit = left.plus({ hours: 8, minutes: 40 }); // 07:40
    await advanceTo(edit);
    expect(emailsOf('morning-edit')).toEqual([]);
    await post(
      'morning-edit',
      [...seed.items, { title: 'Mug', quantity: 1, unitPrice: '20.00' }],
      decimalOf(seedCartTotal().minor + 20_00),
    );
    await advanceTo(edit.plus({ minutes: 59 }));
    expect(emailsOf('morning-edit')).toEqual([]); // nothing in the 08:00 release
    await advanceTo(edit.plus({ hours: 1 }));
    const [first] = emailsOf('morning-edit');
    expect(first?.step).toBe('first');
    expect(first?.at.toFormat('HH:mm')).toBe('08:40');
    const activity = (await (await fetch(`${system.url}/_local/carts/morning-edit/activity`)).json()) as Array<{
      actor: string;
      action: string;
      reason: string;
    }>;
    expect(activity.find((entry) => entry.actor === 'sender' && entry.action === 'returned')?.reason).toContain(
      'still shopping, nothing sent',
    );
  });
});
