/**
 * Exactly one email per cart and step, and one nudge per shopper, under faults: the real sender, send ledger,
 * SesMailer and SES v2 client, and the real SES-event handler, on DynamoDB Local, against an SES stand-in that
 * accepts, loses answers, throttles, refuses and fails, with invocations that crash between steps, deliveries
 * repeated sequentially and concurrently, and the lease's own check coming back after it runs out.
 *
 * The oracle counts what the stand-in accepted, not what the sender believes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../src/resources/tables';
import { freshTables } from '../support/dynamo';
import { type SesFault, type SesStandIn, startSesStandIn } from '../../bench/ses-stand-in';
import { type CrashPoint, SendWorld } from '../../bench/send-world';

// 15:00 in New York, the default store zone: outside quiet hours.
const T = Date.parse('2026-11-02T20:00:00Z');
const RUNS = Number(process.env.EXACTLY_ONCE_RUNS ?? 200);

const FAULTS: SesFault[] = ['accept', 'accept-lose', 'accept-5xx', '5xx', 'throttle', 'reject', 'pause'];
const CRASHES: CrashPoint[] = ['none', 'before-ses', 'after-ses', 'before-complete'];

describe('exactly one email under faults', () => {
  let documents: DynamoDBDocumentClient;
  let tables: TableNames;
  let standIn: SesStandIn;
  const clock = { now: T };

  beforeAll(async () => {
    ({ documents, names: tables } = await freshTables());
    standIn = await startSesStandIn(() => clock.now);
  });
  afterAll(() => standIn.close());

  /** Per cart: how many emails SES accepted, the ledger's record, and the sender's log of the step. */
  async function endOf(world: SendWorld, cartId: string) {
    const accepted = standIn.accepted.filter((m) => m.tags.cart === cartId && m.tags.step === 'first').length;
    const record = await world.ledger.find(cartId, 'first');
    const log = (await world.activity.history(cartId)).filter((e) => e.actor === 'sender' && e.details?.step === 'first').map((e) => e.action);
    return { accepted, record, log };
  }

  it(`sends each reminder at most once and ends every one, over ${RUNS} random fault schedules`, async () => {
    let run = 0;
    const seen = { faults: new Set<SesFault>(), crashes: new Set<CrashPoint>(), sent: 0, skipped: 0, concurrent: 0, sameShopper: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          faults: fc.array(fc.constantFrom(...FAULTS), { maxLength: 6 }),
          crashes: fc.array(fc.constantFrom(...CRASHES), { maxLength: 4 }),
          deliveries: fc.integer({ min: 1, max: 3 }),
          concurrent: fc.boolean(),
          twoCarts: fc.boolean(),
          sameShopper: fc.boolean(),
          // Within the lease: SES publishes SEND events within seconds; up to 5 minutes here.
          sendEventDelaysMs: fc.array(fc.integer({ min: 500, max: 300_000 }), { maxLength: 6 }),
          duplicateSendEvents: fc.boolean(),
        }),
        async (schedule) => {
          run++;
          const faults = [...schedule.faults];
          standIn.decide = () => {
            const fault = faults.shift() ?? 'accept';
            seen.faults.add(fault);
            return fault;
          };
          for (const crash of schedule.crashes) seen.crashes.add(crash);
          clock.now = T;
          const world = new SendWorld({
            documents,
            tables,
            standIn,
            clock,
            crashes: schedule.crashes,
            sendEventDelaysMs: schedule.sendEventDelaysMs,
            duplicateSendEvents: schedule.duplicateSendEvents,
          });
          const cartIds = schedule.twoCarts ? [`r${run}-a`, `r${run}-b`] : [`r${run}-a`];
          const emailOf = (i: number) => (schedule.sameShopper ? `shopper${run}@example.com` : `shopper${run}-${i}@example.com`);
          for (const [i, cartId] of cartIds.entries()) await world.addCart(cartId, emailOf(i));
          if (schedule.twoCarts && schedule.sameShopper) seen.sameShopper++;
          if (schedule.concurrent) seen.concurrent++;

          const deliveries = cartIds.flatMap((cartId) => Array.from({ length: schedule.deliveries }, () => ({ cartId, step: 'first' as const })));
          if (schedule.concurrent) await Promise.all(deliveries.map((request) => world.handOff(request)));
          else for (const request of deliveries) await world.handOff(request);
          await world.settle();

          let acceptedForShopper = 0;
          for (const cartId of cartIds) {
            const { accepted, record, log } = await endOf(world, cartId);
            // 0 duplicates.
            expect(accepted, `${cartId} emails`).toBeLessThanOrEqual(1);
            acceptedForShopper += accepted;
            // An end state, in the record and in the activity log.
            expect(record?.status, `${cartId} left in between`).not.toBe('claimed');
            if (accepted === 1) {
              expect(record?.status).toBe('sent');
              expect(log).toContain('sent');
              seen.sent++;
            } else {
              expect(record?.status === undefined || record.status === 'refused').toBe(true);
              expect(log).toContain('skipped');
              seen.skipped++;
            }
          }
          // One nudge per shopper: two carts of one shopper never both get an email.
          if (schedule.sameShopper) expect(acceptedForShopper).toBeLessThanOrEqual(1);
          // Nothing given up silently: nothing in the failure queue either.
          expect(world.failureQueue).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
    // The schedules really exercised every fault and crash point, and both ends.
    expect([...seen.faults].sort()).toEqual([...FAULTS].sort());
    expect([...seen.crashes].sort()).toEqual([...CRASHES].sort());
    expect(seen.sent).toBeGreaterThan(RUNS / 4);
    expect(seen.skipped).toBeGreaterThan(0);
    expect(seen.concurrent).toBeGreaterThan(0);
    expect(seen.sameShopper).toBeGreaterThan(0);
    console.log(`exactly-once: ${RUNS} schedules, ${seen.sent} sent, ${seen.skipped} skipped (every other end), 0 duplicates`);
  });

  it('gives two carts of one shopper, sent at the same instant, one email: 100 times out of 100', async () => {
    standIn.decide = () => 'accept';
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 100; round++) {
      clock.now = T;
      const world = new SendWorld({ documents, tables, standIn, clock });
      const email = `pair${round}@example.com`;
      const cartIds = [`pair${round}-a`, `pair${round}-b`];
      for (const cartId of cartIds) await world.addCart(cartId, email);
      await Promise.all(cartIds.map((cartId) => world.handOff({ cartId, step: 'first' })));

      const emails = standIn.accepted.filter((m) => m.to === email);
      expect(emails, `round ${round}`).toHaveLength(1);
      const outcome = world.results.map((r) => (r.outcome === 'skipped' ? `skipped:${r.reason}` : r.outcome)).sort().join(' + ');
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ 'sent + skipped:do_not_disturb': 100 });
  });
});
