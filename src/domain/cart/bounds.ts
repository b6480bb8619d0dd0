import type { CartItem, CartSnapshot } from './cart';

/**
 * How much of a cart is kept. A storefront's correctly signed delivery is never refused for being big: a cart of 500 or
 * 5,000 line items, or with a 10,000-character title, is accepted and kept bounded, so its row stays far inside
 * DynamoDB's 400 KB item limit (50 items of at most about 4.7 KB each: a 300-character title and two 2,048-character
 * URLs) and its email stays readable.
 *
 * Every lane applies these in one place, the intake use case (`ingestCartEvent`), after the format has checked the
 * signature and the fields' types: a new lane only has to leave item counts and title lengths unbounded in its
 * schema (the request body is bounded by the Function URL's 6 MB, `MAX_BODY_BYTES`).
 */
export const CART_BOUNDS = {
  /** Line items kept on the row, in the storefront's order; the rest are counted (`moreItems`). */
  storedItems: 50,
  /** Characters of an item's title kept (a Shopify variant's title included); longer ones end in "…". */
  title: 300,
  /** Line items an email lists; the rest read "and K more". */
  emailItems: 10,
} as const;

/** What bounding cut from one snapshot, for the log; absent when nothing was. */
export interface BoundsCut {
  /** Line items beyond the kept ones (counted in `moreItems`). */
  readonly itemsDropped: number;
  /** Kept items whose title was cut. */
  readonly titlesCut: number;
  /** The longest title seen, in characters. */
  readonly longestTitle: number;
}

/** A title cut to at most `max` characters (whole code points), ending in "…" when it was cut. */
export function cutTitle(title: string, max: number = CART_BOUNDS.title): string {
  const chars = Array.from(title);
  return chars.length <= max
    ? title
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/**
 * The snapshot as it is kept: the first {@link CART_BOUNDS.storedItems} items with titles cut to
 * {@link CART_BOUNDS.title} characters, and how many more the storefront sent (`moreItems`, absent when none). The
 * total is the storefront's, for the whole cart. Pure and deterministic, so a redelivery keeps exactly the same.
 */
export function boundSnapshot(snapshot: CartSnapshot): { snapshot: CartSnapshot; cut?: BoundsCut } {
  const kept = snapshot.items.slice(0, CART_BOUNDS.storedItems);
  const dropped = snapshot.items.length - kept.length + (snapshot.moreItems ?? 0);
  let titlesCut = 0;
  let longestTitle = 0;
  const items: CartItem[] = kept.map((item) => {
    const length = Array.from(item.title).length;
    longestTitle = Math.max(longestTitle, length);
    if (length <= CART_BOUNDS.title) return item;
    titlesCut += 1;
    return { ...item, title: cutTitle(item.title) };
  });
  if (dropped === 0 && titlesCut === 0) return { snapshot };
  const { moreItems: _more, ...rest } = snapshot;
  return {
    snapshot: { ...rest, items, ...(dropped > 0 ? { moreItems: dropped } : {}) },
    cut: { itemsDropped: snapshot.items.length - kept.length, titlesCut, longestTitle },
  };
}
