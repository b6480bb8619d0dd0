import type { ActivityEntry } from '../domain/cart/activity';

/**
 * The record of every decision about a cart (kept in cr-sends beside the send records), so the owner can see
 * exactly what happened to a cart and why. Writing the same entry twice keeps one.
 */
export interface ActivityLog {
  record(entry: ActivityEntry): Promise<void>;
  history(cartId: string): Promise<ActivityEntry[]>;
}
