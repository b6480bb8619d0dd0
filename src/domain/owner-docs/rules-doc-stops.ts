/**
 * The rules doc's stop lines ("Stop cart <id> — reason", "Stop shopper <email> — reason", "Pause all reminders"),
 * and the lines meant as a stop that are not one.
 */
import * as z from 'zod';
import { type DocLine, type DocProblem, type KnownName, NameMatcher, parseYesNo, quote, wordsOf } from './doc-text';
import type { OwnerStop } from './rules';

const DEFAULT_STOP_REASON = 'stopped by the owner';
const DEFAULT_PAUSE_REASON = 'paused by the owner';

export interface Stops {
  pause: OwnerStop | undefined;
  carts: OwnerStop[];
  emails: OwnerStop[];
}

// Stop lines: "Stop cart <id> — reason", "Stop shopper <email> — reason", "Pause all reminders — reason".
const STOP_CART = /^stop\s+(?:the\s+)?cart\b(?:\s+id\b)?(.*)$/i;
const STOP_SHOPPER = /^stop\s+(?:the\s+)?(?:shopper|customer|emailing|email\s+address|email|address)\b(.*)$/i;
const PAUSE = /^(?:pause|stop\s+all|stop\s+everything)\b(.*)$/i;
const STOP_ANYTHING_ELSE = /^stop\s+\S/i;
const LEADING_SEPARATORS = /^[\s—–\-:;,|]+/;

/** Reads a stop or pause line into `stops`. Returns false when the line is not a stop line at all. */
export function readStopLine(line: DocLine, stops: Stops, problems: DocProblem[], warnings: DocProblem[]): boolean {
  // A table row "Stop cart | 8f2k1 | reason" reads like "Stop cart 8f2k1 — reason".
  const [verb, target, ...notes] = line.cells ?? [];
  const text = verb === undefined || target === undefined ? line.text : [`${verb} ${target}`, ...notes].join(' — ');
  const problem = (message: string): true => {
    problems.push({ line: line.number, text: line.raw, message });
    return true;
  };

  const cart = STOP_CART.exec(text);
  if (cart) {
    const { target, reason } = splitTarget(cart[1] ?? '');
    if (target === '')
      return problem(
        `Stop cart on line ${line.number} has no cart id; write it like "Stop cart 8f2k1 — customer phoned"`,
      );
    if (target.includes('@')) {
      return problem(
        `Stop cart on line ${line.number} names ${quote(target)}, which looks like an email; to stop a shopper write ` +
          `"Stop shopper ${target}"`,
      );
    }
    addStop(stops.carts, { target, reason: reason || DEFAULT_STOP_REASON, line: line.number }, line, 'cart', warnings);
    return true;
  }

  const shopper = STOP_SHOPPER.exec(text);
  if (shopper) {
    const { target, reason } = splitTarget(shopper[1] ?? '');
    const email = target.replace(/^<|>$/g, '').toLowerCase();
    if (email === '')
      return problem(
        `Stop shopper on line ${line.number} has no email; write it like "Stop shopper jane@example.com — ` +
          `asked not to be emailed"`,
      );
    if (!z.email().safeParse(email).success) {
      return problem(
        `Stop shopper on line ${line.number}: ${quote(target)} is not an email address; write it like jane@example.com`,
      );
    }
    addStop(
      stops.emails,
      { target: email, reason: reason || DEFAULT_STOP_REASON, line: line.number },
      line,
      'shopper',
      warnings,
    );
    return true;
  }

  const pause = PAUSE.exec(text);
  if (pause) {
    const rest = (pause[1] ?? '').replace(
      /^\s*(?:all\s+)?(?:the\s+)?(?:cart\s+)?(?:reminders?|emails?|everything|sending)?\b/i,
      '',
    );
    const reason = cleanReason(rest);
    const answer = parseYesNo(reason);
    // "Pause all reminders: no" is a switch set to off, not a pause with the reason "no".
    if (answer === false) return true;
    const stop = {
      target: '',
      reason: answer === true || reason === '' ? DEFAULT_PAUSE_REASON : reason,
      line: line.number,
    };
    if (stops.pause !== undefined) {
      warnings.push({
        line: line.number,
        text: line.raw,
        message:
          `reminders are already paused on line ${stops.pause.line ?? '?'}; ` +
          `the pause on line ${line.number} adds nothing`,
      });
    } else {
      stops.pause = stop;
    }
    return true;
  }

  if (STOP_ANYTHING_ELSE.test(text)) {
    const mistyped = mistypedStop(text);
    if (mistyped !== undefined) {
      return problem(
        `line ${line.number} looks like a stop but is not one; did you mean "${mistyped.display}"? Write ` +
          `"${mistyped.corrected}"`,
      );
    }
    return problem(
      `line ${line.number} starts with "Stop" but is not a stop this doc knows; write "Stop cart <cart id> — ` +
        `reason", "Stop shopper <email> — reason" or "Pause all reminders — reason"`,
    );
  }
  return false;
}

