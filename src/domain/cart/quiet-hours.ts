import { DateTime, IANAZone } from 'luxon';

/**
 * Quiet hours: a daily local-time window ("21:00" to "08:00") in which no reminder is sent.
 *
 * Everything here works on the shopper's wall clock, because "don't email at 3am" is about what the clock on the
 * shopper's wall says. The window is half-open: `start` is the first quiet minute and `end` the first allowed one.
 * On DST nights the wall clock skips or repeats an hour, so the end of the window is located by searching the zone's
 * real offsets rather than by adding hours to a start time.
 */

/** A quiet window as the rules doc writes it: "HH:MM" 24-hour local times. */
export interface QuietWindow {
  readonly start: string;
  readonly end: string;
}

/** Raised for a quiet window or time zone that cannot be read: configuration errors, never shopper data. */
export class QuietHoursError extends Error {
  override readonly name = 'QuietHoursError';
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;
/** A wall-clock time can be pushed past the window by a DST gap at most this many times in a row (paranoia bound). */
const MAX_HOPS = 4;

/** Minutes after local midnight for "HH:MM" ("21:00" -> 1260); throws {@link QuietHoursError} on anything else. */
export function parseClock(text: string): number {
  const match = CLOCK.exec(text.trim());
  if (!match) throw new QuietHoursError(`"${text}" is not a 24-hour time like "21:00"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** An IANA zone's shape: `America/Chicago`, `UTC`, `Etc/GMT+5`; never an offset. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * True when `zone` names an IANA time zone this runtime knows ("America/Chicago"). An offset ("+05:00") is not one:
 * Node 22's Intl (Lambda's runtime) accepts offsets as zones, but an offset has no daylight-saving rules, so it is
 * refused here on every Node alike.
 */
export function isValidTimeZone(zone: string | undefined): zone is string {
  const name = zone?.trim();
  return name !== undefined && IANA_NAME.test(name) && IANAZone.isValidZone(name);
}

/**
 * The zone whose clock decides quiet hours: the shopper's when the storefront gave a valid IANA zone, otherwise the
 * store's. An unreadable shopper zone is shopper data, so it falls back quietly instead of failing the send.
 */
export function localTimeZone(cartZone: string | undefined, storeZone: string): string {
  return isValidTimeZone(cartZone) ? cartZone.trim() : storeZone;
}

/**
 * When a reminder may go out, given quiet hours.
 *
 * @returns `undefined` when `now` is outside the quiet window (send now); otherwise the first allowed minute after
 * the window ends, as a UTC `Date`. `start == end` means there are no quiet hours.
 *
 * DST: the end is the first instant after `now` whose local wall clock reads `end`. On a spring-forward night an
 * `end` inside the skipped hour becomes the first minute that exists after it (02:30 -> 03:00). On a fall-back
 * night a repeated hour never shortens the window: the deferral is to the next real `end`, and a wall-clock time
 * inside the window is quiet on both of its passes. Only when the clock change itself moves the wall clock out of
 * the window does the deferral end there (window 01:30-02:00 at 01:45 on a fall-back night: 02:00 daylight time
 * never comes, the clock goes back to 01:00 standard time, which is not quiet).
 *
 * @throws {@link QuietHoursError} when the window or zone cannot be read.
 */
export function quietHoursDeferral(now: Date, timeZone: string, quiet: QuietWindow): Date | undefined {
  const window = readWindow(quiet);
  if (window.start === window.end) return undefined;
  const zone = readZone(timeZone);
  let at = now.getTime();
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (!isQuietAt(at, zone, window)) return hop === 0 ? undefined : new Date(at);
    // A DST gap can land the end's replacement minute back inside the window (e.g. window 02:45-02:30); hop again.
    const end = windowEndAfter(at, zone, window);
    at = clockChangeOutOfWindow(at, end, zone, window) ?? end;
  }
  throw new QuietHoursError(`could not leave quiet hours ${quiet.start}-${quiet.end} in ${timeZone}`);
}

/** True when the wall clock in `timeZone` at `at` is inside the quiet window. */
export function isQuietTime(at: Date, timeZone: string, quiet: QuietWindow): boolean {
  const window = readWindow(quiet);
  return window.start !== window.end && isQuietAt(at.getTime(), readZone(timeZone), window);
}

interface MinuteWindow {
  readonly start: number;
  readonly end: number;
}

function readWindow(quiet: QuietWindow): MinuteWindow {
  return { start: parseClock(quiet.start), end: parseClock(quiet.end) };
}

function readZone(timeZone: string): IANAZone {
  if (!isValidTimeZone(timeZone)) throw new QuietHoursError(`"${timeZone}" is not an IANA time zone`);
  return IANAZone.create(timeZone.trim());
}

function crossesMidnight(window: MinuteWindow): boolean {
  return window.start > window.end;
}

function isInside(minuteOfDay: number, window: MinuteWindow): boolean {
  if (window.start === window.end) return false;
  return crossesMidnight(window)
    ? minuteOfDay >= window.start || minuteOfDay < window.end
    : minuteOfDay >= window.start && minuteOfDay < window.end;
}

function localAt(at: number, zone: IANAZone): DateTime {
  return DateTime.fromMillis(at, { zone });
}

function isQuietAt(at: number, zone: IANAZone, window: MinuteWindow): boolean {
  const local = localAt(at, zone);
  return isInside(local.hour * 60 + local.minute, window);
}

/** The instant the current quiet window ends, for an `at` that is inside it. */
function windowEndAfter(at: number, zone: IANAZone, window: MinuteWindow): number {
  const local = localAt(at, zone);
  const minuteOfDay = local.hour * 60 + local.minute;
  // Late evening of a midnight-crossing window ends tomorrow; every other quiet minute ends today.
  const endsTomorrow = crossesMidnight(window) && minuteOfDay >= window.start;
  const wallEnd =
    Date.UTC(local.year, local.month - 1, local.day) + (endsTomorrow ? DAY_MS : 0) + window.end * MINUTE_MS;
  const end = firstInstantAtWallTime(wallEnd, zone, at);
  // Cannot happen for a real zone; guarding keeps a zone-data surprise from ever producing a send in the past.
  if (end <= at)
    throw new QuietHoursError(
      `quiet window end ${new Date(end).toISOString()} is not after ${new Date(at).toISOString()}`,
    );
  return end;
}

/**
 * The instant of a clock change between `at` and `end` when it takes the wall clock out of the window, if any. A
 * window is shorter than a day, so at most one change falls inside it; changes happen on whole minutes.
 */
function clockChangeOutOfWindow(at: number, end: number, zone: IANAZone, window: MinuteWindow): number | undefined {
  const offsetBefore = zone.offset(at);
  if (zone.offset(end) === offsetBefore) return undefined;
  // Binary search over whole minutes for the first one on the new offset.
  let low = Math.floor(at / MINUTE_MS);
  let high = Math.floor(end / MINUTE_MS);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle * MINUTE_MS) === offsetBefore) low = middle;
    else high = middle;
  }
  const change = high * MINUTE_MS;
  return change > at && !isQuietAt(change, zone, window) ? change : undefined;
}

/**
 * The first instant after `after` whose local wall clock reads `wallTime` (wall time encoded as if it were UTC),
 * or, when the zone skips that wall time, the first instant after the skip.
 */
function firstInstantAtWallTime(wallTime: number, zone: IANAZone, after: number): number {
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((shift) => zone.offset(wallTime + shift)));
  const candidates = [...offsets]
    .map((offset) => wallTime - offset * MINUTE_MS)
    .filter((instant) => zone.offset(instant) * MINUTE_MS === wallTime - instant && instant > after)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  return firstInstantAfterGap(wallTime, zone, Math.min(...offsets), Math.max(...offsets));
}

/**
 * Binary search, in whole minutes, for the transition that skips `wallTime`: the first instant whose wall clock is
 * past it.
 */
function firstInstantAfterGap(wallTime: number, zone: IANAZone, minOffset: number, maxOffset: number): number {
  const wallOf = (instant: number): number => instant + zone.offset(instant) * MINUTE_MS;
  let low = wallTime - maxOffset * MINUTE_MS; // wall clock here is before wallTime
  let high = wallTime - minOffset * MINUTE_MS; // wall clock here is after wallTime
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / MINUTE_MS / 2) * MINUTE_MS;
    if (wallOf(middle) >= wallTime) high = middle;
    else low = middle;
  }
  return high;
}
