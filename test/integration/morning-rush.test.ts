/**
 * The 8 am rush, scaled down for the suite (`npm run bench` plays 2,000 at 14 a second): reminders held overnight,
 * released against an SES stand-in that throttles above its rate. Every one goes out once, none is lost or failed,
 * and the release finishes within 1.5 times the rate's own lower bound.
 */
import { describe, expect, it } from 'vitest';
import { playMorningRush } from '../../bench/rush';
import { freshTables } from '../support/dynamo';

describe('the morning rush', () => {
  it('sends 140 held reminders at 1 a second: all once, none lost, within 1.5x the lower bound', async () => {
    const { documents, names } = await freshTables();
    const result = await playMorningRush({ documents, tables: names, reminders: 140, ratePerSecond: 1 });
    expect(result.sent).toBe(140);
    expect(result.duplicates).toBe(0);
    expect(result.failureQueue).toBe(0);
    expect(result.maxPerSecond).toBeLessThanOrEqual(1);
    expect(result.throttled).toBeGreaterThan(0); // the stand-in really pushed back
    expect(result.doneAfterMs).toBeLessThanOrEqual(1.5 * result.lowerBoundMs);
  });
});
