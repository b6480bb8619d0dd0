import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeldBack } from '../../src/domain/cart/hold-back';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbOwnerDocsStore } from '../../src/adapters/aws/dynamodb-owner-docs-store';
import { scanMonthRecords } from '../../src/adapters/aws/dynamodb-records';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { listOutbox, OutboxMailer } from '../../src/adapters/local/outbox-mailer';
import { StoredOwnerDocs } from '../../src/use-cases/stored-owner-docs';
import type { LocalSystem } from '../../src/local/system';
import { recountMonth, sendMonthlySummary } from '../../src/use-cases/monthly-summary';
import { silentLog } from '../../src/ports/log';
import { postCartEvent, startTestSystem } from '../support/local-system';
import { random } from '../support/random';
import { seedCartData } from '../../src/local/seed-cart';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Action = { at: number; kind: 'change' | 'checkout' | 'unsubscribe'; cart: number; step?: number };

/** The stored owner docs, the rules in force and the month counters of a local system, as the summary reads them. */
async function storedDocsAndCounters(system: LocalSystem) {
  const ownerDocs = new StoredOwnerDocs(
    new DynamoDbOwnerDocsStore(system.documents, system.tables.sends),
    system.clock,
    0,
  );
  const rules = await ownerDocs.current();
  const stats = new DynamoDbStats(system.documents, system.tables.sends, async () => rules.store.timeZone);
  return { ownerDocs, rules, stats };
}

/** Sends November's summary on 1 December, 08:00 in New York, and returns the email from the outbox. */
async function novemberSummary(system: LocalSystem, stats: DynamoDbStats, ownerDocs: StoredOwnerDocs) {
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
  return listOutbox(system.outboxDir).find((e) => e.messageId === messageId);
}

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
        const link = /^<(http[^>]+)>/.exec(
          reminder?.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '',
        )?.[1];
        if (link)
          await fetch(link, {
            method: 'POST',
            body: 'List-Unsubscribe=One-Click',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          });
      }
    }
    // Let every chase run out (follow-ups, quiet-hours deferrals, give-ups) well into the next month.
    await system.advance(Date.parse('2026-12-10T12:00:00Z') - system.clock.now().getTime());

    const { ownerDocs, rules, stats } = await storedDocsAndCounters(system);
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

    const summary = await novemberSummary(system, stats, ownerDocs);
    expect(summary?.subject).toBe(`Your cart reminders in November 2026: ${november.recovered} carts recovered`);
    expect(summary?.text).toContain(
      `48 carts came in at Linen & Larch and ${november.leftBehind} were left behind ` +
        '(still not bought when the first reminder was due)',
    );
    expect(summary?.text).toContain(
      'A cart counts as recovered when it is checked out within 7 days after a reminder the email service accepted',
    );
  });
});

/**
 * The cases the summary used to overstate, played one by one through the local system, each with the count written
 * out by hand: only a checkout after a reminder that reached the shopper is recovered.
 */
