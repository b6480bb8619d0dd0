/**
 * What becomes of a handed-off reminder that does not simply go out (issue 20), on the real waiter and sender over
 * DynamoDB Local and the SES stand-in: a skipped first reminder ends the chase (no follow-up is ever a shopper's only
 * email), a test-mode send leaves the shopper's do-not-disturb window untouched, a follow-up after a test-mode first
 * reminder is never sent to the shopper, and a request for a hand-off the sender gave back sends nothing.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCartStory } from '../../src/domain/operations/cart-story';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import type { TableNames } from '../../src/resources/tables';
import { freshTables } from '../support/dynamo';
import { RhythmWorld } from '../support/rhythm-world';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONE = 'America/New_York';
const BIG = { minor: 120_00, currency: 'USD' };
/** 10:00 New York on Tuesday 3 November 2026: clear of quiet hours. */
const TEN = DateTime.fromObject({ year: 2026, month: 11, day: 3, hour: 10 }, { zone: ZONE }).toMillis();

describe('hand-offs that do not simply go out', () => {
  let documents: DynamoDBDocumentClient;
  let tables: TableNames;
  beforeAll(async () => {
    ({ documents, names: tables } = await freshTables());
  });

  const nudgeOf = async (email: string) =>
    (
      await documents.send(
        new GetCommand({
          TableName: tables.sends,
          Key: { cartId: `#nudge#${email}`, sk: 'nudge' },
          ConsistentRead: true,
        }),
      )
    ).Item;

  it(
    'a first reminder skipped for do-not-disturb ends the chase: ' + "the shopper never gets that cart's follow-up",
    async () => {
      const world = await RhythmWorld.open(documents, tables, TEN);
      try {
        const email = 'dnd@example.com';
        world.at(TEN, () => world.change({ cartId: 'dnd-1', email, total: BIG }, 'dnd-1-e'));
        world.at(TEN + HOUR / 2, () => world.change({ cartId: 'dnd-2', email, total: BIG }, 'dnd-2-e'));
        await world.run(TEN + 30 * DAY);
        const received = world.received().filter((m) => m.to === email);
        // Cart 1: its two reminders. Cart 2: nothing, and in particular never "Last nudge" on its own.
        expect(received.map((m) => `${m.cartId}/${m.step}`)).toEqual(['dnd-1/first', 'dnd-1/second']);
        const row = await world.carts.get('dnd-2');
        expect(row).toMatchObject({ status: 'given_up', remindersSent: 1 });
        expect(row?.firstOutcome).toMatchObject({ outcome: 'skipped', reason: 'do_not_disturb' });
        const history = await world.activity.history('dnd-2');
        const giveUp = history.find((e) => e.action === 'give_up');
        // Given up at the waiter's look five minutes after the hand-off, with the reason.
        expect(giveUp?.at.getTime()).toBe(TEN + HOUR / 2 + HOUR + 5 * 60_000);
        expect(giveUp?.reason).toContain('the first reminder was not sent (do not disturb');
        expect(renderCartStory('dnd-2', row, history, ZONE)).toContain('given up');
        expect(renderCartStory('dnd-2', row, history, ZONE)).not.toContain('still being chased');
        expect(world.failures).toEqual([]);
      } finally {
        await world.close();
      }
    },
  );

  it(
    'test mode: the owner gets both, timed from the test emails; ' + "the shopper's window and counters are untouched",
    async () => {
      const world = await RhythmWorld.open(documents, tables, TEN, { ...DEFAULT_RULES, testMode: true });
      try {
        const email = 'tested@example.com';
        world.at(TEN, () => world.change({ cartId: 'test-1', email, total: BIG }, 'test-1-e'));
        await world.run(TEN + 30 * DAY);
        const toOwner = world.received().filter((m) => m.cartId === 'test-1');
        expect(toOwner.map((m) => [m.to, m.step])).toEqual([
          ['owner@store.example', 'first'],
          ['owner@store.example', 'second'],
        ]);
        expect((toOwner[1]?.at ?? 0) - (toOwner[0]?.at ?? 0)).toBeGreaterThanOrEqual(20 * HOUR);
        // Nothing of the shopper's was spent: no do-not-disturb window, no accepted-send times (recovery) on the row.
        expect(await nudgeOf(email)).toBeUndefined();
        const row = await world.carts.get('test-1');
        expect(row?.firstSentAt).toBeUndefined();
        expect(row?.firstOutcome).toMatchObject({ outcome: 'test_sent' });

        // Live now: the same shopper's next cart is reminded at once, not held back by the tests' window.
        world.rules = { ...DEFAULT_RULES };
        const later = world.now + HOUR;
        world.at(later, () => world.change({ cartId: 'test-2', email, total: BIG }, 'test-2-e'));
        await world.run(later + 2 * HOUR);
        expect(
          world
            .received()
            .filter((m) => m.to === email)
            .map((m) => `${m.cartId}/${m.step}`),
        ).toEqual(['test-2/first']);
        expect(world.failures).toEqual([]);
      } finally {
        await world.close();
      }
    },
  );

  it(
    "test mode with SES's answer lost: " + 'the SEND event settles the test send, and the follow-up is timed from it',
    async () => {
      const world = await RhythmWorld.open(documents, tables, TEN, { ...DEFAULT_RULES, testMode: true });
      try {
        const faults = ['accept-lose' as const];
        world.ses = () => faults.shift() ?? 'accept';
        world.at(TEN, () => world.change({ cartId: 'lost-1', email: 'lost@example.com', total: BIG }, 'lost-1-e'));
        await world.run(TEN + 30 * DAY);
        const toOwner = world.received().filter((m) => m.cartId === 'lost-1');
        expect(toOwner.map((m) => m.step)).toEqual(['first', 'second']);
        expect((toOwner[1]?.at ?? 0) - (toOwner[0]?.at ?? 0)).toBeGreaterThanOrEqual(20 * HOUR);
        expect((await world.carts.get('lost-1'))?.firstOutcome).toMatchObject({
          outcome: 'test_sent',
          at: new Date(toOwner[0]?.at ?? 0).toISOString(),
        });
        expect(world.failures).toEqual([]);
      } finally {
        await world.close();
      }
    },
  );

  it(
    'test mode switched off between the two: ' + 'the follow-up is not sent to a shopper who never got the first',
    async () => {
      const world = await RhythmWorld.open(documents, tables, TEN, { ...DEFAULT_RULES, testMode: true });
      try {
        const email = 'switched@example.com';
        world.at(TEN, () => world.change({ cartId: 'switch-1', email, total: BIG }, 'switch-1-e'));
        world.at(TEN + 3 * HOUR, async () => void (world.rules = { ...DEFAULT_RULES }));
        await world.run(TEN + 30 * DAY);
        expect(world.received().filter((m) => m.to === email)).toEqual([]);
        const history = await world.activity.history('switch-1');
        expect(history.find((e) => e.action === 'skipped')?.reason).toContain(
          "the first reminder went to the owner in test mode: a follow-up is never a shopper's only email",
        );
        expect((await world.carts.get('switch-1'))?.status).toBe('given_up');
        expect(world.failures).toEqual([]);
      } finally {
        await world.close();
      }
    },
  );

  it('a late copy of a reminder the sender gave back sends nothing', async () => {
    const eleven = DateTime.fromObject({ year: 2026, month: 11, day: 3, hour: 23 }, { zone: ZONE }).toMillis();
    const world = await RhythmWorld.open(documents, tables, eleven);
    try {
      const email = 'returned@example.com';
      world.at(eleven, () => world.change({ cartId: 'ret-1', email, total: BIG }, 'ret-1-e0'));
      // 07:40 the next morning, while the reminder handed off at midnight is held for 08:00.
      world.at(eleven + 8 * HOUR + 40 * 60_000, () =>
        world.change(
          { cartId: 'ret-1', email, total: BIG, items: [{ title: 'Linen shirt', quantity: 2, unitPrice: 6000 }] },
          'ret-1-e1',
        ),
      );
      await world.run(eleven + 9 * HOUR + 10 * 60_000); // 08:10: past the release and the waiter's look
      const row = await world.carts.get('ret-1');
      expect(row?.firstOutcome).toMatchObject({ outcome: 'returned', reason: 'still_shopping' });
      expect(row?.remindersSent).toBe(0); // taken back by the waiter's look: not counted
      expect(await world.sendNow({ cartId: 'ret-1', step: 'first' })).toEqual({ outcome: 'duplicate' });
      expect(world.received().filter((m) => m.to === email)).toEqual([]);
      await world.run(eleven + 30 * DAY);
      expect(
        world
          .received()
          .filter((m) => m.to === email)
          .map((m) => m.step),
      ).toEqual(['first', 'second']);
      expect(world.failures).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
