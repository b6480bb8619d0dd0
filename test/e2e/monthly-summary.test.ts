import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbOwnerDocsStore } from '../../src/adapters/aws/dynamodb-owner-docs-store';
import { scanMonthRecords } from '../../src/adapters/aws/dynamodb-records';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { listOutbox, OutboxMailer } from '../../src/adapters/local/outbox-mailer';
import { StoredOwnerDocs } from '../../src/use-cases/stored-owner-docs';
import { type LocalSystem } from '../../src/local/system';
import { recountMonth, sendMonthlySummary } from '../../src/use-cases/monthly-summary';
import { silentLog } from '../../src/ports/log';
import { postCartEvent, startTestSystem } from '../support/local-system';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A small deterministic PRNG (mulberry32), so the simulated month is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Action = { at: number; kind: 'change' | 'checkout' | 'unsubscribe'; cart: number; step?: number };

describe('the monthly summary', () => {
  let system: LocalSystem;
  const monthStart = Date.parse('2026-11-01T04:00:00Z'); // midnight in New York

  beforeAll(async () => {
    system = await startTestSystem('e2e-month-', { realNow: () => monthStart });
  });
  afterAll(() => system.stop());

  it('matches a full recount of a simulated month exactly, and renders it for the owner', async () => {
    const rand = random(20261101);
    const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles'];
    const carts = Array.from({ length: 48 }, (_, i) => ({
      id: `m-${i}`,
      email: rand() < 0.6 ? `shopper${Math.floor(rand() * 30)}@example.com` : undefined,
      zone: zones[i % 3],
      total: rand() < 0.5 ? '120.00' : '35.00',
    }));
    const actions: Action[] = [];
    for (const [index] of carts.entries()) {
      let at = monthStart + Math.floor(rand() * 26 * DAY);
      const changes = 1 + Math.floor(rand() * 6);
      for (let step = 0; step < changes; step++) {
        actions.push({ at, kind: 'change', cart: index, step });
        at += Math.floor(rand() * 40 * MINUTE) + MINUTE;
      }
      const fate = rand();
      if (fate < 0.3) actions.push({ at: at + Math.floor(rand() * 3 * DAY), kind: 'checkout', cart: index });
      else if (fate < 0.4) actions.push({ at: at + Math.floor(rand() * 2 * DAY), kind: 'unsubscribe', cart: index });
    }
    actions.sort((a, b) => a.at - b.at);

    const post = (payload: object) => postCartEvent(system, payload);
    for (const action of actions) {
      await system.advance(Math.max(0, action.at - system.clock.now().getTime()));
      const cart = carts[action.cart];
      if (!cart) continue;
      const timestamp = system.clock.now().toISOString();
      if (action.kind === 'change') {
        const quantity = (action.step ?? 0) + 1;
        await post({
          type: 'cart.updated',
          timestamp,
          data: {
            id: cart.id,
            ...(cart.email ? { email: cart.email } : {}),
            items: [{ title: 'Linen shirt', quantity, unitPrice: cart.total }],
            total: (Number(cart.total) * quantity).toFixed(2),
            currency: 'USD',
            returnUrl: `https://shop.example.com/cart/${cart.id}`,
            timeZone: cart.zone,
          },
        });
      } else if (action.kind === 'checkout') {
        await post({ type: 'cart.checked_out', timestamp, data: { id: cart.id, total: cart.total, currency: 'USD' } });
      } else {
        // The shopper presses the mail client's one-click unsubscribe on the reminder they got, if any.
        const reminder = listOutbox(system.outboxDir).find((e) => e.tags.cart === cart.id);
        const link = /^<(http[^>]+)>/.exec(reminder?.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '')?.[1];
        if (link) await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      }
    }
    // Let every chase run out (follow-ups, quiet-hours deferrals, give-ups) well into the next month.
    await system.advance(Date.parse('2026-12-10T12:00:00Z') - system.clock.now().getTime());

    const ownerDocs = new StoredOwnerDocs(new DynamoDbOwnerDocsStore(system.documents, system.tables.sends), system.clock, 0);
    const rules = await ownerDocs.current();
    const stats = new DynamoDbStats(system.documents, system.tables.sends, async () => rules.store.timeZone);
    const records = await scanMonthRecords(system.documents, system.tables);
    for (const month of ['2026-11', '2026-12']) {
      expect(await stats.month(month), month).toEqual(recountMonth(month, records, rules));
    }
    // The month was lively enough to exercise every counter the summary prints.
    const november = await stats.month('2026-11');
    expect(november.cartsSeen).toBe(48);
    expect(november.remindersFirst).toBeGreaterThan(5);
    expect(november.recovered).toBeGreaterThan(0);
    expect(november.optOuts).toBeGreaterThan(0);
    expect(november.deferredQuietHours).toBeGreaterThan(0);
    expect(november.skipped.do_not_disturb ?? 0).toBeGreaterThan(0);

    const { messageId } = await sendMonthlySummary(
      {},
      {
        stats,
        rules: ownerDocs,
        mailer: new OutboxMailer(system.outboxDir, system.clock),
        clock: { now: () => new Date('2026-12-01T13:00:00Z') },
        log: silentLog,
        owner: { email: 'owner@shop.example', from: 'reminders@shop.example' },
      },
    );
    const summary = listOutbox(system.outboxDir).find((e) => e.messageId === messageId);
    expect(summary?.subject).toBe(`Your cart reminders in November 2026: ${november.recovered} carts recovered`);
    expect(summary?.text).toContain('48 carts were left behind at Linen & Larch');
    expect(summary?.text).toContain('A cart counts as recovered when it is checked out after at least one reminder and within 7 days of the last reminder.');
  });
});
