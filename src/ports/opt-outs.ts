/** What a shopper opted out of: reminders about one cart, or every reminder. */
export type OptOutScope = 'cart' | 'all';

/** How an opt-out arrived. */
export type OptOutSource = 'one_click' | 'page' | 'complaint' | 'bounce' | 'operator';

export interface OptOut {
  readonly email: string;
  readonly scope: OptOutScope;
  /** The cart whose link was used (for `cart` scope, the cart it covers). */
  readonly cartId: string;
  readonly at: Date;
  readonly source: OptOutSource;
}

/** The suppression list (cr-optouts). */
export interface OptOutStore {
  /** The broadest opt-out that covers this email and cart, if any. */
  find(email: string, cartId: string): Promise<OptOutScope | undefined>;
  /** Records an opt-out; true when it is new (recording the same one again keeps the first and returns false). */
  record(optOut: OptOut): Promise<boolean>;
}
