import type { CartRow, CartStatus, LastMove, ReminderOutcome, StoppedBy } from '../domain/cart/cart';
import type { ChangeFacts, CheckoutFacts } from '../domain/cart/merge';

/** A change to merge into its cart row (see `domain/cart/merge.ts`). */
export type CartChangeWrite = ChangeFacts;

/**
 * Result of merging a change: the row before (absent when the change created it) and after. `changed` is false when
 * the row already held everything the event says (a redelivery, or an older event whose fields newer ones carried).
 */
export interface CartChangeResult {
  readonly changed: boolean;
  readonly before: CartRow | undefined;
  readonly cart: CartRow;
}

/** An order to merge into its cart row: closes it, creating a closed row for a cart never seen. */
export type CheckoutWrite = CheckoutFacts;

/** Result of closing a cart; `before` is the row as it was (absent when the order was the first we heard of it). */
export type CloseResult =
  | { readonly outcome: 'closed'; readonly before: CartRow | undefined }
  | {
      readonly outcome: 'already_closed';
      /** The row as it now stands, when the write that found it closed read it (an order for a closed cart). */
      readonly current?: CartRow;
    };

/** The waiter's write: only the chase fields, and only if the row is still as the waiter read it. */
export interface WakeWrite {
  readonly expected: Pick<CartRow, 'cartId' | 'wakeSeq' | 'eventKey' | 'status'>;
  /** The row after the move (as `applyWakeDecision` computed it); only chase fields are taken from it. */
  readonly next: CartRow;
  readonly lastMove: LastMove;
}

/**
 * What the sender learnt about one reminder, to be written on the cart row once: SES accepted it (`sent`; with
 * `joinsHoldBack`, a first reminder sent while the owner's hold-back is on puts the cart in the `reminded` group), or
 * the cart was held back for the owner's comparison (`held_back`).
 */
export type ReminderFact =
  | { readonly kind: 'sent'; readonly step: 'first' | 'second'; readonly at: Date; readonly joinsHoldBack: boolean }
  | { readonly kind: 'held_back'; readonly at: Date };

/** The cart table, as the use cases need it. Every write is conditional; none is a blind read-then-write. */
export interface CartStore {
  get(cartId: string): Promise<CartRow | undefined>;
  /**
   * Merges a change into its row with conditional writes: one write when the event is the newest (the common case),
   * otherwise read-merge-write conditioned on the row's `rev`, retried on conflict.
   */
  applyChange(change: CartChangeWrite): Promise<CartChangeResult>;
  /**
   * Marks the cart bought (creating a closed row if we never saw it, so later changes fill it without reopening it).
   * `already_closed` when it was checked out before.
   */
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
  /**
   * Writes a reminder fact on the row, once: the row before and after when this call wrote it, undefined when the row
   * had it already (a retried sender, or SES's SEND event after the answer) or no longer exists.
   */
  recordReminder(cartId: string, fact: ReminderFact): Promise<{ before: CartRow; after: CartRow } | undefined>;
  /**
   * Writes the sender's verdict on the hand-off `outcome.handOffAt` of one step (returned, skipped, sent in test mode),
   * once per hand-off: only while that hand-off is the row's latest (`lastReminderAt`) and the step has no verdict on
   * it yet. False when the row moved on (a newer hand-off, a verdict already written) or no longer exists.
   */
  recordReminderOutcome(cartId: string, step: 'first' | 'second', outcome: ReminderOutcome): Promise<boolean>;
  /** Cart ids whose storefront checkout token is this one. */
  findByCheckoutToken(token: string): Promise<string[]>;
  /** Open carts of one shopper, newest change first. */
  findOpenByEmail(email: string): Promise<CartRow[]>;
  /** One shopper's carts in a given status, newest change first. */
  findByEmail(email: string, status: CartStatus): Promise<CartRow[]>;
}
