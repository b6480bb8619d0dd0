import type { AccountLimits, SendCapacity } from '../domain/cart/release';

/**
 * The morning's queue: one atomic counter per release instant. Each reminder held until that instant (and each
 * throttled send that joins it) takes the next place; the place, paced at the account's rate, is its time.
 */
export interface ReleaseQueue {
  /** The next place (1, 2, 3, ...) in the release at `releaseAt`; never the same place twice. */
  take(releaseAt: Date): Promise<number>;
  /** How many places the release at `releaseAt` has handed out so far (0 when none): for the doctor. */
  size(releaseAt: Date): Promise<number>;
}

/**
 * What the account can send: SES's rate and quota, the sender's concurrency (as last read from the account, cached).
 */
export interface SendCapacitySource {
  current(): Promise<SendCapacity>;
}

/** Where the doctor leaves the account's limits for the sender, and reads back what the sender is using. */
export interface AccountLimitsStore {
  stored(): Promise<AccountLimits | undefined>;
  save(limits: AccountLimits): Promise<void>;
}

/** Reads the account's limits with the operator's credentials (SES GetAccount; Lambda's concurrency for the sender). */
export interface AccountLimitsReader {
  read(): Promise<Omit<AccountLimits, 'readAt'>>;
}

/** Fixed limits: the local system's stand-in account, benches and tests. */
export function fixedSendCapacity(capacity: SendCapacity): SendCapacitySource {
  return { current: async () => capacity };
}
