/**
 * The operator's plain-words views (`npm run carts`): a cart's story from its row and activity log, and what each
 * piece of failed work was. Pure: the CLI gathers the records, these say what they mean.
 */
import { DateTime } from 'luxon';
import type { CartRow } from '../cart/cart';
import { formatMoney } from '../cart/money';
import type { ActivityEntry } from '../cart/activity';
import type { FailedWork } from './failed-work';

const STATUS_WORDS: Record<CartRow['status'], string> = {
  open: 'still being chased',
  checked_out: 'bought',
  given_up: 'given up (no more reminders)',
  stopped: 'stopped',
};

const WHO: Record<ActivityEntry['actor'], string> = {
  intake: 'The storefront',
  waiter: 'The waiter',
  sender: 'The sender',
  owner: 'The owner',
  shopper: 'The shopper',
};

/** A time in the store's zone, to the minute: "Mon 2 Nov 15:00". */
function when(at: Date | string, zone: string): string {
  return DateTime.fromJSDate(typeof at === 'string' ? new Date(at) : at, { zone }).toFormat('ccc d LLL yyyy HH:mm');
}

/**
 * A cart's story: what it holds and where its chase stands, then every decision in time order with its reason.
 * @param zone the store's time zone, for the times shown
 */
export function renderCartStory(
  cartId: string,
  cart: CartRow | undefined,
  entries: readonly ActivityEntry[],
  zone: string,
): string {
  const lines: string[] = [];
  if (cart) {
    const items = cart.items.map((item) => `${item.quantity} x ${item.title}`).join(', ') || 'no items';
    const address = cart.email ? `address ${cart.email}` : 'no address given, so no reminder can be sent';
    lines.push(
      `Cart ${cartId}: ${statusWords(cart)}${cart.stopReason ? ` (${cart.stopReason})` : ''}.`,
      `  ${items}; ${formatMoney(cart.total)}; ${address}.`,
      `  First seen ${when(cart.firstSeenAt, zone)}, ` +
        `last changed ${when(cart.lastChangedAt, zone)}; ${remindersLine(cart)}.`,
      ...(cart.status === 'open' && cart.wakeUpAt ? [`  Next look at it: ${when(cart.wakeUpAt, zone)}.`] : []),
    );
  } else {
    lines.push(`Cart ${cartId}: no row (never seen, or expired after the retention period).`);
  }
  if (entries.length === 0) {
    lines.push('', 'Nothing has been decided about it yet.');
    return lines.join('\n');
  }
  lines.push('', `What happened (times in ${zone}):`);
  const ordered = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const entry of ordered) {
    const step = typeof entry.details?.step === 'string' ? ` (${entry.details.step} reminder)` : '';
    lines.push(
      `  ${when(entry.at, zone)}  ${WHO[entry.actor]}: ${entry.action.replace(/_/g, ' ')}${step}. ${entry.reason}`,
    );
  }
  return lines.join('\n');
}

const TARGET_WORDS: Record<string, string> = {
  waiter: 'the waiter',
  sender: 'the sender',
  importer: 'the nightly import',
  'ses-events': 'the SES feedback function',
  'cart-counter': 'the cart counter',
  summary: 'the monthly summary',
  'rules-loader': 'the rules loader',
};

