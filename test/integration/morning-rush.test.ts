/**
 * The 8 am rush, scaled down for the suite (`npm run bench` plays 2,000 and 20,000 at 14 and 50 a second): reminders
 * held overnight, each placed in the morning's release at the pace the account allows, released against an SES
 * stand-in that throttles above its rate and a cap of 10 concurrent senders. Every one goes out once, none is lost or
 * failed, SES throttles at most 5% of them, and the release finishes within 1.2 times the rate's own lower bound.
 */
import { describe, expect, it } from 'vitest';
import { playMorningRush } from '../../bench/rush';
import { freshTables } from '../support/dynamo';

describe('the morning rush', () => {
  it(
    'sends 140 held reminders at 1 a second with 10 senders: all once, ' +
      'none lost, paced so SES throttles at most 5%, within 1.2x the bound',
    async () => {
      const { documents, names } = await freshTables();
      const result = await playMorningRush({
        documents,
        tables: names,
        reminders: 140,
        ratePerSecond: 1,
        concurrency: 10,
      });
      expect(result.sent).toBe(140);
      expect(result.duplicates).toBe(0);
      expect(result.failureQueue).toBe(0);
      expect(result.maxPerSecond).toBeLessThanOrEqual(1);
      expect(result.maxConcurrent).toBeLessThanOrEqual(10);
      expect(result.throttled).toBeLessThanOrEqual(0.05 * result.sent);
      expect(result.doneAfterMs).toBeLessThanOrEqual(1.2 * result.lowerBoundMs);
    },
  );

  it(
    'loses nothing when the account allows less than the sender read (limits changed since): ' +
      'throttled sends re-join the tail',
    async () => {
      const { documents, names } = await freshTables();
      const result = await playMorningRush({
        documents,
        tables: names,
        reminders: 60,
        ratePerSecond: 1,
        believedRatePerSecond: 3,
        concurrency: 10,
        prefix: 'stale',
      });
      expect(result.throttled).toBeGreaterThan(0); // the stand-in really pushed back
      expect(result.sent).toBe(60);
      expect(result.duplicates).toBe(0);
      expect(result.failureQueue).toBe(0);
      expect(result.maxPerSecond).toBeLessThanOrEqual(1);
    },
  );

  it(
    'waits for a free sender when 10 are busy: ' +
      'a 50-a-second SES account with senders of 1 s drains at 10 a second, never more at once',
    async () => {
      const { documents, names } = await freshTables();
      const result = await playMorningRush({
        documents,
        tables: names,
        reminders: 200,
        ratePerSecond: 50,
        concurrency: 10,
        invocationMs: 1_000,
        prefix: 'busy',
      });
      expect(result.sent).toBe(200);
      expect(result.duplicates).toBe(0);
      expect(result.failureQueue).toBe(0);
      expect(result.maxConcurrent).toBeLessThanOrEqual(10);
      // Paced for the concurrency (0.9 x 10 a second), not SES's 50: the senders are never the bottleneck's victims.
      expect(result.plannedPerSecond).toBeCloseTo(9, 5);
      expect(result.throttled).toBe(0);
      expect(result.doneAfterMs).toBeLessThanOrEqual(1.2 * result.lowerBoundMs);
    },
  );
});
