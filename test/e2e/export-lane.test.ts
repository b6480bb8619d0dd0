import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import type { LocalSystem } from '../../src/local/system';
import { cartPayload } from '../support/webhooks';
import { postCartEvent, startTestSystem } from '../support/local-system';
import { decimalOf, seedCartTotal, seedExportItems } from '../../src/local/seed-cart';

const HOUR = 3_600_000;

describe('the nightly export lane on the local system', () => {
  let system: LocalSystem;
  let csv: string;

  beforeAll(async () => {
    csv = join(mkdtempSync(join(tmpdir(), 'cr-export-')), 'carts.csv');
    // 15:00 in New York on a Monday, frozen: only advance() moves time.
    system = await startTestSystem('e2e-export-', { exportCsv: csv });
  });
  afterAll(() => system.stop());

  const post = (payload: object) => postCartEvent(system, payload);
  const sentTo = (cartId: string) => listOutbox(system.outboxDir).filter((e) => e.tags.cart === cartId);

  it(
    'imports sheet rows through the same intake: no second reminder, ' +
      'no newer data overwritten, bought carts stay bought',
    async () => {
      const t0 = system.clock.now();
      const at = (hours: number) => new Date(t0.getTime() + hours * HOUR).toISOString();
      // From the webhook: a cart already reminded, and a cart already bought.
      await post(
        cartPayload(
          { id: 'known', email: 'known@example.com', returnUrl: 'https://shop.example.com/cart/known' },
          at(0),
        ),
      );
      await post(
        cartPayload(
          { id: 'bought', email: 'bought@example.com', returnUrl: 'https://shop.example.com/cart/bought' },
          at(0),
        ),
      );
      await post({ type: 'cart.checked_out', timestamp: at(0.05), data: { id: 'bought' } });
      await system.advance(1 * HOUR);
      expect(sentTo('known')).toHaveLength(1);

      // The seed cart (src/local/seed-cart.ts), as the export writes it: what the webhook brought for both carts.
      const [seedItems, seedTotal] = [seedExportItems(), decimalOf(seedCartTotal().minor)];
      writeFileSync(
        csv,
        [
          'cart id,updated at,email,first name,items,total,return url',
          // The same cart, as the export saw it earlier (lagging) and at the webhook's own time (duplicate).
          `known,${at(-0.5)},known@example.com,Sam,Old shirt x1 @ 5.00,5.00,https://shop.example.com/cart/known`,
          `known,${at(0)},known@example.com,Sam,${seedItems},${seedTotal},https://shop.example.com/cart/known`,
          // A bought cart the export still lists as open (contradicting the checkout).
          `bought,${at(0.5)},bought@example.com,,${seedItems},${seedTotal},https://shop.example.com/cart/bought`,
          // A cart the webhook never brought.
          `only-in-sheet,${at(0.5)},sheet@example.com,Jo,Canvas tote x1 @ 20.00,20.00,` +
            'https://shop.example.com/cart/only-in-sheet',
          // A bad row: skipped and reported, the others still land.
          `broken,${at(0.5)},broken@example.com,,Tote x1 @ 20.00,"12,5",https://shop.example.com/cart/broken`,
        ].join('\n'),
      );
      const report = await system.runImport();

      expect(report.problems).toEqual([expect.stringMatching(/^row 6: .*total "12,5"/)]);
      // Applied (merged): the new cart; the lagging row, which only tells us the cart was first seen earlier; and the
      // row at the webhook's own time (a tie on time is broken by delivery id; the content is the same, and the cart's
      // one wake-up is untouched). The bought cart's row takes the sheet's data but stays closed.
      expect(report.outcomes).toEqual({ closed: 1, applied: 3 });
      expect(await (await fetch(`${system.url}/_local/carts/known`)).json()).toMatchObject({
        total: { minor: 12000 },
        remindersSent: 1,
      });
      expect(await (await fetch(`${system.url}/_local/carts/bought`)).json()).toMatchObject({ status: 'checked_out' });
      expect(
        listOutbox(system.outboxDir)
          .filter((e) => e.to === 'owner@shop.example')
          .map((e) => e.subject),
      ).toEqual(['Cart export: 1 row skipped']);

      // Re-importing the same sheet changes nothing.
      expect((await system.runImport()).outcomes).toEqual({ closed: 1, duplicate: 3 });

      await system.advance(3 * 24 * HOUR);
      expect(sentTo('known')).toHaveLength(2); // its first and its one follow-up: the import added no reminder
      expect(sentTo('bought')).toEqual([]);
      expect(sentTo('only-in-sheet').length).toBeGreaterThanOrEqual(1);
    },
  );

  it(
    "runs the import at 02:00 and the summary at 08:00 on the 1st in the store's zone, " +
      "through the deployed handlers' hourly-tick check",
    async () => {
      const nowMs = () => system.clock.now().getTime();
      const newYork = (iso: string) => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis();
      const cart = async (id: string) => (await fetch(`${system.url}/_local/carts/${id}`)).status;
      const summaries = () =>
        listOutbox(system.outboxDir).filter(
          (e) => e.to === 'owner@shop.example' && e.subject.startsWith('Your cart reminders'),
        );
      const row =
        `night-cart,${system.clock.now().toISOString()},night@example.com,Ana,Tote x1 @ 20.00,20.00,` +
        `https://shop.example.com/cart/night-cart`;
      writeFileSync(csv, ['cart id,updated at,email,first name,items,total,return url', row].join('\n'));
      const day = DateTime.fromMillis(nowMs(), { zone: 'America/New_York' }).plus({ days: 1 }).toISODate();

      await system.advance(newYork(`${day}T01:59`) - nowMs());
      expect(await cart('night-cart')).toBe(404); // not before the import's hour
      await system.advance(2 * 60_000);
      expect(await cart('night-cart')).toBe(200);

      expect(summaries()).toEqual([]);
      await system.advance(newYork('2026-12-01T07:59') - nowMs());
      expect(summaries()).toEqual([]);
      await system.advance(2 * 60_000);
      expect(summaries().map((e) => e.subject)).toEqual([expect.stringContaining('November 2026')]);
      await system.advance(newYork('2027-01-01T09:00') - nowMs());
      expect(summaries()).toHaveLength(2); // one a month, however the clock moved
    },
  );

  it('a store job an older version left without its tick (a kept data folder) only sets the next tick', async () => {
    const now = system.clock.now().toISOString();
    await system.scheduler.put({ name: 'import-legacy', target: 'importer', dueAt: now, payload: {} });
    await system.advance(1_000);
    const importerJobs = (await system.scheduler.jobs()).filter((job) => job.target === 'importer');
    expect(importerJobs.map((job) => job.name)).not.toContain('import-legacy'); // ran and gone, not dead
    expect(importerJobs.filter((job) => job.dead)).toEqual([]);
    expect(importerJobs).toHaveLength(1); // the next 02:00, as before
  });

  it('a failing import keeps its retries and the next night still comes', async () => {
    const [pending] = (await system.scheduler.jobs()).filter((job) => job.target === 'importer' && !job.dead);
    rmSync(csv);
    mkdirSync(csv); // the export "file" cannot be read: the handler throws at every attempt
    try {
      await system.advance(Date.parse(pending!.dueAt) - system.clock.now().getTime() + 60_000);
      const importerJobs = (await system.scheduler.jobs()).filter((job) => job.target === 'importer');
      const failed = importerJobs.find((job) => job.name === pending!.name);
      expect(failed?.attempts).toBeGreaterThan(0); // still there, failing, on its way to the failure queue
      const next = importerJobs.filter((job) => Date.parse(job.dueAt) > Date.parse(pending!.dueAt));
      expect(next.map((job) => Date.parse(job.dueAt) - Date.parse(pending!.dueAt))).toEqual([24 * HOUR]);
    } finally {
      rmSync(csv, { recursive: true });
    }
  });
});
