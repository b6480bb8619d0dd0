/**
 * Test mode end to end on the local system (issue 16): a week of carts with "Test mode: on" in the rules doc. Every
 * reminder goes to the owner, marked as a test and naming the shopper it would have gone to; nothing reaches a
 * shopper; every other rule holds as for real (two reminders at most, quiet hours, the owner's stop, checkout ends the
 * chase, every send and skip logged); a test uses up none of the shopper's do-not-disturb window (issue 20), so going
 * live is not blocked by the tests; the monthly summary counts the tests apart.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbOwnerDocsStore } from '../../src/adapters/aws/dynamodb-owner-docs-store';
import { scanMonthRecords } from '../../src/adapters/aws/dynamodb-records';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { listOutbox, OutboxMailer } from '../../src/adapters/local/outbox-mailer';
import type { LocalSystem } from '../../src/local/system';
import { silentLog } from '../../src/ports/log';
import { recountMonth, sendMonthlySummary } from '../../src/use-cases/monthly-summary';
import { StoredOwnerDocs } from '../../src/use-cases/stored-owner-docs';
import { postCartEvent, startTestSystem } from '../support/local-system';

const OWNER = 'owner@shop.example';
const ZONE = 'America/New_York';

/** The example rules doc (New York store, quiet hours 9pm to 8am, do not disturb 3 days) in test mode, with a stop. */
function testModeRules(): string {
  const example = readFileSync(new URL('../../docs/examples/rules-doc.md', import.meta.url), 'utf8');
  return `${example}\nStop cart t-3-a — test of a stop\n\n## Trying it out\nTest mode: on\n`;
}

type Kind = 'a' | 'b' | 'c' | 'd';
interface Planned {
  readonly at: number;
  readonly cartId: string;
  readonly kind: 'change' | 'checkout';
  readonly email: string;
  readonly total: string;
}

/**
 * Each day of the week (Tue 3 to Mon 9 November, New York time), four carts:
 * a: big, 10:00, never bought: two reminders; b: small, 22:30 (due in quiet hours): two reminders, held until 8:00;
 * c: big, 12:00, bought half an hour after its first reminder: one; d: the a-shopper's second cart, 10:30: two, since
 * the test reminders about cart a took nothing of the shopper's do-not-disturb window. Cart t-3-a is stopped in the
 * rules doc: none.
 */
function week(): Planned[] {
  const plan: Planned[] = [];
  for (let day = 0; day < 7; day++) {
    const date = DateTime.fromObject({ year: 2026, month: 11, day: 3 + day }, { zone: ZONE });
    const at = (hour: number, minute = 0) => date.set({ hour, minute }).toMillis();
    const shopper = (kind: Kind) => `shopper-${day}-${kind === 'd' ? 'a' : kind}@example.com`;
    const add = (kind: Kind, time: number, total: string) =>
      plan.push({ at: time, cartId: `t-${day}-${kind}`, kind: 'change', email: shopper(kind), total });
    add('a', at(10), '120.00');
    add('d', at(10, 30), '150.00');
    add('b', at(22, 30), '35.00');
    add('c', at(12), '120.00');
    plan.push({ at: at(13, 30), cartId: `t-${day}-c`, kind: 'checkout', email: shopper('c'), total: '120.00' });
  }
  return plan.sort((x, y) => x.at - y.at);
}

