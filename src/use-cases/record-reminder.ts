import { attributionCounts } from '../domain/reporting/attribution';
import type { Rules } from '../domain/owner-docs/rules';
import type { CartStore, ReminderFact } from '../ports/cart-store';
import type { Stats } from '../ports/stats';

/** What {@link recordReminderFact} needs. */
export interface RecordReminderDeps {
  readonly carts: Pick<CartStore, 'recordReminder'>;
  readonly stats: Pick<Stats, 'add'>;
}

/**
 * Writes what happened to a reminder on its cart row (once) and counts what that write made true: a checkout that
 * landed before the send was recorded becomes recovered now, and a hold-back group joined is counted. A repeat (the
 * sender retried, SES's SEND event after the answer) finds the fact on the row and counts nothing.
 */
export async function recordReminderFact(cartId: string, fact: ReminderFact, rules: Pick<Rules, 'giveUpAfterMinutes'>, deps: RecordReminderDeps): Promise<void> {
  const written = await deps.carts.recordReminder(cartId, fact);
  if (!written) return;
  for (const { at, increments } of attributionCounts(written.before, written.after, rules)) await deps.stats.add(at, ...increments);
}
