/**
 * The bench and cost scripts' measuring parts on tiny inputs: the shape of what they return and the invariants
 * they report (Scheduler calls flat as carts get more changes, the meter counting at the boundaries, the bill's
 * arithmetic). No timing is asserted: speed is the bench's business, not a test's.
 */
import { describe, expect, inject, it } from 'vitest';
import { ASSUMPTIONS, monthlyBill, totals, type BillContext, type MonthUsage } from '../../bench/bill';
import { dummyEnv, envSchemaFor, lambdaEntries, measureColdStarts } from '../../bench/cold-start';
import { startMetered } from '../../bench/harness';
import { measureGrowth, measureIntake, measureIntakeAfterSweep } from '../../bench/measure';
import { monthDeliveries, STANDARD_MONTH } from '../../bench/month';
import { costOf, PRICES } from '../../bench/prices';
import { renderBenchTable } from '../../bench/report';
import { runsPerMonth } from '../../bench/stack-facts';
import { cartUpdated, signedDelivery } from '../../bench/webhook-events';

const endpoint = () => inject('dynamoEndpoint');
const prefix = () => `b${Math.random().toString(36).slice(2, 8)}-`;

describe('bench measurements (tiny inputs)', () => {
  it(
    'measures intake against the raw write at each concurrency, ' + 'with the same number of events on both sides',
    async () => {
      const rows = await measureIntake({
        dynamoEndpoint: endpoint(),
        events: 36,
        concurrency: [2, 4],
        tablePrefix: prefix(),
      });
      expect(rows.map((row) => row.concurrency)).toEqual([2, 4]);
      for (const row of rows) {
        expect(row.intake.events).toBe(36);
        expect(row.raw.events).toBe(36);
        for (const stats of [row.intake, row.raw]) {
          expect(stats.perSecond).toBeGreaterThan(0);
          expect(stats.p99Ms).toBeGreaterThanOrEqual(stats.p50Ms);
        }
        expect(row.ratio).toBeCloseTo(row.intake.perSecond / row.raw.perSecond, 10);
        // At least the one unavoidable write per event.
        expect(row.dynamoRequestsPerEvent).toBeGreaterThanOrEqual(1);
        // 45% of the six-change carts give an email once: one wake-up for each, never one per change.
        expect(row.schedulerCallsPerEvent).toBeGreaterThan(0);
        expect(row.schedulerCallsPerEvent).toBeLessThan(1 / 6 + 1e-9);
      }
    },
  );

  it(
    'measures valid deliveries before and after the intake sweep on one warm intake, ' + 'checking every sweep answer',
    async () => {
      const row = await measureIntakeAfterSweep({
        dynamoEndpoint: endpoint(),
        events: 24,
        concurrency: 4,
        sweeps: 1,
        limit: 400,
        tablePrefix: prefix(),
      });
      expect(row.before.events).toBe(48);
      expect(row.after.events).toBe(48);
      expect(row.ratio).toBeCloseTo(row.after.perSecond / row.before.perSecond, 10);
      expect(row.sweepRequests).toBe(400);
      expect(row.answeredWrongly).toBe(0);
      expect(row.serverErrors).toBe(0);
      const text = renderBenchTable({ intake: [], coldStarts: [], growth: [], afterSweep: row });
      expect(text).toContain('Intake after the sweep, concurrency 4');
      expect(text).toContain('400 sweep requests between: 0 answered wrongly, 0 5xx');
    },
  );

  it('prices every recurring schedule form the stack uses, the hourly store-job tick included', () => {
    expect(runsPerMonth('rate(5 minutes)')).toBe(8_640);
    expect(runsPerMonth('cron(0 * * * ? *)')).toBe(720);
    expect(runsPerMonth('cron(0 2 * * ? *)')).toBe(30);
    expect(runsPerMonth('cron(0 8 1 * ? *)')).toBe(1);
    expect(runsPerMonth('cron(0 8 ? * MON *)')).toBeUndefined();
  });

  it('keeps Scheduler calls flat per cart while changes grow, and DynamoDB writes growing with them', async () => {
    const rows = await measureGrowth({
      dynamoEndpoint: endpoint(),
      sizes: [1, 3, 6],
      cartsPerSize: 2,
      tablePrefix: prefix(),
    });
    expect(rows.map((row) => row.changes)).toEqual([1, 3, 6]);
    for (const row of rows) {
      expect(row.carts).toBe(2);
      expect(row.intake.schedulerCalls).toBe(1);
      expect(row.intake.schedulerInvocations).toBe(0);
      expect(row.intake.emails).toBe(0);
      // The chase: both reminders go out, and the Scheduler work does not depend on how often the cart changed.
      expect(row.wholeChase.emails).toBe(2);
    }
    const [one, three, six] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    expect(three.wholeChase.schedulerCalls).toBe(six.wholeChase.schedulerCalls);
    expect(three.wholeChase.schedulerInvocations).toBe(six.wholeChase.schedulerInvocations);
    // A cart that changed after its first wake-up was set gets at most one "still shopping" wake-up more.
    expect(three.wholeChase.schedulerCalls - one.wholeChase.schedulerCalls).toBeLessThanOrEqual(1);
    expect(three.intake.wru).toBeGreaterThan(one.intake.wru);
    expect(six.intake.wru).toBeGreaterThan(three.intake.wru);
    expect(six.intake.dynamoRequests).toBeCloseTo(three.intake.dynamoRequests + 3, 10);

    const text = renderBenchTable({ intake: [], coldStarts: [], growth: rows });
    expect(text.split('\n')).toHaveLength(2 + rows.length);
    expect(text).toContain('Scheduler calls 1 ');
  });

  it('bundles an entry, loads it in a fresh process next to an empty module', async () => {
    const rows = await measureColdStarts({ runs: 1, names: ['waiter'] });
    expect(rows.map((row) => row.name)).toEqual(['(empty module)', 'waiter']);
    const [empty, waiter] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(empty.bundleBytes).toBe(0);
    expect(waiter.bundleBytes).toBeGreaterThan(10_000);
    for (const row of rows) {
      expect(row.requireMs).toBeGreaterThan(0);
      expect(row.readyMs).toBeGreaterThanOrEqual(row.requireMs);
    }
  });

  it('finds every Lambda entry and a dummy environment its schema accepts', () => {
    const names = lambdaEntries().map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(['intake', 'waiter', 'sender', 'unsubscribe']));
    expect(names.filter((name) => name.endsWith('-handler'))).toEqual([]);
    for (const name of names) expect(() => dummyEnv(envSchemaFor(name))).not.toThrow();
  });
});