/** One failed piece of work in a sentence: what it was for, how often it failed, why, and what replay does. */
export function describeFailedWork(work: FailedWork, zone: string): string {
  const cartId = typeof work.payload.cartId === 'string' ? work.payload.cartId : undefined;
  const who = TARGET_WORDS[work.target] ?? `the ${work.target} function`;
  let what: string;
  if (work.target === 'sender' && cartId)
    what = `the ${String(work.payload.step ?? '')} reminder of cart ${cartId}`.replace('the  reminder', 'a reminder');
  else if (work.target === 'waiter' && cartId) what = `wake-up #${String(work.payload.seq ?? '?')} of cart ${cartId}`;
  else if (work.target === 'importer') what = 'a run of the nightly export import';
  else if (work.target === 'cart-counter' && typeof work.payload.startSequenceNumber === 'string')
    what =
      `a batch of ${String(work.payload.batchSize ?? '?')} cart-table changes (stream ` +
      `shard ${String(work.payload.shardId ?? '?')}, from ${work.payload.startSequenceNumber} ` +
      `to ${String(work.payload.endSequenceNumber ?? '?')}; replayed by hand, see docs/operations.md)`;
  else what = `an event (${JSON.stringify(work.payload).slice(0, 120)})`;
  const times = work.attempts === 1 ? 'once' : `${work.attempts} times`;
  return (
    `${work.id}: ${who} failed ${times} on ${what}, ` +
    `due ${when(work.at, zone)}${work.error ? `; last error: ${work.error}` : ''}.`
  );
}

/** The whole queue, or a line saying it is empty. */
export function renderFailures(failures: readonly FailedWork[], zone: string): string {
  if (failures.length === 0) return 'The failure queue is empty: nothing was lost.';
  return [
    `${failures.length} piece${failures.length === 1 ? '' : 's'} of work failed after every retry (times in ${zone}):`,
    ...failures.map((work) => `  ${describeFailedWork(work, zone)}`),
    '',
    'Fix the cause first (docs/operations.md, "Failed invocations"), then: ' +
      'npm run carts -- replay <id>, or replay all.',
    'Replay is safe: the waiter and the sender check the cart again and never send a reminder twice.',
  ].join('\n');
}

/**
 * The status in words. An open cart whose first reminder was not sent is not "still being chased": it gets no
 * follow-up (a follow-up is never a shopper's only email), and the waiter gives it up at its next look.
 */
function statusWords(cart: CartRow): string {
  const first = cart.firstOutcome;
  // A skip for the owner's stop is undone when the stop is lifted (the first reminder goes again), so not that one.
  const ownerStop = first?.reason === 'owner_stopped_cart' || first?.reason === 'owner_stopped_shopper';
  if (
    cart.status === 'open' &&
    cart.remindersSent === 1 &&
    first?.outcome === 'skipped' &&
    !ownerStop &&
    first.handOffAt === cart.lastReminderAt
  ) {
    return (
      `no longer chased: its first reminder was not sent (${first.reason.replace(/_/g, ' ')}), so it gets no ` +
      `follow-up; given up at the waiter's next look`
    );
  }
  return STATUS_WORDS[cart.status];
}

/**
 * What reached the shopper (SES accepted it: `firstSentAt` / `secondSentAt`), and what became of each hand-off that did
 * not (skipped, sent to the owner in test mode, given back because the shopper changed the cart, or still held), so the
 * story never counts a hand-off as an email.
 */
function remindersLine(cart: CartRow): string {
  const sent = [cart.firstSentAt, cart.secondSentAt].filter((at) => at !== undefined).length;
  const notes: string[] = [];
  let settled = sent;
  for (const step of ['first', 'second'] as const) {
    if ((step === 'first' ? cart.firstSentAt : cart.secondSentAt) !== undefined) continue;
    const outcome = step === 'first' ? cart.firstOutcome : cart.secondOutcome;
    if (outcome === undefined) continue;
    if (outcome.outcome === 'test_sent') {
      settled += 1;
      notes.push(`the ${step} went to the owner in test mode`);
    } else if (outcome.outcome === 'skipped') {
      settled += 1;
      notes.push(`the ${step} was not sent (${outcome.reason.replace(/_/g, ' ')})`);
    } else if (outcome.handOffAt === cart.lastReminderAt) {
      settled += 1;
      notes.push(
        `the ${step} was given back unsent: the shopper changed the cart after it was handed on, ` +
          `so it waits from the change`,
      );
    }
  }
  const pending = cart.remindersSent - settled;
  if (pending > 0) notes.push(`${pending} more handed to the sender but not sent (see below)`);
  return `${sent} of at most 2 reminders sent${notes.map((note) => `; ${note}`).join('')}`;
}
