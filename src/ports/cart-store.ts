import type { CartRow, CartSnapshot, CartSource, CartStatus, LastMove, StoppedBy } from '../domain/cart/cart';
import type { Money } from '../domain/cart/money';

/** A change to write: the snapshot, its ordering key, and the first wake-up if the cart becomes remindable. */
export interface CartChangeWrite {
  readonly snapshot: CartSnapshot;
  readonly eventKey: string;
  readonly occurredAt: Date;
  /** Set when the snapshot carries an email: the first wake-up the row gets if it never had one. */
  readonly firstWakeUpAt?: Date;
  /** TTL, epoch seconds. */
  readonly expiresAt: number;
}

/**
 * Result of a change write.
 * - `applied`: the row now holds this snapshot (`cart` is the new row);
 * - `duplicate`: this exact event was applied before (a redelivery);
 * - `stale`: a newer event is already on the row;
 * - `closed`: the chase on this cart has ended (checked out, stopped, given up); changes no longer apply.
 */
export type CartChangeResult =
  | { readonly outcome: 'applied'; readonly cart: CartRow }
  | { readonly outcome: 'duplicate' | 'stale' | 'closed'; readonly cart: CartRow };

export interface CheckoutWrite {
  readonly cartId: string;
  readonly source: CartSource;
  readonly eventKey: string;
  readonly occurredAt: Date;
  readonly orderTotal?: Money;
  /** Why the chase ends, for the log and the row ("order placed", "order matched by email"). */
  readonly reason: string;
  readonly expiresAt: number;
  /** The store currency, for the empty total of a cart first heard of through its order. */
  readonly storeCurrency: string;
}

/** Result of closing a cart; `before` is the row as it was (absent when the order was the first we heard of it). */
export type CloseResult =
  | { readonly outcome: 'closed'; readonly before: CartRow | undefined }
  | { readonly outcome: 'already_closed' };

/** The waiter's write: only the chase fields, and only if the row is still as the waiter read it. */
export interface WakeWrite {
  readonly expected: Pick<CartRow, 'cartId' | 'wakeSeq' | 'eventKey' | 'status'>;
  /** The row after the move (as `applyWakeDecision` computed it); only chase fields are taken from it. */
  readonly next: CartRow;
  readonly lastMove: LastMove;
}

/** The cart table, as the use cases need it. Every write is a single conditional DynamoDB operation. */
export interface CartStore {
  get(cartId: string): Promise<CartRow | undefined>;
  /** Applies a change unless a newer or identical event is already on the row, or the chase has ended. */
  applyChange(change: CartChangeWrite): Promise<CartChangeResult>;
  /** Marks the cart bought (creating a closed row if we never saw it, so late changes stay ignored). */
  checkOut(write: CheckoutWrite): Promise<CloseResult>;
  /** Ends an open cart's chase with status `stopped`, a reason and who stopped it; no-op for carts no longer open. */
  stop(cartId: string, reason: string, by: StoppedBy): Promise<CloseResult>;
  /**
   * Lifts an owner's stop: a cart `stopped` by the owner is `open` again with a new wake-up at `wakeUpAt`.
   * Returns the reopened row, or undefined when the cart is not stopped by the owner (nothing to lift).
   */
  resume(cartId: string, wakeUpAt: Date): Promise<CartRow | undefined>;
  /**
   * Records a wake-up's move. False when the row changed since it was read (a cart event, a checkout or another
   * wake-up got there first); the caller re-reads and decides again.
   */
  recordWake(write: WakeWrite): Promise<boolean>;
  /** Cart ids whose storefront checkout token is this one. */
  findByCheckoutToken(token: string): Promise<string[]>;
  /** Open carts of one shopper, newest change first. */
  findOpenByEmail(email: string): Promise<CartRow[]>;
  /** One shopper's carts in a given status, newest change first. */
  findByEmail(email: string, status: CartStatus): Promise<CartRow[]>;
}
