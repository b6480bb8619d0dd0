import { describe, expect, it } from 'vitest';
import { minutePrecisionThrottleShare, modelRelease, throttleUsage } from '../../bench/release-model';
import { NEW_ACCOUNT_CAPACITY } from '../../src/domain/cart/release';
import { random } from '../support/random';

/** Each minute's places fire at uniformly random seconds of it (Scheduler's precision); SES refuses what exceeds r. */
function simulatedShare(perSecond: number, sesRate: number, minutes: number): number {
  const next = random(7);
  let sent = 0;
  let throttled = 0;
  for (let minute = 0; minute < minutes; minute++) {
    const perSecondCounts = new Array<number>(60).fill(0);
    const arrivals = Math.round(perSecond * 60);
    for (let i = 0; i < arrivals; i++) perSecondCounts[Math.floor(next() * 60)]! += 1;
    for (const count of perSecondCounts) throttled += Math.max(0, count - sesRate);
    sent += arrivals;
  }
  return throttled / sent;
}

describe('the morning release in AWS (bench/release-model.ts)', () => {
  it("matches a simulation of Scheduler's 60-second precision within half a percentage point", () => {
    for (const [perSecond, sesRate] of [
      [12.6, 14],
      [9, 14],
      [45, 50],
    ] as const) {
      expect(
        Math.abs(minutePrecisionThrottleShare(perSecond, sesRate) - simulatedShare(perSecond, sesRate, 3_000)),
      ).toBeLessThan(0.005);
    }
  });

  it('is concurrency-bound on a new account (10 executions of a second: 9 a second), so SES rarely throttles', () => {
    const morning = modelRelease(2_000, { ...NEW_ACCOUNT_CAPACITY, senderSecondsPerSend: 1, source: 'test' });
    expect(morning.limitedBy).toBe('sender_concurrency');
    expect(morning.perSecond).toBeCloseTo(9, 10);
    expect(morning.minutes).toBeCloseTo(2_000 / 9 / 60, 10);
    expect(morning.throttledAttempts / morning.held).toBeLessThan(0.01);
    expect(morning.counterWrites).toBeCloseTo(2_000 + morning.throttledAttempts, 10);
  });

  it('counts each throttled attempt as a full sender run with its polish, a schedule and its writes', () => {
    const usage = throttleUsage(10, {
      senderMs: 300,
      senderLogBytes: 500,
      bedrockInputTokens: 400,
      bedrockOutputTokens: 30,
      wru: 8,
      rru: 4,
    });
    expect(usage.functions.sender).toEqual({ invocations: 10, billedMs: 3_000, coldStarts: 0, logBytes: 5_000 });
    expect(usage.scheduler).toEqual({ invocations: 10, apiCalls: 10, handOffs: 0 });
    expect(usage.bedrock).toEqual({ calls: 10, inputTokens: 4_000, outputTokens: 300 });
    expect(usage.dynamo).toEqual({ rru: 40, wru: 80, failedWriteWru: 0 });
    expect(usage.emails).toBe(0);
  });
});
