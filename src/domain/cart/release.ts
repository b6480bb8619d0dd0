import { DateTime } from 'luxon';

/**
 * The morning release: reminders held by quiet hours all fall due when the window ends (08:00), and a throttled send
 * must come back some time. Each takes the next place in a queue for its release instant and is paced at the rate the
 * account can really take, so 2,000 or 200,000 held reminders drain as fast as SES and Lambda allow and no faster.
 *
 * Pure: the place comes from an atomic counter (a port), the account's limits from another; this module turns a
 * place into a time, and says when a release no longer fits the morning.
 */

/** What the account can send, as the sender sees it when it places a reminder. */
export interface SendCapacity {
  /** SES's `MaxSendRate`: messages a second (a new production account: 14). */
  readonly sesMaxSendRate: number;
  /** SES's `Max24HourSend` (a new production account: 50,000). */
  readonly sesMax24HourSend: number;
  /** Sender invocations that can run at once: the function's reserved concurrency, else the account's unreserved. */
  readonly senderConcurrency: number;
  /** How long one sender invocation takes (Bedrock, then SES): each holds one unit of concurrency that long. */
  readonly senderSecondsPerSend: number;
  /** Where the figures came from, for the log ("SES GetAccount and Lambda GetAccountSettings", "configured"). */
  readonly source: string;
}

/**
 * The account's limits as `npm run doctor -- --aws` read them (SES GetAccount; Lambda GetAccountSettings or the
 * sender's reserved concurrency) and stored them for the sender. The sender's role holds no `*` permission, and
 * neither call can be scoped to a resource, so the operator's credentials read them.
 */
export interface AccountLimits {
  readonly sesMaxSendRate: number;
  readonly sesMax24HourSend: number;
  readonly senderConcurrency: number;
  /** `reserved`: the sender's own reservation; `unreserved`: the account's pool, shared with the other functions. */
  readonly concurrencyFrom: 'reserved' | 'unreserved';
  /**
   * How long the deployed sender really takes: the 90th percentile of its CloudWatch `Duration` over the last 7 days,
   * in seconds. Absent before it has sent anything; the deployment's stated `senderSecondsPerSend` stands in then.
   */
  readonly senderSecondsPerSend?: number;
  /** ISO time of the reading. */
  readonly readAt: string;
}

/**
 * A brand-new production account: 14 emails a second, 50,000 a day, 10 concurrent Lambda invocations. Used while the
 * account cannot be read (the release slows, it never stops) and by the local system's stand-in account.
 */
export const NEW_ACCOUNT_CAPACITY = { sesMaxSendRate: 14, sesMax24HourSend: 50_000, senderConcurrency: 10 } as const;

/**
 * The share of the account's rate the release plans for. Below 1 so that other sends (a second reminder falling due,
 * a retry, the owner's emails) and Scheduler firing anywhere in its minute still fit; high enough that a release
 * drains within 1.2x of the rate's own bound (1 / 0.9 = 1.11).
 */
export const RELEASE_SAFETY_MARGIN = 0.9;

/** The pace a release is planned at, and which limit set it. */
export interface ReleaseRate {
  /** Reminders a second, after the safety margin; never below one a minute. */
  readonly perSecond: number;
  readonly limitedBy: 'ses_rate' | 'sender_concurrency';
}

/**
 * The release's pace: the lower of SES's send rate and what the sender's concurrency can carry (concurrency ÷ seconds
 * per send), times {@link RELEASE_SAFETY_MARGIN}. Nonsense figures (zero, negative, not finite) count as the
 * smallest sensible account, one a second, so a broken reading slows the release instead of stopping it.
 */
export function releaseRate(capacity: SendCapacity): ReleaseRate {
  const ses = positive(capacity.sesMaxSendRate, 1);
  const lambda = positive(capacity.senderConcurrency, 1) / positive(capacity.senderSecondsPerSend, 1);
  const limitedBy = lambda < ses ? 'sender_concurrency' : 'ses_rate';
  return { perSecond: Math.max(Math.min(ses, lambda) * RELEASE_SAFETY_MARGIN, 1 / 60), limitedBy };
}

