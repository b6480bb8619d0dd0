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
 * Lambda event filter patterns: only writes that can count reach (and bill) the function. They let through every
 * write `cartCountsOf` counts (test/unit/cart-counters.test.ts checks that) and a few it does not; the function
 * decides. Ordinary cart changes, checkouts, stops and TTL deletions are filtered out.
 */
export const CART_COUNTER_FILTERS = [
  // A row created by a cart event: a cart seen.
  { eventName: ['INSERT'], dynamodb: { NewImage: { createdBy: { S: [{ exists: true }] } } } },
  // The write that brings the first email (it sets the first wake-up): a cart with an address.
  {
    eventName: ['MODIFY'],
    dynamodb: { OldImage: { wakeUpSetBy: { S: [{ exists: false }] } }, NewImage: { wakeUpSetBy: { S: [{ exists: true }] } } },
  },
  // A row that became a cart event's only later (not a path intake takes today; counted all the same if it happens).
  {
    eventName: ['MODIFY'],
    dynamodb: { OldImage: { createdBy: { S: [{ exists: false }] } }, NewImage: { createdBy: { S: [{ exists: true }] } } },
  },
] as const;