describe('test mode on the local system', () => {
  let system: LocalSystem;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-test-mode-'));
    const rules = join(dir, 'rules.md');
    writeFileSync(rules, testModeRules());
    system = await startTestSystem('e2e-testmode-', {
      docs: { rules, voice: new URL('../../docs/examples/voice-doc.md', import.meta.url).pathname },
    });
  });
  afterAll(() => system.stop());

  it('sends a week of reminders to the owner only, by every rule, and the summary counts them apart', async () => {
    const plan = week();
    for (const step of plan) {
      await system.advance(Math.max(0, step.at - system.clock.now().getTime()));
      const timestamp = system.clock.now().toISOString();
      if (step.kind === 'change') {
        await postCartEvent(system, {
          type: 'cart.updated',
          timestamp,
          data: {
            id: step.cartId,
            email: step.email,
            firstName: 'Sam',
            items: [{ title: 'Linen shirt', quantity: 1, unitPrice: step.total }],
            total: step.total,
            currency: 'USD',
            returnUrl: `https://shop.example.com/cart/${step.cartId}`,
          },
        });
      } else {
        await postCartEvent(system, {
          type: 'cart.checked_out',
          timestamp,
          data: { id: step.cartId, total: step.total, currency: 'USD' },
        });
      }
    }
    // Every chase runs out (second reminders, quiet-hours holds, give-ups) before the month ends.
    await system.advance(Date.parse('2026-11-25T12:00:00Z') - system.clock.now().getTime());

    const outbox = listOutbox(system.outboxDir);
    const shoppers = new Set(plan.map((step) => step.email));
    // Nothing reaches a shopper: every email of the week went to the owner.
    expect(new Set(outbox.map((email) => email.to))).toEqual(new Set([OWNER]));
    expect(outbox.filter((email) => shoppers.has(email.to))).toEqual([]);

    const reminders = outbox.filter((email) => email.tags.cart !== undefined);
    const byCart = new Map<string, typeof reminders>();
    for (const email of reminders)
      byCart.set(email.tags.cart as string, [...(byCart.get(email.tags.cart as string) ?? []), email]);
    const count = (cartId: string) => byCart.get(cartId)?.length ?? 0;
    for (let day = 0; day < 7; day++) {
      expect(count(`t-${day}-a`), `t-${day}-a`).toBe(day === 3 ? 0 : 2); // at most two; the stopped cart none
      expect(count(`t-${day}-b`), `t-${day}-b`).toBe(2);
      expect(count(`t-${day}-c`), `t-${day}-c`).toBe(1); // the checkout ended the chase
      expect(count(`t-${day}-d`), `t-${day}-d`).toBe(2); // the tests about cart a used none of the shopper's window
    }
    expect(reminders).toHaveLength(6 * 2 + 7 * 2 + 7 + 7 * 2);

    for (const email of reminders) {
      const cartId = email.tags.cart as string;
      const shopper = plan.find((step) => step.cartId === cartId)?.email ?? '';
      // Marked as a test, naming who it would have gone to; no one-click header for the owner's mail client to press.
      expect(email.subject).toMatch(/^\[Test\] /);
      expect(email.text).toContain(`This reminder would have gone to ${shopper}; it came to you instead`);
      expect(email.tags.test).toBe('yes');
      expect(email.headers.find((header) => header.name === 'List-Unsubscribe')).toBeUndefined();
      // Quiet hours are the shopper's (here the store's zone), as for real: nothing between 21:00 and 08:00.
      const hour = DateTime.fromISO(email.sentAt, { zone: ZONE }).hour;
      expect(hour >= 8 && hour < 21, `${cartId} sent at ${email.sentAt}`).toBe(true);
    }

    // Every send and every stop is logged with its reason, and says it was a test.
    const history = async (cartId: string) =>
      (await (await fetch(`${system.url}/_local/carts/${cartId}/activity`)).json()) as Array<{
        action: string;
        reason: string;
        details?: Record<string, unknown>;
      }>;
    for (const [cartId, emails] of byCart) {
      const sent = (await history(cartId)).filter((entry) => entry.action === 'sent');
      expect(sent, cartId).toHaveLength(emails.length);
      for (const entry of sent) {
        expect(entry.details).toMatchObject({ test: true, sentTo: OWNER });
        expect(entry.reason).toMatch(/test mode: sent to the owner, owner@shop\.example, instead of shopper-/);
      }
    }
    expect((await history('t-3-a')).map((entry) => entry.reason).join('\n')).toContain('test of a stop');
    expect(
      (await history('t-0-d')).some(
        (entry) => entry.action === 'skipped' && entry.details?.skipReason === 'do_not_disturb',
      ),
    ).toBe(false);
    // The shoppers' do-not-disturb windows were never touched: no nudge record for any of them.
    for (const email of shoppers) {
      const { Item } = await system.documents.send(
        new GetCommand({
          TableName: system.tables.sends,
          Key: { cartId: `#nudge#${email}`, sk: 'nudge' },
          ConsistentRead: true,
        }),
      );
      expect(Item, email).toBeUndefined();
    }

    // The summary: the week's reminders are counted apart, as tests, and match a recount from the records.
    const ownerDocs = new StoredOwnerDocs(
      new DynamoDbOwnerDocsStore(system.documents, system.tables.sends),
      system.clock,
      0,
    );
    const rules = await ownerDocs.current();
    expect(rules.testMode).toBe(true);
    const stats = new DynamoDbStats(system.documents, system.tables.sends, async () => rules.store.timeZone);
    const november = await stats.month('2026-11');
    expect(november).toMatchObject({ remindersFirst: 0, remindersSecond: 0, remindersTest: reminders.length });
    expect(november).toEqual(recountMonth('2026-11', await scanMonthRecords(system.documents, system.tables), rules));
    const { messageId } = await sendMonthlySummary(
      { month: '2026-11' },
      {
        stats,
        rules: ownerDocs,
        mailer: new OutboxMailer(system.outboxDir, system.clock),
        clock: system.clock,
        log: silentLog,
        owner: { email: OWNER, from: 'reminders@shop.example' },
      },
    );
    const summary = listOutbox(system.outboxDir).find((email) => email.messageId === messageId);
    expect(summary?.text).toMatch(
      new RegExp(`Test reminders \\(test mode, sent to you\\)\\s+${reminders.length}(\\s|$)`),
    );
    // No reminder reached a shopper: the shoppers' reminder rows read 0.
    expect(summary?.text).toMatch(/\nReminders sent\s+0(\s|$)/);
    expect(summary?.text).toMatch(/\n {2}first reminders\s+0(\s|$)/);
    expect(summary?.text).toMatch(/\n {2}second reminders\s+0(\s|$)/);
  });
});