/**
 * When the reminder in `place` (1 for the first taken) of a release goes out: whole seconds after the release
 * instant, at most `ceil(perSecond)` in any second, so no second ever asks SES for more than its rate allows.
 */
export function releaseSlotAt(releaseAt: Date, place: number, rate: Pick<ReleaseRate, 'perSecond'>): Date {
  const index = Math.max(0, Math.floor(place) - 1);
  return new Date(releaseAt.getTime() + Math.floor(index / rate.perSecond) * 1000);
}

/** The last instant of a morning a release may run to: local noon on the release's own day. */
export function releaseDeadline(releaseAt: Date, timeZone: string): Date {
  const local = DateTime.fromJSDate(releaseAt, { zone: timeZone });
  const noon = local.set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
  // A release that starts after noon (quiet hours ending in the afternoon) has until the end of that day.
  return (noon > local ? noon : local.endOf('day')).toJSDate();
}

/** Why a reminder's place does not fit the morning, or undefined when it fits. */
export type ReleaseOverflow =
  | { readonly kind: 'past_noon'; readonly detail: string }
  | { readonly kind: 'over_daily_quota'; readonly detail: string };

/**
 * Whether a place in a release fits the morning: its time is before {@link releaseDeadline}, and the release's
 * reminders up to it are within SES's 24-hour quota. A reminder that does not fit is still sent (late beats lost);
 * the overflow is what the owner and the operator must hear about.
 */
export function releaseOverflow(input: {
  readonly releaseAt: Date;
  readonly place: number;
  readonly at: Date;
  readonly timeZone: string;
  readonly capacity: SendCapacity;
  readonly rate: ReleaseRate;
}): ReleaseOverflow | undefined {
  const { releaseAt, place, at, timeZone, capacity, rate } = input;
  const quota = positive(capacity.sesMax24HourSend, Number.POSITIVE_INFINITY);
  if (place > quota) {
    return {
      kind: 'over_daily_quota',
      detail:
        `this morning's release has ${place} reminders, more than SES's 24-hour quota of ${quota}: ask AWS for ` +
        `a higher sending quota`,
    };
  }
  const deadline = releaseDeadline(releaseAt, timeZone);
  if (at.getTime() > deadline.getTime()) {
    const local = DateTime.fromJSDate(at, { zone: timeZone }).toFormat('HH:mm');
    return {
      kind: 'past_noon',
      detail:
        `place ${place} of this morning's release goes out at ${local} local, past noon, ` +
        `at ${rate.perSecond.toFixed(1)} a second ` +
        `(limited by ${rate.limitedBy === 'ses_rate' ? "SES's send rate" : "the sender's Lambda concurrency"}): ask ` +
        `AWS for a higher ${rate.limitedBy === 'ses_rate' ? 'SES sending rate' : 'Lambda concurrency'}`,
    };
  }
  return undefined;
}

/**
 * How long a release of `reminders` takes at `rate`, and when it ends: for the doctor and the bench, which plan a
 * whole morning at once.
 */
export function releasePlan(
  reminders: number,
  releaseAt: Date,
  rate: ReleaseRate,
): { readonly seconds: number; readonly endsAt: Date } {
  const endsAt = reminders <= 0 ? releaseAt : releaseSlotAt(releaseAt, reminders, rate);
  return { seconds: (endsAt.getTime() - releaseAt.getTime()) / 1000, endsAt };
}

/**
 * The queue a throttled send joins when it was not part of a morning release: the next whole minute, so throttles
 * within one minute share one paced queue instead of each picking its own second.
 */
export function throttleQueueAt(now: Date): Date {
  return new Date(Math.ceil((now.getTime() + 1) / 60_000) * 60_000);
}

function positive(value: number, fallback: number): number {
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
