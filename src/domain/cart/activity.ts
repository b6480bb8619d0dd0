/** Who decided. */
export type Actor = 'intake' | 'waiter' | 'sender' | 'owner' | 'shopper';

/** One durable line of a cart's history: what happened, when, and why. */
export interface ActivityEntry {
  readonly cartId: string;
  readonly at: Date;
  readonly actor: Actor;
  /** A short verb: `still_shopping`, `first_reminder`, `give_up`, `stopped`, `checked_out`, `sent`, `skipped`, ... */
  readonly action: string;
  /** A sentence a store owner can read. */
  readonly reason: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}