describe('the meter in the local system', () => {
  it('counts the intake invocation, its DynamoDB units, the wake-up and the log line at the boundaries', async () => {
    const at = Date.parse('2026-11-02T15:00:00Z');
    const metered = await startMetered({
      dynamoEndpoint: endpoint(),
      tablePrefix: prefix(),
      frozenMs: at,
      docs: 'memory',
    });
    try {
      const body = {
        id: 'meter-1',
        email: 'sam@example.com',
        items: [{ title: 'Soy candle', quantity: 1, unitPrice: '20.00' }],
        total: '20.00',
        currency: 'USD' as const,
        returnUrl: 'https://shop.example.com/cart/meter-1',
      };
      const result = await metered.intake(signedDelivery(cartUpdated(at, body), 'msg_meter_1'));
      expect(result.statusCode).toBe(200);
      const counts = metered.meter.snapshot();
      expect(counts.invocations.map((i) => i.fn)).toEqual(['intake']);
      expect(counts.invocations[0]!.atMs).toBe(at);
      expect(counts.scheduler.wakeUpsCreated).toBe(1);
      const carts = counts.dynamo[metered.system.tables.carts]!;
      expect(carts.writeRequests).toBe(1);
      // A new small row with an email: the base table write and the byEmail GSI write.
      expect(carts.wru).toBe(2);
      expect(counts.logs.intake?.lines).toBe(1);
      expect(counts.logs.intake?.bytes).toBeGreaterThan(100);
    } finally {
      await metered.stop();
    }
  });
});