describe('the monthly summary counts only what the reminders did', () => {
  let system: LocalSystem;
  let rulesPath: string;
  const HOUR = 3_600_000;
  /** 09:00 in New York on Monday 2 November 2026. */
  const START = Date.parse('2026-11-02T14:00:00Z');
  const at = (hours: number) => START + hours * HOUR;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-attribution-'));
    rulesPath = join(dir, 'rules.md');
    const example = readFileSync('docs/examples/rules-doc.md', 'utf8');
    writeFileSync(
      rulesPath,
      example.replace('Marketing consent required: no', 'Marketing consent required: yes\nHold back: 10% of carts'),
    );
    copyFileSync('docs/examples/voice-doc.md', join(dir, 'voice.md'));
    system = await startTestSystem('e2e-attrib-', {
      realNow: () => START,
      docs: { rules: rulesPath, voice: join(dir, 'voice.md') },
    });
  });
  afterAll(() => system.stop());

  it(
    'recovered and money equal the hand count for skipped, overnight, ' +
      'paused, held-back and reminded carts; counters equal the recount',
    async () => {
      // Cart ids: the held-back one is chosen by the same hash the sender uses; every other cart is one it reminds.
      const candidates = Array.from({ length: 500 }, (_, i) => `att-${i}`);
      const heldId = candidates.find((id) => isHeldBack(id, 10))!;
      const [a1, b1, b2, c1, d1, e1, e2, h1] = candidates.filter((id) => !isHeldBack(id, 10));
      const ids = { a1: a1!, b1: b1!, b2: b2!, c1: c1!, d1: d1!, e1: e1!, e2: e2!, f1: heldId, h1: h1! };

      const plan: Array<{ at: number; run: () => Promise<unknown> }> = [];
      /**
       * The seed's $120 cart (src/local/seed-cart.ts), in our format:
       * each shopper's cart unless `extra` says otherwise.
       */
      const seed = seedCartData();
      const change =
        (id: string, email: string, extra: Record<string, unknown> = {}) =>
        async () =>
          postCartEvent(system, {
            type: 'cart.updated',
            timestamp: system.clock.now().toISOString(),
            data: {
              id,
              email,
              items: seed.items,
              total: seed.total,
              currency: seed.currency,
              returnUrl: `https://shop.example.com/cart/${id}`,
              timeZone: 'America/New_York',
              ...extra,
            },
          });
      const buy =
        (id: string, total = seed.total, currency = seed.currency) =>
        async () =>
          postCartEvent(system, {
            type: 'cart.checked_out',
            timestamp: system.clock.now().toISOString(),
            data: { id, total, currency },
          });
      const setPause = (on: boolean) => async () => {
        const text = readFileSync(rulesPath, 'utf8').replace(/\nPause all reminders — stock count\n?/, '\n');
        writeFileSync(rulesPath, on ? `${text.trimEnd()}\nPause all reminders — stock count\n` : text);
        const outcome = await system.reloadDocs();
        expect(outcome.rules).toBe('updated');
      };
      // A: reminded at 10:00, bought at 12:00: recovered, $120.
      plan.push({ at: at(0), run: change(ids.a1, 'ann@example.com') }, { at: at(3), run: buy(ids.a1) });
      // B: one shopper, two carts; the second is skipped for do-not-disturb and then bought: not recovered. (The
      // purchase stops the first cart, whose reminder was sent but which was never bought.)
      plan.push(
        { at: at(0), run: change(ids.b1, 'bo@example.com') },
        { at: at(0.1), run: change(ids.b2, 'bo@example.com') },
        { at: at(2), run: buy(ids.b2) },
      );
      // C: changed at 20:30, first reminder due 21:30 inside quiet hours,
      // bought at 23:00 before the morning: not recovered.
      plan.push({ at: at(11.5), run: change(ids.c1, 'cy@example.com') }, { at: at(14), run: buy(ids.c1) });
      // D: declined marketing with consent required: skipped, then bought: not recovered.
      plan.push(
        { at: at(0), run: change(ids.d1, 'di@example.com', { marketingConsent: false }) },
        { at: at(3), run: buy(ids.d1) },
      );
      // E: the owner pauses on Tuesday 09:30. e1's reminder falls due in the pause and it is bought during it: not
      // recovered. e2's is held until the pause ends at 15:00, then goes out as the first reminder; bought at 17:00:
      // recovered, $120.
      plan.push(
        { at: at(24), run: change(ids.e1, 'eve@example.com') },
        { at: at(24.2), run: change(ids.e2, 'eli@example.com') },
        { at: at(24.5), run: setPause(true) },
        { at: at(26), run: buy(ids.e1) },
        { at: at(30), run: setPause(false) },
        { at: at(32), run: buy(ids.e2) },
      );
      // F: held back for the comparison (no reminder), bought at 13:00: not recovered; held back 1, came back 1.
      plan.push({ at: at(48), run: change(ids.f1, 'fay@example.com') }, { at: at(52), run: buy(ids.f1) });
      // H: a cart in euros (small: 4 h wait), reminded at 13:00 on Thursday,
      // bought at 15:00 for €80: recovered, €80.
      plan.push(
        {
          at: at(72),
          run: change(ids.h1, 'hal@example.com', {
            items: [{ title: 'Candle', quantity: 1, unitPrice: '80.00' }],
            total: '80.00',
            currency: 'EUR',
          }),
        },
        { at: at(78), run: buy(ids.h1, '80.00', 'EUR') },
      );

      plan.sort((x, y) => x.at - y.at);
      for (const step of plan) {
        await system.advance(Math.max(0, step.at - system.clock.now().getTime()));
        await step.run();
      }
      await system.advance(Date.parse('2026-12-01T12:00:00Z') - system.clock.now().getTime());

      const { ownerDocs, rules, stats } = await storedDocsAndCounters(system);
      const november = await stats.month('2026-11');
      // The hand count.
      expect(november).toMatchObject({
        cartsSeen: 9,
        // Unbought when the first reminder fell due: everyone but e1, which was bought while its reminder was held.
        leftBehind: 8,
        remindersFirst: 4, // a1, b1, e2, h1
        remindersSecond: 0,
        recovered: 3, // a1, e2, h1
        wonBack: { USD: 24_000, EUR: 8_000 },
        deferredQuietHours: 1, // c1
        skipped: { do_not_disturb: 1, checked_out: 1, no_consent: 1, held_back: 1 },
        heldBack: 1,
        heldBackReturned: 1,
        holdBackReminded: 4,
        holdBackRemindedReturned: 3,
      });
      const records = await scanMonthRecords(system.documents, system.tables);
      expect(november).toEqual(recountMonth('2026-11', records, rules));

      // e2's reminder was held, not spent: it went out as the first reminder, after the pause.
      const activity = new DynamoDbActivityLog(system.documents, system.tables.sends, 90);
      const e2History = await activity.history(ids.e2);
      expect(
        e2History.some(
          (entry) => entry.actor === 'waiter' && /held because the owner paused reminders/.test(entry.reason),
        ),
      ).toBe(true);
      const e2Sent = e2History.filter((entry) => entry.action === 'sent');
      expect(e2Sent.map((entry) => [entry.details?.step, entry.at.getTime() >= at(30)])).toEqual([['first', true]]);
      expect((await system.carts.get(ids.e1))?.remindersSent).toBe(0);

      const summary = await novemberSummary(system, stats, ownerDocs);
      expect(summary?.subject).toBe('Your cart reminders in November 2026: 3 carts recovered');
      expect(summary?.text).toContain(
        '3 carts were bought within 7 days of a reminder the shopper got, bringing in $240.00 and €80.00.',
      );
      expect(summary?.text).toContain(
        '1 cart was held back (no reminder) this month: too few to tell what the reminders added.',
      );
    },
  );
});