function splitTarget(rest: string): { target: string; reason: string } {
  const trimmed = rest.replace(/^[\s:]+/, '');
  // "Stop cart — customer phoned": the reason starts straight away, so there is no target.
  if (/^[—–\-|;,]/.test(trimmed)) return { target: '', reason: cleanReason(trimmed) };
  const target = /^\S*/.exec(trimmed)?.[0] ?? '';
  return {
    target: target.replace(/^#|^["'`]|[.,;:]$|["'`]$/g, ''),
    reason: cleanReason(trimmed.slice(target.length)),
  };
}

function cleanReason(rest: string): string {
  const reason = rest.replace(LEADING_SEPARATORS, '').trim();
  const unwrapped = /^\((.*)\)$/.exec(reason)?.[1] ?? reason;
  return unwrapped.trim();
}

function addStop(list: OwnerStop[], stop: OwnerStop, line: DocLine, kind: string, warnings: DocProblem[]): void {
  const earlier = list.find((existing) => existing.target === stop.target);
  if (earlier !== undefined) {
    warnings.push({
      line: line.number,
      text: line.raw,
      message:
        `${kind} ${stop.target} is already stopped on line ${earlier.line ?? '?'}; ` +
        `line ${line.number} adds nothing`,
    });
    return;
  }
  list.push(stop);
}

type StopKind = 'cart' | 'shopper' | 'pause';

/** The ways a stop line may start, for suggestions when one is mistyped ("Stopp cart", "Puase all reminders"). */
export const STOP_NAMES: readonly KnownName<StopKind>[] = [
  { id: 'cart', display: 'Stop cart', aliases: ['stop the cart', 'stop cart id'] },
  {
    id: 'shopper',
    display: 'Stop shopper',
    aliases: ['stop customer', 'stop email', 'stop emailing', 'stop email address', 'stop address'],
  },
  {
    id: 'pause',
    display: 'Pause all reminders',
    aliases: [
      'pause',
      'pause reminders',
      'pause all',
      'pause everything',
      'pause emails',
      'pause all emails',
      'stop all reminders',
      'stop everything',
      'stop all',
    ],
  },
];
const STOP_MATCHER = new NameMatcher(STOP_NAMES);
/** What may follow a pause: nothing, a reason after a separator, or yes/no. */
const PAUSE_TAIL = /^(?:$|[—–\-:;(|]|(?:yes|no|on|off)\.?$)/i;

/**
 * True when `text` (starting with a stop's name) reads as a whole stop of that kind: a cart id with a digit, "-" or
 * "_" in it, an email with its "@", or a pause followed by nothing but a reason or yes/no. Stricter than the stop
 * reader itself, because it decides whether a line that is not a stop was meant as one: "our top cart item" is not.
 */
function isWholeStop(kind: StopKind, text: string): boolean {
  if (kind === 'pause') {
    const rest = (PAUSE.exec(text)?.[1] ?? '').replace(
      /^\s*(?:all\s+)?(?:the\s+)?(?:cart\s+)?(?:reminders?|emails?|everything|sending)?\b/i,
      '',
    );
    return PAUSE_TAIL.test(rest.trim());
  }
  const found = (kind === 'cart' ? STOP_CART : STOP_SHOPPER).exec(text);
  const target = found === null ? '' : splitTarget(found[1] ?? '').target;
  return kind === 'cart' ? /[\d_-]/.test(target) : target.includes('@');
}

/**
 * A mistyped stop at the start of the line ("Stopp cart 8f2k1", "Puase all reminders: yes"): the suggestion, with
 * the line as it should be written. Undefined when no start of the line is a slip away from a stop.
 */
function mistypedStop(text: string): { display: string; corrected: string } | undefined {
  const words = wordsOf(text);
  for (let count = Math.min(4, words.length); count >= 1; count--) {
    const end = words[count - 1]?.end ?? 0;
    // "reminders:" keeps its colon in what follows, so the suggestion reads as the owner wrote it.
    const name = text.slice(0, end).replace(/[:;,.—–-]+$/, '');
    const match = STOP_MATCHER.match(name);
    if (match.kind !== 'close') continue;
    const corrected = `${match.known.display}${text.slice(name.length)}`;
    if (isWholeStop(match.known.id, corrected)) return { display: match.known.display, corrected };
  }
  return undefined;
}

/**
 * A line meant as a stop that is not one: a mistyped stop word ("Stopp cart 8f2k1") or a stop after a few other
 * words ("Please stop cart 8f2k1"). Returns the problem, or undefined for prose. Prose that merely mentions a stop
 * ("A line that starts with Stop cart, then the cart id, ...") is left alone: a stop needs its target, and a pause
 * nothing but a reason after it.
 */
export function stopLookalike(line: DocLine): string | undefined {
  if (line.cells !== undefined) return undefined;
  const text = line.text;
  const mistyped = mistypedStop(text);
  if (mistyped !== undefined) {
    return (
      `line ${line.number} looks like a stop but is not one; did you mean "${mistyped.display}"? Write ` +
      `"${mistyped.corrected}"`
    );
  }
  // A stop (or a slip away from one) after up to three other words: "Please stop cart 8f2k1", "Owner: Pause all".
  for (const word of wordsOf(text).slice(1, 4)) {
    const before = text.slice(0, word.start).trim();
    const from = text.slice(word.start);
    const kind = STOP_KINDS.find((candidate) => STOP_START[candidate].test(from) && isWholeStop(candidate, from));
    const meant =
      kind !== undefined ? `${from.charAt(0).toUpperCase()}${from.slice(1)}` : mistypedStop(from)?.corrected;
    if (meant !== undefined) {
      return (
        `line ${line.number} has a stop after other words (${quote(before)}), so it is not in force; a stop ` +
        `must start its line: write "${meant}"`
      );
    }
  }
  return undefined;
}

const STOP_KINDS: readonly StopKind[] = ['cart', 'shopper', 'pause'];
const STOP_START: Readonly<Record<StopKind, RegExp>> = { cart: STOP_CART, shopper: STOP_SHOPPER, pause: PAUSE };
