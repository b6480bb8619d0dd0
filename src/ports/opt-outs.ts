/** What a shopper opted out of: reminders about one cart, or every reminder. */
export type OptOutScope = 'cart' | 'all';

/** The suppression list (cr-optouts). */
export interface OptOutStore {
  /** The broadest opt-out that covers this email and cart, if any. */
  find(email: string, cartId: string): Promise<OptOutScope | undefined>;
}
