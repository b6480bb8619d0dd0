/**
 * How hard every AWS and Google client tries, in one place: attempts per call (the first included) and the time a
 * request may take. The use cases own retry semantics; these say what one call of an adapter may do underneath.
 *
 * Connection timeouts are short: every endpoint is in the function's own region. Request timeouts are the time a
 * response may take to start arriving; each is well inside the function's own timeout. Both are enforced: the request
 * handler is told to throw on a request timeout (`throwOnRequestTimeout`; without it @smithy/node-http-handler 4.x
 * only prints a warning and waits on), and the bundles carry this repository's pinned SDK, not the Lambda runtime's
 * (`lib/constructs/service-function.ts`), so the behaviour tested here is the one deployed.
 */
export const AWS_CLIENT_POLICY = {
  /**
   * Every write is conditional or an idempotent ADD keyed by its batch, and the send ledger recognises its own claim
   * by the attempt id it wrote, so a retry after a lost answer cannot do a thing twice; throttles deserve a retry.
   */
  dynamodb: { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000 },
  /** Schedules are named per cart, so a repeated create is refused as a conflict, never doubled. */
  scheduler: { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 },
  /**
   * The waiter's asynchronous hand-off to the sender, and the operator's replays of failed work: the sender's claim
   * and the waiter's `seq` check make a second delivery harmless.
   */
  lambda: { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 },
  /**
   * The operator's reads of the failed-invocations queue (`npm run carts -- --aws failures|replay`): receives hide
   * nothing for good and a repeated delete is harmless. The request timeout covers a receive's 1 s long poll.
   */
  sqs: { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 },
  /**
   * One attempt: after a lost answer SES may have accepted the message, and a hidden retry would send a second copy.
   * The sender classifies every failure and decides (docs/architecture.md, "Exactly one email").
   */
  ses: { maxAttempts: 1, connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 },
  /**
   * One attempt: a failed polish is cheap (the plain line is used), and SDK retries would outlive the polisher's own
   * time budget, which it enforces by aborting the request.
   */
  bedrock: { maxAttempts: 1 },
  /**
   * The doctor's reads of the SES account (sending status, quotas, the domain's DKIM): reads, safe to retry, unlike
   * the sender's one-attempt sends above.
   */
  sesAccount: { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 },
  /** The doctor's read of the sender's measured duration: a read, safe to retry. */
  cloudwatch: { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 },
  /** Secrets, read once per container and cached for `cacheSeconds`. */
  ssm: { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, cacheSeconds: 900 },
  /**
   * Stripe's API on the official client, from intake (a Checkout Session's line items and, at the same time, a
   * Payment Link's URL): reads only, so a retry is harmless. Two attempts of 2.5 s and the client's sub-second backoff
   * between them stay near 6 s, inside the intake's 10 s timeout with room for its DynamoDB writes. When both
   * attempts fail the cart is kept with its total and no items (logged).
   */
  stripe: { maxNetworkRetries: 1, timeoutMs: 2_500 },
  /** The owner's docs and export sheet: no retries (the loader runs again in minutes), a hard time limit. */
  google: { retry: false, timeoutMs: 5_000 },
} as const;

/** The SDK client options for a policy entry. */
export function clientOptions(policy: {
  maxAttempts: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}): {
  maxAttempts: number;
  requestHandler?: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
} {
  return {
    maxAttempts: policy.maxAttempts,
    ...(policy.requestTimeoutMs !== undefined
      ? {
          requestHandler: {
            connectionTimeout: policy.connectionTimeoutMs ?? 1_000,
            requestTimeout: policy.requestTimeoutMs,
            // A TimeoutError the caller sees (for SES: the "unknown outcome" branch), not a warning while it waits on.
            throwOnRequestTimeout: true,
          },
        }
      : {}),
  };
}
