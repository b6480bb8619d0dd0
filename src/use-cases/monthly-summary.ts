import { cameBack, isRecovered } from '../domain/reporting/attribution';
import { composeSummary, monthBefore, type MonthlyCounters, monthOf, previousMonth } from '../domain/reporting/summary';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { Mailer } from '../ports/mailer';
import type { Stats } from '../ports/stats';
import { mailOwner, type OwnerContact } from './mail-owner';
import type { RulesSource } from '../ports/owner-docs';
import type { MonthRecords } from '../ports/month-records';

export interface SummaryDeps {
  readonly stats: Stats;
  readonly rules: RulesSource;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly log: Log;
  readonly owner: OwnerContact;
}

/**
 * The owner's monthly summary: one read of the month's counters (and one of the month before), one email. Run on the
 * 1st of the month (store time) for the month just ended, or for any month on request.
 */
export async function sendMonthlySummary(
  request: { month?: string },
  deps: SummaryDeps,
): Promise<{ month: string; messageId: string; counters: MonthlyCounters }> {
  const rules = await deps.rules.current();
  const month = request.month ?? previousMonth(deps.clock.now(), rules.store.timeZone);
  const counters = await deps.stats.month(month);
  // The month before, for comparison: one more read of one counter row.
  const previous = await deps.stats.month(monthBefore(month));
  const email = composeSummary({ month, counters, previous, rules });
  const messageId = await mailOwner(deps.mailer, deps.owner, email, { kind: 'monthly-summary', month });
  deps.log.info('monthly summary sent', { month, messageId });
  return { month, messageId, counters };
}

/**
 * Recounts a month from the records themselves (carts, send records, activity log, opt-outs). Slow on purpose and
 * never used for the summary: it is how the counters are checked.
 */
export function recountMonth(
  month: string,
  records: MonthRecords,
  rules: Parameters<typeof isRecovered>[1] & { store: { timeZone: string } },
): MonthlyCounters {
  const zone = rules.store.timeZone;
  const inMonth = (iso: string | Date | undefined) => iso !== undefined && monthOf(new Date(iso), zone) === month;
  const seen = records.carts.filter((cart) => cart.createdBy !== undefined && inMonth(cart.firstSeenAt));
  const sent = records.sends.filter((send) => send.status === 'sent' && inMonth(send.sentAt));
  const recovered = records.carts.filter(
    (cart) => cart.status === 'checked_out' && inMonth(cart.checkedOutAt) && isRecovered(cart, rules),
  );
  const wonBack: Record<string, number> = {};
  for (const cart of recovered) {
    const value = cart.orderTotal ?? cart.total;
    wonBack[value.currency] = (wonBack[value.currency] ?? 0) + value.minor;
  }
  const senderEntries = records.activity.filter((entry) => entry.actor === 'sender' && inMonth(entry.at));
  const skipped: Record<string, number> = {};
  for (const entry of senderEntries.filter((e) => e.action === 'skipped')) {
    const reason = String(entry.details?.skipReason ?? 'unknown');
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  }
  // Test mode's sends went to the owner: their "sent" entries say so, and they are counted apart.
  const testSends = new Set(
    senderEntries
      .filter((e) => e.action === 'sent' && e.details?.test === true)
      .map((e) => `${e.cartId}#${String(e.details?.step)}`),
  );
  const real = sent.filter((send) => !testSends.has(`${send.cartId}#${send.step}`));
  const grouped = records.carts.filter((cart) => cart.holdBack !== undefined && inMonth(cart.holdBack.at));
  const group = (name: 'held_back' | 'reminded') => grouped.filter((cart) => cart.holdBack?.group === name);
  return {
    cartsSeen: seen.length,
    cartsWithAddress: seen.filter((cart) => cart.wakeUpSetBy !== undefined).length,
    leftBehind: firstHandOffs(records.activity).filter((at) => inMonth(at)).length,
    remindersFirst: real.filter((send) => send.step === 'first').length,
    remindersSecond: real.filter((send) => send.step === 'second').length,
    remindersTest: sent.length - real.length,
    recovered: recovered.length,
    wonBack,
    optOuts: records.optOuts.filter((optOut) => inMonth(optOut.at)).length,
    deferredQuietHours: senderEntries.filter((e) => e.action === 'deferred' && e.details?.reason === 'quiet_hours')
      .length,
    releaseLate: senderEntries.filter((e) => e.action === 'deferred' && e.details?.late !== undefined).length,
    skipped,
    heldBack: group('held_back').length,
    heldBackReturned: group('held_back').filter((cart) => cameBack(cart, rules)).length,
    holdBackReminded: group('reminded').length,
    holdBackRemindedReturned: group('reminded').filter((cart) => cameBack(cart, rules)).length,
    secondCopies: senderEntries.filter((e) => e.action === 'second_copy').length,
  };
}

/**
 * When each cart's first reminder first fell due: its earliest first-reminder move. A first reminder the sender gave
 * back (the shopper changed the cart) is handed off again later, but the cart was left behind once, as the waiter
 * counts it.
 */
function firstHandOffs(
  activity: readonly { readonly cartId?: string; readonly actor: string; readonly action: string; readonly at: Date }[],
): Date[] {
  const earliest = new Map<string, Date>();
  const loose: Date[] = [];
  for (const entry of activity) {
    if (entry.actor !== 'waiter' || entry.action !== 'first_reminder') continue;
    if (entry.cartId === undefined) {
      loose.push(entry.at);
      continue;
    }
    const seen = earliest.get(entry.cartId);
    if (seen === undefined || entry.at < seen) earliest.set(entry.cartId, entry.at);
  }
  return [...earliest.values(), ...loose];
}
