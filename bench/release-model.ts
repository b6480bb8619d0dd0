/**
 * The morning release at sizes the bench does not play (100x), and what a release costs beyond the reminders it
 * sends: pure arithmetic on the sender's own pacing (src/domain/cart/release.ts) and the published limits.
 *
 * In AWS each place is a one-off schedule, and EventBridge Scheduler fires it anywhere within its minute (60-second
 * precision). A minute's places therefore reach SES at random seconds of that minute: the count in one second is
 * Poisson with the pace as its mean, and whatever exceeds SES's rate in a second is throttled and re-joins the tail.
 */
import { releaseRate, type SendCapacity } from '../src/domain/cart/release';
import type { FunctionUsage, MonthUsage } from './bill';

/** Expected share of sends SES throttles when `perSecond` arrive at random within each minute against `sesRate`. */
export function minutePrecisionThrottleShare(perSecond: number, sesRate: number): number {
  if (perSecond <= 0) return 0;
  // E[(X - r)+] for X ~ Poisson(λ), summed until the tail is negligible.
  let probability = Math.exp(-perSecond);
  let excess = 0;
  for (let k = 0; k < perSecond * 10 + 100; k++) {
    if (k > sesRate) excess += (k - sesRate) * probability;
    probability *= perSecond / (k + 1);
  }
  return excess / perSecond;
}

/** Everything a morning of `held` reminders costs beyond sending them once, and how long it takes, in AWS. */
export interface ReleaseModel {
  readonly held: number;
  readonly perSecond: number;
  readonly limitedBy: string;
  /** From the window's end to the last place. */
  readonly minutes: number;
  /** Expected throttled attempts over the whole release (each throttle re-joins the tail and may meet another). */
  readonly throttledAttempts: number;
  /** Release counter writes: one per held reminder, one per throttled attempt, all on one item. */
  readonly counterWrites: number;
  /** Peak writes a second on the release's one counter item (DynamoDB allows 1,000 a second per item). */
  readonly counterWritesPerSecondAtRelease: number;
  /** CreateSchedule calls a second while the morning's reminders are held (spread over the evening and night). */
  readonly schedulesPerSecond: number;
}

/**
 * A morning in AWS: `held` reminders placed over `holdingHours` of evening and night, released at the sender's pace.
 * The repeated throttles form a geometric series: s + s² + ... = s / (1 - s) extra attempts per reminder.
 */
export function modelRelease(held: number, capacity: SendCapacity, holdingHours = 11): ReleaseModel {
  const rate = releaseRate(capacity);
  const share = minutePrecisionThrottleShare(rate.perSecond, capacity.sesMaxSendRate);
  const throttledAttempts = share >= 1 ? Number.POSITIVE_INFINITY : (held * share) / (1 - share);
  return {
    held,
    perSecond: rate.perSecond,
    limitedBy: rate.limitedBy,
    minutes: held / rate.perSecond / 60,
    throttledAttempts,
    counterWrites: held + throttledAttempts,
    counterWritesPerSecondAtRelease: rate.perSecond * share,
    schedulesPerSecond: held / (holdingHours * 3600),
  };
}

/** What one throttled attempt costs: a full sender run (the polish comes before SES), a schedule, and its writes. */
export interface ThrottleCost {
  readonly senderMs: number;
  readonly senderLogBytes: number;
  readonly bedrockInputTokens: number;
  readonly bedrockOutputTokens: number;
  /** Claim (with the shopper's window), release, activity entry and the counter: write units per attempt. */
  readonly wru: number;
  readonly rru: number;
}

/** The month's extra usage from throttled attempts, to add to a scaled bill. */
export function throttleUsage(attempts: number, cost: ThrottleCost): MonthUsage {
  const sender: FunctionUsage = {
    invocations: attempts,
    billedMs: attempts * cost.senderMs,
    coldStarts: 0,
    logBytes: attempts * cost.senderLogBytes,
  };
  return {
    carts: 0,
    functions: { sender },
    dynamo: { rru: attempts * cost.rru, wru: attempts * cost.wru, failedWriteWru: 0 },
    kmsTableKeyWindows: 0,
    scheduler: { invocations: attempts, apiCalls: attempts, handOffs: 0 },
    emails: 0,
    bedrock: {
      calls: attempts,
      inputTokens: attempts * cost.bedrockInputTokens,
      outputTokens: attempts * cost.bedrockOutputTokens,
    },
    googleReads: 0,
    storageBytes: 0,
  };
}
