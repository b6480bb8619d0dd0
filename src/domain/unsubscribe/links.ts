import { signUnsubscribeToken } from './token';

/** The two unsubscribe links every reminder carries. */
export interface UnsubscribeLinks {
  /** Footer link: opens a small page offering "just this cart" or "all reminders" (a GET changes nothing). */
  readonly pageUrl: string;
  /** The List-Unsubscribe URL: a POST of `List-Unsubscribe=One-Click` stops all reminders at once (RFC 8058). */
  readonly oneClickUrl: string;
}

/**
 * Builds signed unsubscribe links under the unsubscribe endpoint's base URL (`https://…/u/<token>`).
 * The mail client's one-click button means "stop emailing me", so its token covers every reminder; the footer
 * link names the cart and lets the shopper choose. Both tokens bind `email`, the address this email goes to
 * (sealed, unreadable in the link), so the opt-out lands on it even if the cart's address changes or the cart
 * expires. Should a cart id and address be too long for a sealed token (several hundred characters together),
 * the links fall back to the cart-only v1 token rather than fail the send.
 */
export function unsubscribeLinks(baseUrl: string, key: string, cartId: string, email: string): UnsubscribeLinks {
  const base = baseUrl.replace(/\/+$/, '');
  const token = (scope: 'cart' | 'all') => {
    try {
      return signUnsubscribeToken({ cartId, scope, email }, key);
    } catch {
      return signUnsubscribeToken({ cartId, scope }, key);
    }
  };
  return { pageUrl: `${base}/u/${token('cart')}`, oneClickUrl: `${base}/u/${token('all')}` };
}