describe("the cost run's inputs and arithmetic", () => {
  it('builds the standard month exactly: carts, changes, emails and checkouts', () => {
    const { deliveries, summary } = monthDeliveries(STANDARD_MONTH);
    expect(summary).toMatchObject({ carts: 3_000, changes: 18_000, withEmail: 1_350, checkouts: 900 });
    expect(deliveries.filter((d) => d.kind === 'change')).toHaveLength(18_000);
    expect(deliveries.filter((d) => d.kind === 'checkout')).toHaveLength(900);
    expect(Object.values(summary.byZone)).toEqual([1_000, 1_000, 1_000]);
    expect(deliveries.every((d, i) => i === 0 || d.at >= deliveries[i - 1]!.at)).toBe(true);
  });

  it(
    'prices every line from the one price list, ' +
      'applies free tiers per price, scales usage but not fixed resources',
    () => {
      const usage: MonthUsage = {
        carts: 10,
        functions: {
          intake: { invocations: 60, billedMs: 300, coldStarts: 2, logBytes: 6_000 },
          sender: { invocations: 5, billedMs: 100, coldStarts: 1, logBytes: 0 },
        },
        dynamo: { rru: 100, wru: 200, failedWriteWru: 1 },
        kmsTableKeyWindows: 12,
        scheduler: { invocations: 15, apiCalls: 20, handOffs: 5 },
        emails: 5,
        bedrock: { calls: 5, inputTokens: 1_000, outputTokens: 150 },
        googleReads: 0,
        storageBytes: 1_000_000,
      };
      // A recurring job: the same every month, whatever the volume.
      const fixed: MonthUsage = {
        carts: 0,
        functions: { 'rules-loader': { invocations: 100, billedMs: 500, coldStarts: 1, logBytes: 0 } },
        dynamo: { rru: 300, wru: 0, failedWriteWru: 0 },
        kmsTableKeyWindows: 5,
        scheduler: { invocations: 100, apiCalls: 0, handOffs: 0 },
        emails: 0,
        bedrock: { calls: 0, inputTokens: 0, outputTokens: 0 },
        googleReads: 200,
        storageBytes: 0,
      };
      const context: BillContext = {
        memoryMb: { intake: 256, sender: 256 },
        initMs: { intake: 100, sender: 120 },
        secretReadsPerColdStart: { intake: 1, sender: 1 },
        secretParameters: ['CR_WEBHOOK_SECRET_PARAM', 'CR_UNSUBSCRIBE_KEY_PARAM'],
        alarms: 9,
        logRetentionDays: 30,
        pitr: true,
        kmsTables: 3,
      };
      const one = monthlyBill(usage, context, 1);
      const ten = monthlyBill(usage, context, 10);
      const line = (lines: typeof one, price: string, item?: string) =>
        lines.find((l) => l.price === price && (!item || l.item === item))!;
      expect(line(one, 'sesEmails').withoutFreeTier).toBeCloseTo(costOf('sesEmails', 5, false), 12);
      expect(line(one, 'bedrockInput').withoutFreeTier).toBeCloseTo(1_000 * (PRICES.bedrockInput.usd / 1e6), 12);
      expect(line(one, 'dynamoWrite').quantity).toBe(201);
      expect(line(one, 'kmsRequests').quantity).toBe(3 + 12);
      expect(line(one, 'lambdaRequests').quantity).toBe(65);
      expect(line(one, 'lambdaRequests').withFreeTier).toBe(0);
      expect(line(one, 'cloudWatchAlarm').withoutFreeTier).toBeCloseTo(0.9, 12);
      expect(line(one, 'cloudWatchAlarm').withFreeTier).toBe(0);
      expect(line(ten, 'cloudWatchAlarm').quantity).toBe(9);
      expect(line(ten, 'sesEmails').quantity).toBe(50);
      const tenWithJobs = monthlyBill(usage, context, 10, fixed);
      expect(line(tenWithJobs, 'schedulerInvocations').quantity).toBe(150 + 100);
      expect(line(tenWithJobs, 'dynamoRead').quantity).toBe(1_000 + 300);
      expect(line(tenWithJobs, 'lambdaRequests').quantity).toBe(650 + 100);
      expect(line(tenWithJobs, 'sesEmails').quantity).toBe(50);
      // Log bytes: the handlers' own plus the platform's lines per invocation.
      expect(line(one, 'logsIngestion').quantity * 1024 ** 3).toBeCloseTo(
        6_000 + 65 * ASSUMPTIONS.platformLogBytesPerInvocation,
        6,
      );
      const t = totals(one);
      expect(t.withoutFreeTier).toBeGreaterThan(t.withFreeTier);
      expect(one.every((l) => l.withFreeTier <= l.withoutFreeTier + 1e-12)).toBe(true);
    },
  );
});
