/**
 * How the cart counter reads the cr-carts change stream, shared by the CDK stack (the event source mapping) and the
 * local system (its stream reader), so both batch and filter alike. Plain data: no AWS imports.
 */

/**
 * Records per invocation; how long Lambda gathers records before invoking (fewer, fuller invocations); how often a
 * failing batch is retried before its position goes to the failed-invocations queue.
 */
export const CART_STREAM_BATCH = { size: 100, windowSeconds: 60, retryAttempts: 10 } as const;

/**
 * Lambda event filter patterns: only writes that can count reach (and bill) the function. A row counts for nothing
 * until a cart event created it (`createdBy`): a row only an order made, and TTL deletions, are filtered out. Every
 * other write to a seen cart reaches the function, which decides from the images before and after
 * (`cartCountsOf`; test/unit/cart-counters.test.ts checks every counting write passes): a filter cannot compare
 * the two images, and the writes that move a count (an older event moving `firstSeenAt`, an earlier order, a
 * checkout, a send or a hold-back group recorded) look like any other change.
 */
export const CART_COUNTER_FILTERS = [
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { createdBy: { S: [{ exists: true }] } } } },
] as const;
